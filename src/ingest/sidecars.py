"""Sidecar metadata: a page's `<name>.json`, loaded safely and read as typed fields."""

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

SIDECAR_MAX_DEPTH = 32
MAX_META_CHARS = 2000
# Control characters (C0, DEL, C1) and lone surrogates: never in output strings (tab, newline ok).
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
EPOCH_DIGITS = re.compile(r"-?\d{1,12}(?:\.\d+)?")
# Epoch values this large are milliseconds (1e11 seconds is the year 5138).
EPOCH_MILLIS_FROM = 1e11


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def load_sidecar(path: Path, max_bytes: int) -> tuple[dict[str, object], list[str]]:
    """The page's sidecar metadata (a JSON object) and warnings about what was unusable.

    A sidecar never stops its page: whatever is wrong with it (not JSON, not an object, too big,
    nested too deeply, a link, NaN, lone surrogates, control characters) becomes a warning.
    """
    side = sidecar_path(path)
    try:
        if side.is_symlink():
            return {}, ["sidecar is a symbolic link, ignored"]
        if not side.is_file():
            return {}, []
        if side.stat().st_size > max_bytes:
            return {}, [f"sidecar over {max_bytes} bytes, ignored"]
        with side.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
        if len(raw) > max_bytes:
            return {}, [f"sidecar over {max_bytes} bytes, ignored"]
        value = json.loads(raw.decode("utf-8", "replace"), parse_constant=_not_a_number)
    except (OSError, ValueError, RecursionError) as exc:
        return {}, [f"sidecar unreadable or not JSON, ignored: {type(exc).__name__}"]
    if not isinstance(value, dict):
        return {}, [f"sidecar is a JSON {type(value).__name__}, not an object, ignored"]
    try:
        return safe_json(value), []
    except RecursionError:
        return {}, [f"sidecar nested deeper than {SIDECAR_MAX_DEPTH} levels, ignored"]


def _not_a_number(name: str) -> None:
    """NaN and Infinity are not JSON: read as null, so that source_meta stays valid JSON."""
    return None


def safe_string(value: str) -> str:
    """Valid UTF-8 without control characters other than tab and newline."""
    return UNSAFE_CHARS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def safe_json(value: object, depth: int = 0) -> object:
    """The value with safe strings, finite numbers only; RecursionError past the depth cap."""
    if depth > SIDECAR_MAX_DEPTH:
        raise RecursionError
    if isinstance(value, str):
        return safe_string(value)
    if isinstance(value, dict):
        return {safe_string(str(k)): safe_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_json(v, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def parse_timestamp(value: object) -> datetime | None:
    """A point in time (aware; UTC unless it says otherwise) from ISO 8601 text or epoch
    seconds (a number or digits; values past the year 5000 are read as milliseconds); None when
    it is neither."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, str) and EPOCH_DIGITS.fullmatch(value.strip()):
            value = float(value)
        if isinstance(value, int | float):
            seconds = value / 1000 if abs(value) >= EPOCH_MILLIS_FROM else value
            return datetime.fromtimestamp(seconds, UTC)
        if isinstance(value, str):
            stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


@dataclass(slots=True)
class SidecarFields:
    """Typed view of a sidecar's fields; a field of the wrong type is dropped with a warning."""

    raw: dict[str, object]
    warnings: list[str] = field(default_factory=list)
    url: str | None = None
    fetched_at: datetime | None = None
    published: date | None = None
    language: str | None = None

    @classmethod
    def parse(cls, raw: dict[str, object], warnings: list[str] | None = None) -> "SidecarFields":
        fields = cls(raw=raw, warnings=list(warnings or ()))
        fields.url = fields.get_str("url")
        fields.fetched_at = fields.get_time("fetched_at")
        stamp = fields.get_time("published")
        fields.published = stamp.date() if stamp else None
        fields.language = fields.get_str("language")
        return fields

    def get_str(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_META_CHARS]
        self.warnings.append(f"sidecar field {key!r} is not a string, ignored")
        return None

    def get_time(self, key: str) -> datetime | None:
        value = self.raw.get(key)
        if value is None:
            return None
        stamp = parse_timestamp(value)
        if stamp is None:
            self.warnings.append(f"sidecar field {key!r} is not a date or time, ignored")
        return stamp


def read_sidecar(path: Path, max_bytes: int) -> SidecarFields:
    """The typed sidecar of the page at `path` (empty, with warnings, when unusable)."""
    raw, warnings = load_sidecar(path, max_bytes)
    return SidecarFields.parse(raw, warnings)


def sidecar_time(path: Path, max_bytes: int) -> datetime | None:
    """The page's date from its sidecar, for date-range selection: fetched, else published."""
    side = read_sidecar(path, max_bytes)
    if side.fetched_at is not None:
        return side.fetched_at
    if side.published is not None:
        return datetime.combine(side.published, datetime.min.time(), UTC)
    return None
