"""A SQLite file beside the state store, opened the way every analysis store needs it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Self

_PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"


class SqliteStore:
    """Opens (creating its tables) and closes one SQLite file; the run's lock makes the process
    that holds it the only writer, WAL lets readers in other processes go on meanwhile."""

    SCHEMA = ""

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(str(path))
        self._db.executescript(_PRAGMAS + self.SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
