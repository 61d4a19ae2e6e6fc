"""What a batch task is handed: references to records, never their payloads."""

from dataclasses import dataclass

from ingest.readers import RecordError, RecordRef
from ingest.state import FileState


@dataclass(frozen=True, slots=True)
class WorkItem:
    """Records of one input file to process: the whole file, or one part of a large container.

    The task opens the file and reads the records it names where it runs, so a large container
    is read in parallel by several tasks and its bytes never pass through the flow process.
    """

    path: str  # as the OS needs it to open the file
    root: str  # absolute path of the folder the file is named under
    source_path: str  # relative to root
    size: int
    mtime_ns: int
    refs: tuple[RecordRef, ...] = ()
    #: per ref, the payload SHA-256 the state store holds: a record read with that hash again is
    #: unchanged and not processed (None: process it whatever it holds)
    known: tuple[str | None, ...] = ()
    errors: tuple[RecordError, ...] = ()  # records the index pass found broken
    problem: str | None = None  # why the file cannot be read at all ("outside_root", ...)
    problem_detail: str = ""
    weight: int = 0  # bytes on disk, for batch caps
    part: int = 0
    parts: int = 1  # the file's state is recorded once all its parts are committed
    file_state: FileState | None = None

    @property
    def records(self) -> int:
        """Records this item accounts for."""
        return len(self.refs) + len(self.errors) + (1 if self.problem else 0)
