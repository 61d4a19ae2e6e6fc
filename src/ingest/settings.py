"""Typed settings: command-line flags, then INGEST_* environment variables, then ingest.toml."""

import os
import tomllib
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ingest.cleaning import CleaningConfig
from ingest.extraction import ExtractionFocus

CONFIG_FILE_ENV = "INGEST_CONFIG"
#: INGEST_* variables of the command line that are not settings of a run
COMMAND_ENV = frozenset({CONFIG_FILE_ENV, "INGEST_SERVER_HOME", "INGEST_LOG_LEVEL"})
DEFAULT_CONFIG_FILE = "ingest.toml"

MiB = 1024 * 1024


class TaskRunnerKind(StrEnum):
    """How batch tasks run: in worker processes, threads, or on a Dask cluster."""

    process = "process"
    thread = "thread"
    dask = "dask"


class Settings(BaseSettings):
    """Everything a run can be told. Field names map to INGEST_<NAME> variables."""

    model_config = SettingsConfigDict(
        env_prefix="INGEST_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    raw_dir: Path = Field(Path("raw"), description="Folder scheduled runs read pages from.")
    output_dir: Path = Field(Path("output"), description="Folder the dataset is written to.")
    batch_size: int = Field(1000, ge=1, description="Most pages per batch task.")
    batch_bytes: int = Field(
        32 * MiB, ge=1, description="Most bytes (on disk) of the pages of a batch task."
    )
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="Parallel batch tasks."
    )
    task_runner: TaskRunnerKind = Field(TaskRunnerKind.process, description="Task runner kind.")
    dask_address: str | None = Field(
        None, description="Address of an existing Dask scheduler; empty starts a LocalCluster."
    )
    max_file_bytes: int = Field(
        50 * MiB, ge=1, description="Pages larger than this on disk are rejected (too_large)."
    )
    max_inflated_bytes: int = Field(
        50 * MiB, ge=1, description="Gzipped pages inflating past this are rejected (too_large)."
    )
    max_sidecar_bytes: int = Field(1 * MiB, ge=1, description="Larger sidecars are ignored.")
    page_timeout_s: float = Field(30.0, gt=0, description="Per-page processing deadline.")
    extraction_focus: ExtractionFocus = Field(
        ExtractionFocus.balanced, description="trafilatura's precision/recall trade-off."
    )
    task_retries: int = Field(2, ge=0, description="Retries of a failed batch task.")
    schedule_cron: str = Field("*/15 * * * *", description="Cron schedule of `ingest serve`.")
    cleaning: CleaningConfig = Field(default_factory=CleaningConfig)
    forget_missing: bool = Field(
        True,
        description="Remove the rows of inputs gone from a folder a run walks whole; "
        "false for append-only archives.",
    )
    # JSONL containers: which fields of a line hold what.
    jsonl_html_fields: list[str] = Field(
        ["html"], description="JSONL fields holding a page's HTML, first non-empty one wins."
    )
    jsonl_text_fields: list[str] = Field(
        ["text", "content"], description="JSONL fields holding a page's text, if no HTML field."
    )
    jsonl_url_field: str = Field("url", description="JSONL field of a page's URL.")
    jsonl_id_field: str = Field("id", description="JSONL field of a page's id.")
    jsonl_time_field: str = Field(
        "fetched_at", description="JSONL field of when a page was fetched (ISO 8601 or epoch)."
    )
    jsonl_language_field: str = Field("language", description="JSONL field of a page's language.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = config_file()
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )


class SettingsError(ValueError):
    """A setting that does not exist or has a value it cannot take; the message names it."""

    def __init__(self, message: str, key: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.detail = detail or message  # what is wrong, without naming the setting


def config_file() -> Path | None:
    """The settings file: INGEST_CONFIG if set (it must exist), else ./ingest.toml if present."""
    named = os.environ.get(CONFIG_FILE_ENV)
    path = Path(named if named else DEFAULT_CONFIG_FILE)
    return path if named or path.is_file() else None


def _check_config_file() -> None:
    path = config_file()
    if path is None:
        return
    if not path.is_file():
        raise SettingsError(f"settings file {str(path)!r} does not exist", CONFIG_FILE_ENV)
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"settings file {str(path)!r} is not valid TOML: {exc}") from None


def _check_environment() -> None:
    """INGEST_* variables must name settings: a misspelt one would otherwise be ignored."""
    prefix = "INGEST_"
    for name in sorted(os.environ):
        if not name.startswith(prefix) or name in COMMAND_ENV:
            continue
        parts = name[len(prefix) :].lower().split("__")
        model: type[BaseModel] = Settings
        for part in parts[:-1]:
            annotation = model.model_fields.get(part)
            inner = getattr(annotation, "annotation", None) if annotation else None
            if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
                raise SettingsError(f"unknown setting in the environment: {name}", name)
            model = inner
        if parts[-1] not in model.model_fields:
            raise SettingsError(f"unknown setting in the environment: {name}", name)


def _describe(error: ValidationError) -> SettingsError:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        where = config_file() or "the arguments"
        return SettingsError(f"unknown setting {key!r} (in {where})", key)
    detail = f"{first['msg']} (got {first.get('input')!r})"
    return SettingsError(f"setting {key!r}: {detail}", key, detail)


def load_settings(**overrides: object) -> Settings:
    """Settings with the given overrides (flags) on top; None means 'not given'. Raises
    SettingsError, naming the setting, file or variable, for anything unknown or invalid."""
    _check_config_file()
    _check_environment()
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise _describe(exc) from None
