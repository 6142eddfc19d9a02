"""What an import tells its caller: counts, the rejections (capped) and warnings. Pure: no Django import.

The command, the upload page and the API all render this one report, so a
rejection reads the same wherever the file came in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# The report lists at most this many rejections; it always counts all of them.
MAX_LISTED_REJECTIONS = 1000
# A rejected value is shown at most this long (a 10 MB field must not come back whole).
MAX_SHOWN_VALUE = 80


class Kind(StrEnum):
    CUSTOMERS = "customers"
    CONTACTS = "contacts"
    INVOICES = "invoices"
    INVOICE_LINES = "invoice-lines"
    CREDIT_MEMOS = "credit-memos"
    PAYMENTS = "payments"
    FX_RATES = "fx-rates"


class Status(StrEnum):
    APPLIED = "applied"  # something was created or updated
    UNCHANGED = "unchanged"  # every row already matched: nothing was written
    REJECTED = "rejected"  # at least one rejection: nothing was written
    DRY_RUN = "dry_run"  # validated and counted, then rolled back


def shown(value: object) -> str:
    """A value as a rejection shows it: text, cut to a readable length, NUL bytes made visible."""
    text = "" if value is None else str(value)
    text = text.replace("\x00", "\\x00")
    if len(text) > MAX_SHOWN_VALUE:
        return f"{text[:MAX_SHOWN_VALUE]}… ({len(text):,} characters)"
    return text


@dataclass(frozen=True, order=True)
class Rejection:
    """One reason a row was refused. `row` counts as the user sees the file: the header is row 1.

    `column` is the file's column name, or "*" when the whole row is at fault
    (for example a row with more fields than the header).
    """

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.column == "*" else f"row {self.row}, column {self.column}"
        return f"{where}: {self.value!r}: {self.reason}" if self.value else f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """The outcome of one import. `rejected` counts rejected rows; `rejection_count` every rejection."""

    kind: str
    filename: str
    sha256: str = ""
    size: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejection_count: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    batch_id: int | None = None
    status: Status = Status.UNCHANGED
    dry_run: bool = False
    engine: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.rejection_count == 0

    @property
    def truncated(self) -> bool:
        return self.rejection_count > len(self.rejections)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind, "filename": self.filename, "sha256": self.sha256, "size": self.size,
            "rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": self.rejected, "rejection_count": self.rejection_count,
            "rejections": [{"row": r.row, "column": r.column, "value": r.value, "reason": r.reason}
                           for r in self.rejections],
            "warnings": list(self.warnings), "batch_id": self.batch_id, "status": str(self.status),
            "dry_run": self.dry_run,
        }


class Rejections:
    """Collects rejections in any order; keeps the first MAX_LISTED by (row, column order) and counts all."""

    def __init__(self, column_order: dict[str, int], cap: int = MAX_LISTED_REJECTIONS) -> None:
        self._order = column_order
        self._cap = cap
        self._kept: list[tuple[int, int, str, Rejection]] = []
        self.count = 0
        self.rows: set[int] = set()

    def add(self, row: int, column: str, value: object, reason: str) -> None:
        self.count += 1
        self.rows.add(row)
        rejection = Rejection(row, column, shown(value), reason)
        self._kept.append((row, self._order.get(column, -1), reason, rejection))
        if len(self._kept) > 4 * self._cap:
            self._trim()

    def add_shown(self, row: int, column: str, value: str, reason: str) -> None:
        """Add a rejection whose value was already cut down by `shown` (in a worker process)."""
        self.count += 1
        self.rows.add(row)
        self._kept.append((row, self._order.get(column, -1), reason, Rejection(row, column, value, reason)))
        if len(self._kept) > 4 * self._cap:
            self._trim()

    def reset(self) -> None:
        """Forget everything (the file is about to be read again another way)."""
        self._kept.clear()
        self.count = 0
        self.rows.clear()

    def add_counted(self, count: int, rows: set[int]) -> None:
        """Count rejections found elsewhere (a database check) that were not all listed."""
        self.count += count
        self.rows |= rows

    def add_listed(self, row: int, column: str, value: object, reason: str) -> None:
        """List a rejection already counted with `add_counted`."""
        rejection = Rejection(row, column, shown(value), reason)
        self._kept.append((row, self._order.get(column, -1), reason, rejection))
        if len(self._kept) > 4 * self._cap:
            self._trim()

    def _trim(self) -> None:
        self._kept.sort(key=lambda item: item[:3])
        del self._kept[self._cap:]

    def listed(self) -> list[Rejection]:
        self._trim()
        return [item[3] for item in self._kept]
