"""Daily FX rates for the demo currencies over the whole history. Pure.

Each currency walks from a plausible rate against EUR by at most ±0.4 % a day
(integer steps, so no float touches a rate); rates against the company
currency are the cross of two walks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from ardesk.demo.context import DemoContext, at
from ardesk.demo.plan import DEMO_CURRENCIES, rng
from ardesk.demo.records import FX_COLUMNS, Rows

# Euros for one unit of each currency at the start of the history.
EUR_PER_UNIT = {"EUR": Decimal(1), "USD": Decimal("0.9200"), "GBP": Decimal("1.1650"), "JPY": Decimal("0.00615"),
                "CHF": Decimal("1.0450"), "SEK": Decimal("0.0872")}
RATE_PLACES = Decimal("1E-10")


def _walks(seed: int, start: date, days: int) -> dict[str, list[Decimal]]:
    walks: dict[str, list[Decimal]] = {}
    for currency in DEMO_CURRENCIES:
        r = rng(seed, "fx", currency)
        rate = EUR_PER_UNIT[currency]
        series = []
        for _ in range(days):
            series.append(rate)
            if currency != "EUR":
                rate = rate * (10_000 + r.randint(-40, 40)) / 10_000
        walks[currency] = series
    return walks


def daily_rates(seed: int, start: date, today: date, company_currency: str) -> Iterator[tuple[str, date, Decimal]]:
    """(currency, day, units of the company currency for one unit) for every other demo currency and day."""
    days = (today - start).days + 1
    walks = _walks(seed, start, days)
    company = walks[company_currency]
    for currency in DEMO_CURRENCIES:
        if currency == company_currency:
            continue
        for offset, rate in enumerate(walks[currency]):
            yield currency, start + timedelta(days=offset), (rate / company[offset]).quantize(RATE_PLACES)


def rows(ctx: DemoContext) -> Iterator[Rows]:
    plan = ctx.plan
    created = at(plan.start)
    yield Rows("ledger.fxrate", FX_COLUMNS, [
        (currency, day, rate, created)
        for currency, day, rate in daily_rates(plan.seed, plan.start, plan.today, plan.company_currency)
    ], skip_existing=True)
