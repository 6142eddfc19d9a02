"""The demo company's customers: groups, countries, segments, behaviours, contacts. Pure.

`plan_groups` decides, for the whole load, how customers form groups and how
many invoices each gets (a long tail: a few large accounts, many small ones).
`fill_group` then makes one group's customers and contacts from the group's
own random stream. The first customers cycle through every country and every
behaviour, so even a tiny demo shows all of them.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from ardesk.demo.behaviours import WEIGHTS, Behaviour
from ardesk.demo.context import DemoContext, at
from ardesk.demo.names import COUNTRIES, FIRST_NAMES, LAST_NAMES, SALES_REPS, STEMS, TRADES, Country
from ardesk.demo.people import team_for_country
from ardesk.demo.plan import DemoPlan, rng
from ardesk.demo.records import CustomerRec, GroupBook

# Countries in the order the first customers take them: every currency comes early.
_FIRST_COUNTRIES = ("DE", "US", "GB", "JP", "CH", "SE", "FR", "NL", "ES", "IT", "AT", "BE", "IE")
_BY_CODE = {c.code: c for c in COUNTRIES}
COVERAGE = len(_FIRST_COUNTRIES)  # the first customers, who are never grouped and get several invoices
_COVERAGE_MIN_INVOICES = 6
SEGMENTS = ("enterprise", "mid-market", "small business", "public sector", "distributor")
_RISK = {Behaviour.PROMPT: "A", Behaviour.LATE: "B", Behaviour.PARTIAL: "B", Behaviour.SHORT: "B",
         Behaviour.DISPUTER: "C", Behaviour.BAD_DEBT: "D"}
# Credit limits in EUR, scaled into the customer's currency.
_CREDIT_LIMIT = {"enterprise": 500_000, "mid-market": 100_000, "small business": 20_000, "public sector": 250_000,
                 "distributor": 150_000}
CURRENCY_SCALE = {"EUR": Decimal(1), "USD": Decimal("1.08"), "GBP": Decimal("0.85"), "JPY": Decimal(162),
                  "CHF": Decimal("0.96"), "SEK": Decimal("11.4")}


@dataclass(frozen=True)
class GroupPlan:
    index: int
    first: int  # the load-wide index of its first customer (the parent, in a group of several)
    invoice_counts: tuple[int, ...]  # per member


def plan_groups(plan: DemoPlan) -> list[GroupPlan]:
    r = rng(plan.seed, "groups")
    sizes: list[int] = []
    remaining = plan.customers
    while remaining:
        placed = plan.customers - remaining
        if placed < COVERAGE:
            size = 1
        elif placed == COVERAGE and remaining >= 3:
            size = 3  # one group is always there: a parent paying for two subsidiaries
        else:
            size = min(remaining, r.randint(3, 6)) if remaining >= 3 and r.random() < 0.025 else 1
        sizes.append(size)
        remaining -= size
    counts = allocate_invoices(plan, r)
    groups: list[GroupPlan] = []
    first = 0
    for index, size in enumerate(sizes):
        groups.append(GroupPlan(index, first, tuple(counts[first:first + size])))
        first += size
    return groups


def allocate_invoices(plan: DemoPlan, r: random.Random) -> list[int]:
    """Invoices per customer: a minimum each, the rest by a capped Pareto weight; adds up to exactly the plan's."""
    n, total = plan.customers, plan.invoices
    base = 2 if total >= 2 * n else 1
    minimum = [base] * n
    if total >= base * n + COVERAGE * _COVERAGE_MIN_INVOICES:
        for i in range(min(COVERAGE, n)):
            minimum[i] = _COVERAGE_MIN_INVOICES
    weights = [min(int(r.paretovariate(1.1) * 1000), 1_000_000) for _ in range(n)]
    rest = total - sum(minimum)
    whole = sum(weights)
    counts = [m + rest * w // whole for m, w in zip(minimum, weights, strict=True)]
    leftover = total - sum(counts)
    by_remainder = sorted(range(n), key=lambda i: (-(rest * weights[i] % whole), i))
    for i in by_remainder[:leftover]:
        counts[i] += 1
    return counts


def _country(r: random.Random, index: int) -> Country:
    if index < COVERAGE:
        return _BY_CODE[_FIRST_COUNTRIES[index]]
    return r.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]


def _behaviour(r: random.Random, index: int) -> Behaviour:
    order = list(WEIGHTS)
    if index < len(order):
        return order[index]
    return r.choices(order, weights=list(WEIGHTS.values()))[0]


def _segment(r: random.Random, invoice_count: int, mean: float) -> str:
    if invoice_count > 2 * mean:
        return r.choice(("enterprise", "enterprise", "distributor", "public sector"))
    if invoice_count > mean:
        return r.choice(("mid-market", "mid-market", "distributor", "public sector"))
    return r.choice(("small business", "small business", "mid-market"))


def _slug(text: str) -> str:
    """"Köln Café" -> "koln-cafe": ASCII for e-mail addresses."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def fill_group(ctx: DemoContext, book: GroupBook, group: GroupPlan) -> None:
    """Make the group's customers (parent first) and their contacts."""
    plan = ctx.plan
    r = rng(plan.seed, "customers", group.index)
    mean = plan.invoices / plan.customers
    parent: CustomerRec | None = None
    for k, count in enumerate(group.invoice_counts):
        index = group.first + k
        country = _country(r, index)
        if parent is not None and (group.index == COVERAGE or r.random() < 0.7):
            country = _BY_CODE[parent.country]
        customer = _customer(ctx, r, index, country, count, mean, parent)
        book.customers.append(customer)
        book.contacts.extend(_contacts(ctx, r, customer))
        if len(group.invoice_counts) > 1 and parent is None:
            parent = customer
    if parent is not None:
        for child in book.customers[1:]:
            # A parent pays for a subsidiary in its own currency (always in the first group, else mostly).
            if child.currency == parent.currency and (group.index == COVERAGE or r.random() < 0.6):
                child.payer_id = parent.id
                child.behaviour = parent.behaviour
                child.run_weekday, child.run_day = parent.run_weekday, parent.run_day


def _customer(ctx: DemoContext, r: random.Random, index: int, country: Country, count: int, mean: float,
              parent: CustomerRec | None) -> CustomerRec:
    plan, staffing = ctx.plan, ctx.staffing
    pk = ctx.ids.take("customers.customer")
    behaviour = _behaviour(r, index)
    segment = _segment(r, count, mean)
    if parent is not None:
        name = f"{parent.name.removesuffix(' Holding')} {country.word}"
        team_key = team_for_country(parent.country)
        team_id, collector_id = parent.team_id, parent.collector_id
    else:
        style = r.random()
        if style < 0.4:
            name = f"{r.choice(STEMS)} {r.choice(TRADES)}"
        elif style < 0.7:
            name = f"{r.choice(LAST_NAMES)} {r.choice(TRADES)}"
        else:
            name = f"{r.choice(STEMS)} {r.choice(TRADES)} {r.choice(country.cities)}"
        team_key = team_for_country(country.code)
        team_id = staffing.teams.get(team_key)
        collectors = staffing.collectors.get(team_key, ())
        collector_id = collectors[r.randrange(len(collectors))] if collectors else None
    scale = CURRENCY_SCALE[country.currency]
    limit = (Decimal(_CREDIT_LIMIT[segment]) * scale / 1000).to_integral_value() * 1000
    terms = 60 if country.code == "JP" else r.choice((14, 30, 30, 30, 45, 60) if segment != "small business"
                                                      else (14, 14, 30, 30))
    return CustomerRec(
        id=pk, number=f"CU{index + 1:06d}", name=name, legal_name=f"{name} {r.choice(country.suffixes)}",
        parent_id=parent.id if parent else None, country=country.code, currency=country.currency,
        language=country.language, time_zone=country.time_zone, payment_terms_days=terms, credit_limit=limit,
        segment=segment, risk_class=_RISK[behaviour], collector_id=collector_id, team_id=team_id,
        do_not_contact=behaviour is Behaviour.BAD_DEBT and r.random() < 0.3,
        created_at=at(plan.start - timedelta(days=r.randint(30, 2000))),
        behaviour=behaviour, payer_id=pk, invoice_count=count, tax_rate=country.tax_rate,
        price_adjust=r.randint(-12, 5) if segment == "enterprise" else r.randint(-5, 8),
        run_weekday=r.randint(0, 4), run_day=r.choice((5, 10, 15, 20, 25, 28)),
        sales_rep=r.choice(SALES_REPS),
    )


def _contacts(ctx: DemoContext, r: random.Random, customer: CustomerRec) -> list[tuple[object, ...]]:
    domain = f"{_slug(customer.name)}.example"
    country = _BY_CODE[customer.country]
    created = customer.created_at
    people = [("billing", True), ("accounts_payable", False)]
    if r.random() < 0.35:
        people.append(("purchasing", False))
    if customer.segment == "enterprise" and r.random() < 0.5:
        people.append(("management", False))
    rows: list[tuple[object, ...]] = []
    used: set[str] = set()
    for role, primary in people:
        if role == "accounts_payable" and r.random() < 0.6:
            name, email = "Accounts Payable", f"ap@{domain}"
        else:
            first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
            name, email = f"{first} {last}", f"{_slug(first)}.{_slug(last)}@{domain}"
        if email in used:
            continue
        used.add(email)
        phone = f"{country.phone} {r.randint(10, 99)} {r.randint(1_000_000, 9_999_999)}"
        channel = "phone" if r.random() < 0.15 else ("letter" if customer.do_not_contact else "email")
        rows.append((ctx.ids.take("customers.contact"), customer.id, name, email, phone, role, channel, primary,
                     created, created))
    return rows
