"""Reading a big CSV file in several processes. Pure: no Django import; workers never touch the database.

Only for files where every line is one row (no line break inside quotes, no
lone carriage return): `reading.scan` finds out on its pass over the bytes.
The main process cuts the file at line ends into blocks; each worker decodes
its block, reads it with the csv module, checks every row with the same
RowValidator as the single-process path and returns the rows as COPY text
plus its rejections. Blocks come back in file order. Should a block hold a
different number of rows than lines after all (a stray quote the byte scan
could not see), the caller is told and reads the file in one process instead.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ardesk.imports.copytext import line_maker
from ardesk.imports.kinds import spec_for
from ardesk.imports.reading import FIELD_LIMIT
from ardesk.imports.report import Rejections, shown
from ardesk.imports.validation import RowValidator

BLOCK_BYTES = 4 * 1024 * 1024


class NotSplittable(Exception):
    """A block's rows did not match its lines: the file must be read in one process."""


@dataclass(frozen=True)
class Job:
    kind: str
    header: tuple[str, ...]
    delimiter: str
    encoding: str
    first_row: int
    lines: int
    data: bytes


@dataclass
class Done:
    text: str  # COPY lines, each ending in a newline
    rejections: list[tuple[int, str, str, str]] = field(default_factory=list)  # values already shown
    rows: int = 0
    broken: tuple[int, str] | None = None
    mismatch: bool = False


class _Collected(Rejections):
    """Keeps every rejection of a block as plain tuples, to send back to the main process."""

    def __init__(self) -> None:
        super().__init__({})
        self.items: list[tuple[int, str, str, str]] = []

    def add(self, row: int, column: str, value: object, reason: str) -> None:
        self.items.append((row, column, shown(value), reason))


def _start_worker() -> None:
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)


def work(job: Job) -> Done:
    """Read, check and format one block of whole lines (runs in a worker process)."""
    spec = spec_for(job.kind)
    header = list(job.header)
    validator = RowValidator(spec, header)
    make_line = line_maker(validator.present)
    collected = _Collected()
    reader = csv.reader(io.StringIO(job.data.decode(job.encoding), newline=""), delimiter=job.delimiter)
    lines: list[str] = []
    done = Done("")
    row_no, records = job.first_row - 1, 0
    cells: list[str] = []
    try:
        for cells in reader:
            records += 1
            row_no += 1
            if any(cells):
                lines.append(make_line(validator.validate(row_no, cells, collected)))
    except csv.Error as error:
        done.broken = (row_no + 1, f"the row cannot be read ({error}); reading stopped here")
    done.text = "\n".join(lines) + "\n" if lines else ""
    done.rejections, done.rows = collected.items, len(lines)
    # A row spanning lines inside the block leaves fewer rows than lines; one left open at the block's
    # end swallows the line break into its last field.
    open_at_end = any("\n" in cell or "\r" in cell for cell in cells)
    done.mismatch = done.broken is None and (records != job.lines or open_at_end)
    return done


def _blocks(path: Path, offset: int, block_bytes: int) -> Iterator[tuple[bytes, int, int]]:
    """(whole lines, how many, bytes read so far) from `offset` to the end of the file."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        carry = b""
        while True:
            block = handle.read(block_bytes)
            if not block:
                if carry:
                    yield carry, carry.count(b"\n") + (0 if carry.endswith(b"\n") else 1), handle.tell()
                return
            data = carry + block
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut], data.count(b"\n", 0, cut), handle.tell()


def read_in_parallel(*, path: Path, kind: str, header: list[str], delimiter: str, encoding: str, offset: int,
                     workers: int, progress: Callable[[int], Any] | None = None,
                     block_bytes: int | None = None) -> Iterator[Done]:
    """Done blocks in file order. The data starts at byte `offset`, on row 2 (the header is row 1)."""
    decode_as = "utf-8" if encoding == "utf-8-sig" else encoding  # the BOM is before the header
    # fork: the workers need nothing but the pure modules already loaded, and unlike spawn it does not
    # run the caller's main script again in every worker. Workers never touch the inherited connection.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
    pending: deque[Future[Done]] = deque()
    try:
        next_row = 2
        for data, lines, position in _blocks(path, offset, block_bytes or BLOCK_BYTES):
            pending.append(pool.submit(work, Job(kind, tuple(header), delimiter, decode_as, next_row, lines, data)))
            next_row += lines
            while len(pending) >= 2 * workers:
                yield pending.popleft().result()
            if progress:
                progress(position)
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def may_fork_workers() -> bool:
    """Daemonic processes (a Celery prefork worker, for one) may not start processes of their own."""
    return not multiprocessing.current_process().daemon
