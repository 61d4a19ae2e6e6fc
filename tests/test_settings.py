"""Settings come from flags, then INGEST_* variables, then ingest.toml, then defaults."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from ingest.settings import Settings, TaskRunnerKind, load_settings


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(__import__("os").environ):
        if name.startswith("INGEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_work_out_of_the_box(isolated: Path) -> None:
    settings = Settings()
    assert settings.raw_dir == Path("raw") and settings.output_dir == Path("output")
    assert settings.batch_size == 1000 and settings.batch_bytes == 32 * 1024 * 1024
    assert settings.workers >= 1
    assert settings.task_runner is TaskRunnerKind.process
    assert settings.cleaning.enabled


def test_flags_beat_environment_beat_toml(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (isolated / "ingest.toml").write_text(
        'batch_size = 7\nworkers = 3\nraw_dir = "pages"\n[cleaning]\nenabled = false\n'
    )
    assert Settings().batch_size == 7 and Settings().raw_dir == Path("pages")
    assert Settings().cleaning.enabled is False
    monkeypatch.setenv("INGEST_BATCH_SIZE", "11")
    monkeypatch.setenv("INGEST_CLEANING__ENABLED", "true")
    settings = load_settings(workers=5, output_dir=None)
    assert (settings.batch_size, settings.workers) == (11, 5)
    assert settings.cleaning.enabled is True
    assert settings.raw_dir == Path("pages")


def test_config_file_can_be_named(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = isolated / "elsewhere.toml"
    other.write_text('task_runner = "thread"\n')
    monkeypatch.setenv("INGEST_CONFIG", str(other))
    assert Settings().task_runner is TaskRunnerKind.thread


def test_bad_values_are_refused(isolated: Path) -> None:
    with pytest.raises(ValidationError):
        Settings(batch_size=0)
    with pytest.raises(ValidationError):
        Settings(task_runner="carrier-pigeon")
