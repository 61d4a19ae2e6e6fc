"""Finding pages under the given paths: recursive, deterministic, never leaving a root."""

import errno
import glob
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SIDECAR_SUFFIX = ".json"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file that may be a page, with what the state store compares."""

    path: str  # as the OS needs it to open the file
    root: str  # absolute path of the folder it is named under
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
    """Files under the roots, each once (a file matched by two paths of one root is one file)."""
    seen: set[tuple[str, str]] = set()
    for root in roots:
        folder = Path(os.path.abspath(root.folder))
        real_root = os.path.realpath(folder)
        for candidate in _root_candidates(root, folder, real_root):
            where = (candidate.root, candidate.source_path)
            if where not in seen:
                seen.add(where)
                yield candidate


def _root_candidates(root: Root, folder: Path, real_root: str) -> Iterator[Candidate]:
    if not root.only:
        yield from _walk(str(folder), folder, real_root)
        return
    for item in root.only:
        absolute = os.path.abspath(item)
        if glob.has_magic(absolute):
            yield from _glob(absolute, folder, real_root)
        else:
            yield from _walk(absolute, folder, real_root)


def _glob(pattern: str, folder: Path, real_root: str) -> Iterator[Candidate]:
    """Files matching a glob pattern ('**' for any depth), found by the same walk as folders.

    Unlike glob.glob, the walk never enters a linked folder, so a link cannot lead it out of
    the root or round a loop.
    """
    anchor = non_glob_prefix(pattern)
    matcher = _glob_regex(pattern)
    if not os.path.isdir(anchor) or os.path.islink(anchor):
        return
    for candidate in _walk(anchor, folder, real_root):
        if matcher.fullmatch(candidate.path):
            yield candidate


def non_glob_prefix(path: str) -> str:
    """The folders of a path before its first glob pattern."""
    parts: list[str] = []
    for part in Path(path).parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return str(Path(*parts)) if parts else os.sep


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """glob semantics: '*' and '?' stay within a name, '**' spans folders, names with a leading
    dot are matched only by a pattern that names the dot."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern.startswith("**/", i):
            out.append(r"(?:[^/.][^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(r"(?:[^/.][^/]*(?:/[^/.][^/]*)*)?")
            i += 2
        elif pattern[i] == "*":
            out.append(r"[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append(r"[^/]")
            i += 1
        elif pattern[i] == "[" and (close := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : close].replace("\\", "\\\\")
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body}]")
            i = close + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def _walk(start: str, folder: Path, real_root: str) -> Iterator[Candidate]:
    """Files under `start` (or `start` itself); linked folders are never entered."""
    if os.path.isdir(start) and not os.path.islink(start):
        if not _inside(os.path.realpath(start), real_root):
            yield _problem(start, folder, "outside_root", "folder is outside the raw root")
            return
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
        parent, name = os.path.split(start)
        if not _is_sidecar(name, _names(parent)):
            yield _candidate(start, folder, real_root)


def _names(folder: str) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def _is_sidecar(name: str, names: set[str]) -> bool:
    return name.endswith(SIDECAR_SUFFIX) and name[: -len(SIDECAR_SUFFIX)] in names


def _inside(real_path: str, real_root: str) -> bool:
    return os.path.commonpath([real_path, real_root]) == real_root


def _problem(path: str, folder: Path, problem: str, detail: str) -> Candidate:
    return Candidate(path, str(folder), _source(path, folder), 0, 0, problem, detail)


def _source(path: str, folder: Path) -> str:
    relative = os.path.relpath(path, folder)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        relative = os.path.abspath(path)  # not under the root: never named as if it were
    return printable(relative)


def _candidate(path: str, folder: Path, real_root: str) -> Candidate:
    """What the state store compares; links and paths that resolve out of the root are problems,
    never followed."""
    target = os.path.realpath(path)
    if os.path.islink(path):
        try:
            os.stat(path)
        except FileNotFoundError:
            return _problem(path, folder, "missing", "dangling symbolic link")
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return _problem(path, folder, "unreadable", "symbolic link loop")
            return _problem(path, folder, "unreadable", f"cannot follow link: {exc.strerror}")
    if not _inside(target, real_root):
        return _problem(path, folder, "outside_root", "resolves outside the raw root, not read")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _problem(path, folder, "missing", "gone before it could be examined")
    except OSError as exc:
        return _problem(path, folder, "unreadable", f"cannot stat: {exc.strerror}")
    if stat.S_ISDIR(info.st_mode):
        return _problem(path, folder, "unreadable", "a link to a folder, not followed")
    if not stat.S_ISREG(info.st_mode):
        return _problem(path, folder, "unreadable", "not a regular file")
    return Candidate(path, str(folder), _source(path, folder), info.st_size, info.st_mtime_ns)
