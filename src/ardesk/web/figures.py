"""Figures shown on pages, as plain functions: no Django import, tested directly and with hypothesis.

Amounts are Decimal in one currency; nothing here converts between currencies.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class SearchText:
    text: str
    shortened: bool  # True when the caller's text was cut to MAX_SEARCH_LENGTH


def clean_search_text(raw: str, limit: int = MAX_SEARCH_LENGTH) -> SearchText:
    """Search text safe to send to any database: no control characters (PostgreSQL refuses NUL),
    whitespace collapsed, at most `limit` characters. Wildcards stay literal: the ORM escapes them."""
    kept = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in raw)
    text = " ".join(kept.split())
    if len(text) > limit:
        return SearchText(text[:limit].rstrip(), True)
    return SearchText(text, False)


def collectible(open_amount: Decimal, disputed: Decimal) -> Decimal:
    """What a collector may chase. Excludes money under open dispute; never below zero."""
    # A dispute can exceed what is open after a partial credit memo.
    return max(open_amount - disputed, ZERO)


def credit_used_percent(open_amount: Decimal, credit_limit: Decimal) -> Decimal | None:
    """Open amount as a percentage of the credit limit, one decimal; None when there is no limit."""
    if credit_limit <= 0:
        return None
    return (open_amount * 100 / credit_limit).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Settlement:
    """Money that settled an invoice: when the customer paid it, when it was due, and how much."""

    paid_on: date
    due_on: date
    amount: Decimal


def average_days_late(settlements: Iterable[Settlement]) -> Decimal | None:
    """Days paid after the due date, averaged and weighted by amount; None when nothing was paid.

    A payment on or before the due date counts as 0 days late (not as negative days), so early
    payers do not hide late ones. Entries with no positive amount are ignored.
    """
    weighted = ZERO
    total = ZERO
    for item in settlements:
        if item.amount <= 0:
            continue
        late = max((item.paid_on - item.due_on).days, 0)
        weighted += item.amount * late
        total += item.amount
    if total == 0:
        return None
    return (weighted / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
