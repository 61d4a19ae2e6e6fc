"""Finding pages under the given paths: recursive, deterministic, never leaving a root."""

import fnmatch
import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SIDECAR_SUFFIX = ".json"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file that may be a page, with what the state store compares."""

    path: str  # as the OS needs it to open the file
    source_path: str  # relative to its root, printable UTF-8
    size: int
    mtime_ns: int
    problem: str | None = None  # why it cannot be read safely ("outside_root", "missing", ...)
    problem_detail: str = ""


@dataclass(frozen=True, slots=True)
class Root:
    """A folder whose files are named relative to it, optionally narrowed to some of them."""

    folder: Path
    only: tuple[str, ...] = ()  # absolute paths of files, folders or glob patterns inside it


def printable(relative: str) -> str:
    """Names that are not valid UTF-8 keep their bytes as backslash escapes."""
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def discover(roots: Iterable[Root]) -> Iterator[Candidate]:
    seen: set[str] = set()
    for root in roots:
        folder = Path(os.path.abspath(root.folder))
        real_root = os.path.realpath(folder)
        starts = _expand(root.only) if root.only else [str(folder)]
        for start in starts:
            for candidate in _walk(start, folder, real_root):
                if candidate.source_path not in seen:
                    seen.add(candidate.source_path)
                    yield candidate


def _expand(only: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for item in only:
        matches = sorted(glob.glob(item, recursive=True)) if glob.has_magic(item) else [item]
        out.extend(matches)
    return out


def _walk(start: str, folder: Path, real_root: str) -> Iterator[Candidate]:
    if os.path.isdir(start) and not os.path.islink(start):
        stack = [start]
        while stack:
            current = stack.pop()
            try:
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError:
                continue
            names = {e.name for e in entries}
            subdirs = []
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
                elif not _is_sidecar(entry.name, names):
                    yield _candidate(entry.path, folder, real_root)
            stack.extend(reversed(subdirs))
    elif os.path.lexists(start):
        yield _candidate(start, folder, real_root)


def _is_sidecar(name: str, names: set[str]) -> bool:
    return name.endswith(SIDECAR_SUFFIX) and name[: -len(SIDECAR_SUFFIX)] in names


def _candidate(path: str, folder: Path, real_root: str) -> Candidate:
    source = printable(os.path.relpath(path, folder))
    if os.path.islink(path):
        target = os.path.realpath(path)
        if not os.path.exists(target):
            return Candidate(path, source, 0, 0, "missing", "dangling or looping symbolic link")
        if os.path.commonpath([target, real_root]) != real_root:
            return Candidate(path, source, 0, 0, "outside_root", "link leads out of the raw root")
    try:
        stat = os.stat(path)
    except OSError as exc:
        return Candidate(path, source, 0, 0, "missing", f"cannot stat: {exc.strerror}")
    if not os.path.isfile(path):
        return Candidate(path, source, 0, 0, "unreadable", "not a regular file")
    return Candidate(path, source, stat.st_size, stat.st_mtime_ns)


def matches_any(source_path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(source_path, p) for p in patterns)
