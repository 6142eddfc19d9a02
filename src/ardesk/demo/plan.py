"""What one demo load makes: how many customers and invoices, from which seed, up to which day. Pure.

Everything random in the demo flows from `rng(seed, *names)`: a stream named
after what it generates (and, per customer group, the group's index), so the
same seed gives the same company however the work is chunked.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date

from ardesk.errors import DomainError

DEFAULT_SEED = 2026
HISTORY_MONTHS = 18
DEMO_CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF", "SEK")
# size name: (customers, invoices)
SIZES: dict[str, tuple[int, int]] = {
    "small": (200, 8_000),
    "medium": (5_000, 100_000),
    "large": (100_000, 1_000_000),
}
MAX_INVOICES = 20_000_000


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    customers: int
    invoices: int
    today: date
    company_currency: str = "EUR"

    @property
    def start(self) -> date:
        """The first day of the history: 18 months before `today`."""
        return months_before(self.today, HISTORY_MONTHS)


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def default_customers(invoices: int) -> int:
    """About ten invoices per customer (the 1M-invoice benchmark has 100,000 customers), at least 12 if the
    invoices go round."""
    return min(invoices, max(12, invoices // 10))


def plan_for(
    *, size: str | None, invoices: int | None, customers: int | None, seed: int, today: date,
    company_currency: str,
) -> DemoPlan:
    """A checked plan from the command's options: a named size, or an invoice count (and optionally customers)."""
    if size is not None and invoices is not None:
        raise DomainError("give either a size or a number of invoices, not both", field="invoices")
    if invoices is None:
        preset_customers, invoices = SIZES.get(size or "small", (0, 0))
        if not invoices:
            raise DomainError(f"unknown size {size!r}: choose one of {', '.join(SIZES)}", field="size")
        customers = customers or preset_customers
    if invoices < 1 or invoices > MAX_INVOICES:
        raise DomainError(f"the number of invoices must be between 1 and {MAX_INVOICES:,}", field="invoices")
    customers = customers or default_customers(invoices)
    if customers < 1 or customers > invoices:
        raise DomainError("the number of customers must be between 1 and the number of invoices", field="customers")
    currency = company_currency.strip().upper()
    if currency not in DEMO_CURRENCIES:
        raise DomainError(f"the demo company keeps its books in one of {', '.join(DEMO_CURRENCIES)}, "
                          f"not {currency}", field="company_currency")
    return DemoPlan(seed=seed, customers=customers, invoices=invoices, today=today, company_currency=currency)


def rng(seed: int, *names: object) -> random.Random:
    """A random stream of its own for one part of the demo (string seeds hash the same in every process)."""
    return random.Random(":".join(str(part) for part in (seed, *names)))
