"""Options of the boilerplate cleaner (recorded in every output file)."""

from pydantic import BaseModel, ConfigDict, Field

FAMILIES = ("comments", "donation", "newsletter", "share", "related", "media", "chrome", "model")


class CleaningConfig(BaseModel):
    """What the cleaner may remove; every field is JSON-serialisable. Defaults are the best
    settings measured on the development set (see benchmarks/quality.py)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    #: rule families ("share") or single rules ("chrome.date") that must not remove anything
    disabled_rules: list[str] = Field(default_factory=list)
    #: the learned line model removes lines whose boilerplate probability is above this
    #: (None: the threshold shipped with the model)
    model_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
