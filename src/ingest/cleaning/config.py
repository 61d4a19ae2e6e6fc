"""Options of the boilerplate cleaner (recorded in every output file)."""

from pydantic import BaseModel


class CleaningConfig(BaseModel):
    """What the cleaner may remove; every field is JSON-serialisable."""

    enabled: bool = True
