"""Opening an import file: format, encoding, delimiter, header, then its rows one at a time.

Pure: no Django import. CSV is decoded as UTF-8 (with or without a BOM; UTF-16
with a BOM too) and otherwise as Windows-1252, saying so in a warning; the
delimiter is sniffed among , ; tab | by which one splits the header into the
most known column names. XLSX is read from its first sheet with openpyxl in
streaming mode. Rows are numbered as a spreadsheet shows them: the header is
row 1, and blank rows count but are skipped.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ardesk.errors import DomainError, ErrorCode
from ardesk.imports.kinds import Spec

# The largest field the CSV reader accepts before it gives up on the row. Longer text is named by
# row and column against the column's own limit; beyond this the reading stops at the row.
FIELD_LIMIT = 16 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1 << 20
_XLSX_MAGIC = b"PK\x03\x04"


class ImportRefused(DomainError):
    """The file as a whole cannot be read (format, header); nothing was imported."""

    code = ErrorCode.IMPORT_REJECTED


class BrokenRow(Exception):
    """A row the reader cannot continue past (a field beyond FIELD_LIMIT); reading stops there."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(reason)
        self.row, self.reason = row, reason


@dataclass
class FileFacts:
    """What one pass over the bytes tells: digest, size, format, encoding, and whether NUL bytes occur."""

    sha256: str
    size: int
    format: str  # "csv" or "xlsx"
    encoding: str = "utf-8"
    has_nul: bool = False
    # Every line is exactly one row (no quoted line breaks, no lone CR): the file may be read in parallel.
    one_row_per_line: bool = False
    header_bytes: int = 0  # where the rows start: the length of the first line, BOM included
    warnings: list[str] = field(default_factory=list)


class _LineCheck:
    """Follows the bytes of a file: does every line hold an even number of quotes, and no lone CR?"""

    def __init__(self) -> None:
        self.ok, self.odd, self.cr, self.crlf, self.last = True, False, 0, 0, b""
        self.first_line_end = -1
        self.seen = 0

    def feed(self, chunk: bytes) -> None:
        if self.first_line_end < 0 and (newline := chunk.find(b"\n")) >= 0:
            self.first_line_end = self.seen + newline + 1
        self.seen += len(chunk)
        self.cr += chunk.count(b"\r")
        self.crlf += chunk.count(b"\r\n") + (self.last == b"\r" and chunk[:1] == b"\n")
        self.last = chunk[-1:]
        if not self.ok:
            return
        if b'"' not in chunk:
            if self.odd and b"\n" in chunk:
                self.ok = False
            return
        pieces = chunk.split(b"\n")
        for index, piece in enumerate(pieces):
            self.odd ^= bool(piece.count(b'"') & 1)
            if self.odd and index < len(pieces) - 1:
                self.ok = False
                return

    @property
    def one_row_per_line(self) -> bool:
        return self.ok and not self.odd and self.cr == self.crlf and self.first_line_end > 0


def scan(path: Path, filename: str) -> FileFacts:
    """Read the file once: its SHA-256, and which encoding decodes all of it."""
    digest = hashlib.sha256()
    size = 0
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    utf8_ok = cp1252_ok = True
    has_nul = False
    lines = _LineCheck()
    with open(path, "rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            has_nul = has_nul or b"\x00" in chunk
            lines.feed(chunk)
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if not utf8_ok and cp1252_ok:
                try:
                    cp1252.decode(chunk)
                except UnicodeDecodeError:
                    cp1252_ok = False
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    facts = FileFacts(sha256=digest.hexdigest(), size=size, format="csv", has_nul=has_nul)
    lower = filename.lower()
    if head == _XLSX_MAGIC or lower.endswith((".xlsx", ".xlsm")):
        facts.format = "xlsx"
        return facts
    if lower.endswith(".xls") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused("this is an old Excel .xls file: save it as .xlsx or as CSV (UTF-8)", field="file")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        facts.encoding, facts.has_nul = "utf-16", False
    elif head.startswith(codecs.BOM_UTF8) and utf8_ok:
        facts.encoding = "utf-8-sig"
    elif not utf8_ok:
        # cp1252 leaves five bytes undefined; latin-1 decodes every byte.
        facts.encoding = "cp1252" if cp1252_ok else "latin-1"
        facts.warnings.append(
            f"The file is not valid UTF-8; it was read as {facts.encoding}. If accented letters look wrong, "
            "save the file as CSV UTF-8 and import it again.")
    if facts.encoding != "utf-16" and lines.one_row_per_line:
        facts.one_row_per_line, facts.header_bytes = True, lines.first_line_end
    return facts


def normalise_name(name: object) -> str:
    text = "" if name is None else str(name)
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower())


@dataclass
class Table:
    """The header and the rows of a file: `rows` yields (row number, cells); `close` releases the file."""

    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    position: Callable[[], tuple[int, int]]  # (done, total) for progress
    close: Callable[[], None]
    warnings: list[str] = field(default_factory=list)
    delimiter: str = ","


def check_header(header: list[str], spec: Spec) -> None:
    """Refuse a header with unknown, duplicate or missing columns, naming each."""
    known = spec.names
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise ImportRefused(f"column {position} of the header has no name", field="header")
        if name in seen:
            raise ImportRefused(f"column {name!r} appears twice in the header", field=name)
        seen.add(name)
    unknown = [name for name in header if name not in known]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, known, n=1)
            hints.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
        raise ImportRefused(
            f"unknown column(s) {', '.join(hints)}; the columns of {spec.kind} are: {', '.join(known)}",
            field=unknown[0])
    missing = [name for name in spec.required if name not in seen]
    if missing:
        raise ImportRefused(f"required column(s) missing: {', '.join(missing)}", field=missing[0])


def _trim_header(names: list[str]) -> list[str]:
    while names and not names[-1]:
        names.pop()
    return names


def _sniff(first_line: str, spec: Spec) -> str:
    known = set(spec.names)

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(normalise_name(c) in known for c in cells), len(cells)

    return max(DELIMITERS, key=score)


def _csv_table(path: Path, facts: FileFacts, spec: Spec) -> Table:
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)  # process-wide, and only ever raised: see FIELD_LIMIT
    raw = open(path, "rb")  # noqa: SIM115 - closed by Table.close
    handle = io.TextIOWrapper(raw, encoding=facts.encoding, newline="")
    try:
        first = handle.readline()
        handle.seek(0)
        delimiter = _sniff(first, spec)
        reader = csv.reader(handle, delimiter=delimiter)
        header = _trim_header([normalise_name(c) for c in next(reader, [])])
    except (csv.Error, UnicodeDecodeError) as error:
        handle.close()
        raise ImportRefused(f"the header cannot be read: {error}", field="header") from None
    except BaseException:
        handle.close()
        raise
    if not header:
        handle.close()
        raise ImportRefused("the file is empty: the first row must name the columns", field="header")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        row_no = 1
        try:
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except (csv.Error, UnicodeDecodeError) as error:
                    raise BrokenRow(row_no + 1, f"the row cannot be read ({error}); reading stopped here") from None
                row_no += 1
                if any(cells):
                    yield row_no, cells
        finally:
            handle.close()

    def position() -> tuple[int, int]:
        return (facts.size if raw.closed else raw.tell()), facts.size

    return Table(header=header, rows=rows(), position=position, close=handle.close, delimiter=delimiter,
                 warnings=[] if delimiter == "," else [f"Columns are separated by {_name(delimiter)}."])


def _name(delimiter: str) -> str:
    return {";": "semicolons", "\t": "tabs", "|": "vertical bars"}.get(delimiter, repr(delimiter))


def _xlsx_table(path: Path) -> Table:
    import openpyxl  # a heavy import, needed only for spreadsheets

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook can fail in any of openpyxl's parsers
        raise ImportRefused(f"this is not a readable XLSX workbook ({type(error).__name__}: {error})",
                            field="file") from None
    try:
        sheet = book.worksheets[0]
        source = sheet.iter_rows(min_row=1, values_only=True)
        header: list[str] = []
        row_no = 0
        for values in source:
            row_no += 1
            if any(v is not None and str(v).strip() for v in values):
                header = _trim_header([normalise_name(v) for v in values])
                break
    except Exception as error:
        book.close()
        raise ImportRefused(f"the first sheet cannot be read ({type(error).__name__}: {error})", field="file") from None
    if not header:
        book.close()
        raise ImportRefused("the first sheet is empty: its first row must name the columns", field="header")
    warnings = []
    if len(book.worksheets) > 1:
        warnings.append(f"Only the first sheet ({sheet.title!r}) was read.")
    if book.epoch.year == 1904:
        warnings.append("The workbook uses the 1904 date system: check dates typed as plain numbers.")
    total = sheet.max_row or 0
    state = {"row": row_no}

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for values in source:
                state["row"] += 1
                cells = list(values)
                if any(v is not None and (not isinstance(v, str) or v.strip()) for v in cells):
                    yield state["row"], cells
        except Exception as error:  # damaged XML further down the sheet
            raise BrokenRow(state["row"] + 1, f"the sheet cannot be read from here ({type(error).__name__}: "
                                              f"{error}); reading stopped") from None
        finally:
            book.close()

    return Table(header=header, rows=rows(), position=lambda: (state["row"], total), close=book.close,
                 warnings=warnings)


def open_table(path: Path, facts: FileFacts, spec: Spec) -> Table:
    """Open the file and check its header against the kind's columns (ImportRefused if wrong)."""
    table = _xlsx_table(path) if facts.format == "xlsx" else _csv_table(path, facts, spec)
    try:
        check_header(table.header, spec)
    except ImportRefused:
        table.close()
        raise
    table.warnings[:0] = facts.warnings
    return table

