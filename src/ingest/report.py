"""The run summary: counts, the accounting check, and its markdown and console forms."""

from collections import Counter
from dataclasses import dataclass, field

from ingest.dataset import BatchResult


@dataclass(slots=True)
class RunSummary:
    run_id: str
    output: str
    seen: int = 0
    written: int = 0
    rejected: int = 0
    skipped_unchanged: int = 0
    out_of_range: int = 0
    batches: int = 0
    failed_batches: int = 0
    recovered_commits: int = 0
    removed_missing: int = 0  # rows removed because their input is gone
    input_bytes: int = 0
    seconds: float = 0.0
    status: str = "completed"  # completed | busy | dry_run | failed | interrupted
    reject_reasons: Counter[str] = field(default_factory=Counter)
    removed_chars: Counter[str] = field(default_factory=Counter)
    passed_over: Counter[str] = field(default_factory=Counter)  # container records, not pages
    files: list[str] = field(default_factory=list)

    def add(self, batch: BatchResult, files: list[str]) -> None:
        self.batches += 1
        self.written += batch.written
        self.rejected += batch.rejected
        self.skipped_unchanged += batch.unchanged
        self.input_bytes += batch.input_bytes
        self.reject_reasons.update(batch.reject_reasons)
        self.removed_chars.update(batch.removed_chars)
        self.files.extend(files)

    @property
    def accounted(self) -> bool:
        """Every page seen became a row, a reject, or was passed over as unchanged (in a dry
        run: would be processed, or was passed over)."""
        if self.status == "interrupted":
            return self.left >= 0
        done = len(self.files) if self.status == "dry_run" else self.written + self.rejected
        return self.seen == done + self.skipped_unchanged

    @property
    def left(self) -> int:
        """Pages of an interrupted run that were found but not committed: the next run's."""
        if self.status != "interrupted":
            return 0
        return self.seen - self.written - self.rejected - self.skipped_unchanged

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "output": self.output,
            "status": self.status,
            "seen": self.seen,
            "written": self.written,
            "rejected": self.rejected,
            "skipped_unchanged": self.skipped_unchanged,
            "out_of_range": self.out_of_range,
            "accounted": self.accounted,
            "left": self.left,
            "batches": self.batches,
            "failed_batches": self.failed_batches,
            "recovered_commits": self.recovered_commits,
            "removed_missing": self.removed_missing,
            "passed_over": dict(self.passed_over),
            "input_bytes": self.input_bytes,
            "seconds": round(self.seconds, 3),
            "reject_reasons": dict(self.reject_reasons),
            "removed_chars": dict(self.removed_chars),
            "files": list(self.files),
        }

    def headline(self) -> str:
        if self.status == "interrupted":
            return (
                f"interrupted: {self.written + self.rejected} pages committed "
                f"({self.written} written, {self.rejected} rejected), "
                f"{self.skipped_unchanged} unchanged; the next run does the rest"
            )
        check = "all accounted for" if self.accounted else "NOT ALL ACCOUNTED FOR"
        return (
            f"{self.seen} pages read: {self.written} written, {self.rejected} rejected, "
            f"{self.skipped_unchanged} unchanged ({check})"
        )

    def counts_table(self) -> list[dict[str, object]]:
        """One row per count, for a table artifact."""
        counts = {
            "pages seen": self.seen,
            "written": self.written,
            "rejected": self.rejected,
            "unchanged (skipped)": self.skipped_unchanged,
            "outside the date range": self.out_of_range,
            "left for the next run": self.left,
            "batches": self.batches,
            "failed batches": self.failed_batches,
            "characters removed": sum(self.removed_chars.values()),
        }
        counts |= {f"rejected as {r}": n for r, n in self.reject_reasons.most_common()}
        return [{"count": name, "value": value} for name, value in counts.items()]

    def to_markdown(self) -> str:
        lines = [
            f"# ingest run `{self.run_id}`",
            "",
            f"**{self.headline()}** in {self.seconds:.1f} s, output `{self.output}`.",
            "",
            "| pages | count |",
            "|---|---|",
            f"| seen | {self.seen} |",
            f"| written | {self.written} |",
            f"| rejected | {self.rejected} |",
            f"| unchanged (skipped) | {self.skipped_unchanged} |",
            f"| outside the date range | {self.out_of_range} |",
            f"| failed batches | {self.failed_batches} |",
            f"| rows removed, input gone | {self.removed_missing} |",
        ]
        if self.passed_over:
            lines += ["", "| container records passed over | count |", "|---|---|"]
            lines += [f"| {k} | {n} |" for k, n in self.passed_over.most_common()]
        if self.reject_reasons:
            lines += ["", "| reject reason | pages |", "|---|---|"]
            lines += [f"| {r} | {n} |" for r, n in self.reject_reasons.most_common()]
        if self.removed_chars:
            lines += ["", "| cleaning rule | characters removed |", "|---|---|"]
            lines += [f"| {r} | {n} |" for r, n in self.removed_chars.most_common()]
        if self.files:
            lines += ["", "Files written:", ""] + [f"- `{f}`" for f in self.files]
        return "\n".join(lines) + "\n"
