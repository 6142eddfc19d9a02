"""Rows as lines of PostgreSQL's COPY text format. Pure: no Django import, so worker processes can use it.

A line is `row_no <TAB> ok <TAB> value …`: NULL is `\\N`; backslash, tab,
newline and carriage return inside text are escaped as COPY expects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from ardesk.imports.kinds import Column
from ardesk.imports.validation import Row

_NEEDS_ESCAPE = re.compile(r"[\\\n\r\t]")
_ESCAPE = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _text(value: str) -> str:
    return value.translate(_ESCAPE) if _NEEDS_ESCAPE.search(value) else value


FORMATS: dict[str, Callable[[Any], str]] = {
    "text": _text, "date": date.isoformat, "numeric": str, "bigint": str,
    "boolean": lambda value: "t" if value else "f",
}


def line_maker(columns: Sequence[Column]) -> Callable[[Row], str]:
    """A function turning a validated row into its COPY line (without the newline)."""
    plan = [(c.name, FORMATS[c.db]) for c in columns]

    def line(row: Row) -> str:
        values = row.values
        parts = [str(row.row), "t" if row.ok else "f"]
        for name, fmt in plan:
            value = values.get(name)
            parts.append("\\N" if value is None else fmt(value))
        return "\t".join(parts)

    return line
