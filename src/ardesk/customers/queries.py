"""Reads of customers for pages, the API and reports: the searchable list and its figures, groups.

Every function takes the user and narrows through ardesk.identity.scoping, so a caller cannot
forget the scope. Figures are per currency: amounts in different currencies are never added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from ardesk.customers.models import Contact, Customer
from ardesk.identity.models import User
from ardesk.identity.scoping import visible_customers
from ardesk.ledger.models import Invoice
from ardesk.ledger.queries import latest_fx_rates
from ardesk.money import DECIMAL_PLACES, MAX_DIGITS

ZERO = Decimal(0)
_MONEY = DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
SORT_KEYS = ("number", "name", "open", "overdue")
UNASSIGNED = 0  # collector filter value for customers without a collector
MAX_GROUP_DEPTH = 20


@dataclass(frozen=True)
class CustomerQuery:
    """What the customer list asks for. `text` is already cleaned (see web.figures.clean_search_text)."""

    text: str = ""
    collector_id: int | None = None  # UNASSIGNED for customers without a collector
    segment: str = ""
    country: str = ""
    overdue_only: bool = False
    disputed_only: bool = False
    sort: str = "number"  # a SORT_KEYS entry, "-" in front for descending


def open_invoices() -> QuerySet[Invoice]:
    # `open_amount > 0` is the predicate of the partial index insights_open_invoice_aging_idx.
    return Invoice.objects.filter(open_amount__gt=0)


def company_rates(as_of: date) -> dict[str, Decimal]:
    """Latest rate of each foreign currency on `as_of`, in units of the company currency."""
    company = settings.ARDESK_COMPANY_CURRENCY
    return {cur: rate for cur, rate in latest_fx_rates(as_of).items() if cur != company}


def in_company_currency(amount: Any, *, currency_field: str, as_of: date) -> Any:
    """`amount` converted at each currency's latest rate, for ranking accounts in different currencies.

    The rates come from one small query and are inlined as a CASE, so ranking costs no join. A currency
    without a rate is ranked by its raw amount (rate 1): better a rough place than a hidden account.
    """
    rates = company_rates(as_of)
    if not rates:
        return amount
    rate = Case(*[When(**{currency_field: cur}, then=Value(r)) for cur, r in sorted(rates.items())],
                default=Value(Decimal(1)), output_field=DecimalField(max_digits=20, decimal_places=10))
    return amount * rate


def _text_filter(text: str) -> Q:
    """Customer number or name containing the text, or an invoice / PO number equal to it.

    `icontains` escapes %, _ and backslash, so they match literally. Document numbers match whole
    (as typed or upper-cased) so the unique and PO indexes answer without scanning invoices.
    """
    variants = sorted({text, text.upper()})
    documents = Invoice.objects.filter(Q(number__in=variants) | Q(po_number__in=variants)).values("customer_id")
    return Q(number__icontains=text) | Q(name__icontains=text) | Q(pk__in=documents)


def search_customers(user: Any, query: CustomerQuery, *, as_of: date) -> QuerySet[Customer]:
    """The customers the user may see that match the query, unordered and without figures."""
    qs = visible_customers(user)
    if query.text:
        qs = qs.filter(_text_filter(query.text))
    if query.collector_id == UNASSIGNED:
        qs = qs.filter(collector__isnull=True)
    elif query.collector_id is not None:
        qs = qs.filter(collector_id=query.collector_id)
    if query.segment:
        qs = qs.filter(segment=query.segment)
    if query.country:
        qs = qs.filter(country=query.country)
    if query.overdue_only:
        qs = qs.filter(Exists(open_invoices().filter(customer=OuterRef("pk"), due_date__lt=as_of)))
    if query.disputed_only:
        qs = qs.filter(Exists(open_invoices().filter(customer=OuterRef("pk"), disputed_amount__gt=0)))
    return qs


@dataclass
class CurrencyFigures:
    """One customer's (or portfolio's) open items in one currency."""

    currency: str
    open: Decimal = ZERO
    overdue: Decimal = ZERO
    disputed: Decimal = ZERO
    collectible: Decimal = ZERO
    open_items: int = 0
    oldest_due: date | None = None


@dataclass
class CustomerRow:
    customer: Customer
    figures: list[CurrencyFigures] = field(default_factory=list)

    @property
    def is_overdue(self) -> bool:
        return any(f.overdue > 0 for f in self.figures)

    @property
    def is_disputed(self) -> bool:
        return any(f.disputed > 0 for f in self.figures)


def figure_annotations(as_of: date) -> dict[str, Any]:
    """Sums over open invoices. Collectible is open less what is disputed (never below zero per
    invoice); the subtraction runs only on the few disputed invoices, not on every open one."""
    under_dispute = Least(F("disputed_amount"), F("open_amount"), output_field=_MONEY)
    return {
        "open": Sum("open_amount"),
        "overdue": Coalesce(Sum("open_amount", filter=Q(due_date__lt=as_of)), Value(ZERO), output_field=_MONEY),
        "disputed": Sum("disputed_amount"),
        "collectible": Sum("open_amount") - Coalesce(Sum(under_dispute, filter=Q(disputed_amount__gt=0)),
                                                     Value(ZERO), output_field=_MONEY),
        "open_items": Count("*"),  # not the id: then the covering open-invoice index alone answers
        "oldest_due": Min("due_date"),
    }


def figures_from(row: Mapping[str, Any]) -> CurrencyFigures:
    return CurrencyFigures(
        currency=row["currency"], open=row["open"], overdue=row["overdue"], disputed=row["disputed"],
        collectible=row["collectible"], open_items=row["open_items"], oldest_due=row["oldest_due"],
    )


def figures_by_customer(customer_ids: Sequence[int], *, as_of: date) -> dict[int, list[CurrencyFigures]]:
    """Open, overdue, disputed and collectible per customer and currency, in one query for the ids given.

    Call it with one page of customers: it reads only their open invoices (the partial index).
    """
    if not customer_ids:
        return {}
    rows = (open_invoices().filter(customer_id__in=list(customer_ids))
            .values("customer_id", "currency").annotate(**figure_annotations(as_of)).order_by())
    result: dict[int, list[CurrencyFigures]] = defaultdict(list)
    for row in rows:
        result[row["customer_id"]].append(figures_from(row))
    for figures in result.values():
        figures.sort(key=lambda f: f.currency)
    return result


def customer_rows(customers: Iterable[Customer], *, as_of: date) -> list[CustomerRow]:
    customers = list(customers)
    figures = figures_by_customer([c.pk for c in customers], as_of=as_of)
    return [CustomerRow(customer=c, figures=figures.get(c.pk, [])) for c in customers]


def totals_for(customer_ids: Sequence[int], *, as_of: date) -> list[CurrencyFigures]:
    """Figures of several customers added up per currency (an account and its group)."""
    rows = (open_invoices().filter(customer_id__in=list(customer_ids))
            .values("currency").annotate(**figure_annotations(as_of)).order_by("currency"))
    return [figures_from(row) for row in rows]


@dataclass(frozen=True)
class FilterChoices:
    collectors: list[tuple[int, str]]
    segments: list[str]
    countries: list[str]


CHOICES_CACHE_SECONDS = 600


def filter_choices(user: Any) -> FilterChoices:
    """Collectors, segments and countries among the customers the user may see, for the list's filters.

    Reading them means scanning every visible customer, so they are cached per user for ten minutes:
    a new segment shows up in the menu a little late, the list itself is never stale.
    """
    key = f"ardesk:customer-filter-choices:{user.pk}:{user.role}:{settings.ARDESK_SEE_ALL_CUSTOMERS}"
    cached = cache.get(key)
    if isinstance(cached, FilterChoices):
        return cached
    visible = visible_customers(user)
    ids = visible.filter(collector__isnull=False).values("collector_id")
    collectors = [(u.pk, u.get_full_name() or u.username)
                  for u in User.objects.filter(pk__in=ids).order_by("username")]
    # GROUP BY (a hash) instead of DISTINCT … ORDER BY (a sort of every row); the few values sort here.
    segments = sorted(row["segment"] for row in
                      visible.exclude(segment="").values("segment").annotate(n=Count("pk")).order_by())
    countries = sorted(row["country"] for row in
                       visible.exclude(country="").values("country").annotate(n=Count("pk")).order_by())
    choices = FilterChoices(collectors, segments, countries)
    cache.set(key, choices, CHOICES_CACHE_SECONDS)
    return choices


def visible_descendants(user: Any, customer: Customer) -> list[Customer]:
    """The customer's subsidiaries at every level that the user may also see (for a group roll-up).

    Subsidiaries outside the user's scope are left out: a roll-up must not reveal them.
    """
    found: list[Customer] = []
    seen = {customer.pk}
    frontier = [customer.pk]
    for _ in range(MAX_GROUP_DEPTH):
        if not frontier:
            break
        children = list(Customer.objects.filter(parent_id__in=frontier).exclude(pk__in=seen).order_by("number"))
        seen.update(c.pk for c in children)
        frontier = [c.pk for c in children]
        found.extend(children)
    visible = set(visible_customers(user).filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True))
    return [c for c in found if c.pk in visible]


def has_children(customer: Customer) -> bool:
    return Customer.objects.filter(parent=customer).exists()


def contacts_of(customers: Sequence[Customer]) -> QuerySet[Contact]:
    return Contact.objects.filter(customer__in=list(customers)).select_related("customer").order_by(
        "customer__number", "-is_primary", "name")


def collector_choices(user: Any) -> list[tuple[int, str]]:
    """(id, name) of collectors owning customers the user may see (cached, see filter_choices)."""
    return filter_choices(user).collectors


def segment_choices(user: Any) -> list[str]:
    return filter_choices(user).segments


def country_choices(user: Any) -> list[str]:
    return filter_choices(user).countries
