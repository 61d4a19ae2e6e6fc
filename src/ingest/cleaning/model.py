"""Values the cleaner returns."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed block of lines and the rule that removed it."""

    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class CleanResult:
    text: str
    removed: tuple[Removal, ...] = field(default_factory=tuple)
    #: lines of the page's rendering added to an extractor's text
    added: tuple[str, ...] = field(default_factory=tuple)
