"""Reads of the ledger shared by pages, API, reports and `ardesk ledger verify`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Round

from ardesk.errors import DomainError, ErrorCode
from ardesk.identity.scoping import customer_filter
from ardesk.ledger.models import Application, CreditMemo, FxRate, Invoice, Payment, WriteOff
from ardesk.money import DECIMAL_PLACES, MAX_DIGITS, quantum

_MONEY = DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
ZERO = Decimal(0)


class NoFxRate(DomainError):
    code = ErrorCode.NO_FX_RATE

    def __init__(self, currency: str, on: date) -> None:
        super().__init__(f"no FX rate for {currency} on or before {on}", field="currency")


def fx_rate(currency: str, on: date, company_currency: str) -> Decimal:
    """The latest rate on or before `on`; 1 for the company currency itself."""
    if currency == company_currency:
        return Decimal(1)
    rate = (FxRate.objects.filter(currency=currency, rate_date__lte=on)
            .order_by("-rate_date").values_list("rate", flat=True).first())
    if rate is None:
        raise NoFxRate(currency, on)
    return rate


def _sum_of(model: type, fk: str, outer: str = "pk", **filters: object) -> Coalesce:
    sub = (model.objects.filter(**{fk: OuterRef(outer)}, **filters)  # type: ignore[attr-defined]
           .order_by().values(fk).annotate(total=Sum("amount")).values("total"))
    return Coalesce(Subquery(sub, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def open_amount_as_of(on: date) -> dict[str, Coalesce]:
    """Annotations that rebuild applied and written-off sums from entries dated on or before `on`."""
    return {
        "applied_as_of": _sum_of(Application, "invoice", applied_on__lte=on),
        "written_off_as_of": _sum_of(WriteOff, "invoice", written_off_on__lte=on),
    }


@dataclass(frozen=True)
class CacheMismatch:
    kind: str
    number: str
    cached: Decimal
    computed: Decimal
    currency: str = ""

    def __str__(self) -> str:
        return (f"{self.kind} {self.number} ({self.currency}): "
                f"cached {self._shown(self.cached)}, entries say {self._shown(self.computed)}")

    def _shown(self, value: Decimal) -> Decimal:
        """The amount at the currency's minor unit, unless a corrupted cache holds finer digits: then all of them."""
        if not self.currency:
            return value
        at_minor = value.quantize(quantum(self.currency))
        return at_minor if at_minor == value else value


def _stored(computed: Combinable) -> Round:
    """A sum of entries as a money column would hold it.

    PostgreSQL adds NUMERIC exactly; SQLite adds in binary floating point (0.852 - 0.46 = 0.39199999999999996),
    so the sum is rounded to the stored scale before it is compared with a cache.
    """
    return Round(computed, DECIMAL_PLACES, output_field=_MONEY)


def _exact(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-DECIMAL_PLACES))


def invoice_cache_mismatches() -> QuerySet[Invoice]:
    return (Invoice.objects.annotate(applied=_sum_of(Application, "invoice"),
                                     written_off=_sum_of(WriteOff, "invoice"))
            .exclude(open_amount=_stored(F("amount") - F("erp_settled_amount") - F("applied") - F("written_off"))))


def cache_mismatches() -> list[CacheMismatch]:
    """Every cached balance that disagrees with the entries behind it (empty when the ledger is sound)."""
    found: list[CacheMismatch] = []
    for inv in invoice_cache_mismatches():
        computed = inv.amount - inv.erp_settled_amount - inv.applied - inv.written_off  # type: ignore[attr-defined]
        found.append(CacheMismatch("invoice", inv.number, inv.open_amount, _exact(computed), inv.currency))
    for model, kind in ((Payment, "payment"), (CreditMemo, "credit memo")):
        fk = "payment" if model is Payment else "credit_memo"
        rows = model.objects.annotate(applied=_sum_of(Application, fk)).filter(
            ~Q(unapplied_amount=_stored(F("amount") - F("applied"))))
        for row in rows:
            found.append(CacheMismatch(kind, row.number, row.unapplied_amount, _exact(row.amount - row.applied),
                                       row.currency))
    return found


# --- Reads for the desk's pages (account, invoice, home pages) -------------------------------------


def open_invoices_of(customer_ids: list[int]) -> QuerySet[Invoice]:
    """Open items of these customers, oldest due first (served by the partial index on open invoices)."""
    return (Invoice.objects.filter(customer_id__in=customer_ids, open_amount__gt=0)
            .select_related("customer").order_by("due_date", "pk"))


def payments_of(customer_ids: list[int]) -> QuerySet[Payment]:
    """Payments, newest first, each with its applications (reversals included) and their invoices."""
    applications = Application.objects.select_related("invoice", "reverses").order_by("applied_on", "pk")
    return (Payment.objects.filter(customer_id__in=customer_ids).select_related("customer")
            .prefetch_related(Prefetch("applications", queryset=applications))
            .order_by("-received_on", "-pk"))


def credit_memos_of(customer_ids: list[int]) -> QuerySet[CreditMemo]:
    applications = Application.objects.select_related("invoice").order_by("applied_on", "pk")
    return (CreditMemo.objects.filter(customer_id__in=customer_ids).select_related("customer", "invoice")
            .prefetch_related(Prefetch("applications", queryset=applications))
            .order_by("-issue_date", "-pk"))


def write_offs_of(customer_ids: list[int]) -> QuerySet[WriteOff]:
    return (WriteOff.objects.filter(invoice__customer_id__in=customer_ids)
            .select_related("invoice", "invoice__customer", "created_by").order_by("-written_off_on", "-pk"))


@dataclass(frozen=True)
class UnappliedTotal:
    currency: str
    payments: Decimal
    payment_count: int
    credit_memos: Decimal
    credit_memo_count: int


def _unapplied(payments: QuerySet[Payment], memos: QuerySet[CreditMemo]) -> list[UnappliedTotal]:
    by_currency: dict[str, list] = {}
    for row in (payments.filter(unapplied_amount__gt=0).values("currency")
                .annotate(total=Sum("unapplied_amount"), n=Count("pk")).order_by()):
        by_currency.setdefault(row["currency"], [ZERO, 0, ZERO, 0])[0:2] = [row["total"], row["n"]]
    for row in (memos.filter(unapplied_amount__gt=0).values("currency")
                .annotate(total=Sum("unapplied_amount"), n=Count("pk")).order_by()):
        by_currency.setdefault(row["currency"], [ZERO, 0, ZERO, 0])[2:4] = [row["total"], row["n"]]
    return [UnappliedTotal(cur, *values) for cur, values in sorted(by_currency.items())]


def unapplied_of(customer_ids: list[int]) -> list[UnappliedTotal]:
    """On-account cash (payments) and unused credit memos of these customers, per currency."""
    return _unapplied(Payment.objects.filter(customer_id__in=customer_ids),
                      CreditMemo.objects.filter(customer_id__in=customer_ids))


def unapplied_for(user: object) -> list[UnappliedTotal]:
    """On-account cash and unused credit memos of every customer the user may see, per currency."""
    scope = customer_filter(user, prefix="customer__")
    return _unapplied(Payment.objects.filter(scope), CreditMemo.objects.filter(scope))


def recent_payments(user: object, limit: int = 15) -> QuerySet[Payment]:
    """The payments recorded last (newest id first: the primary key answers without sorting them all)."""
    return (Payment.objects.filter(customer_filter(user, prefix="customer__")).select_related("customer")
            .order_by("-pk")[:limit])


def most_disputed_invoices(user: object, limit: int = 15) -> QuerySet[Invoice]:
    """Open invoices with money in dispute, largest disputed amount first."""
    return (Invoice.objects.filter(customer_filter(user, prefix="customer__"), open_amount__gt=0,
                                   disputed_amount__gt=0)
            .select_related("customer").order_by("-disputed_amount", "due_date", "pk")[:limit])


def settlements_since(customer_ids: list[int], since: date) -> list[tuple[date, date, Decimal]]:
    """(paid on, due on, amount) of payment applications to these customers' invoices paid since `since`.

    Reversed applications and their reversals are left out: that money did not settle anything.
    """
    return list(Application.objects.filter(
        invoice__customer_id__in=customer_ids, payment__isnull=False, reverses__isnull=True,
        reversed_by__isnull=True, payment__received_on__gte=since,
    ).values_list("payment__received_on", "invoice__due_date", "amount"))


def applications_of_invoice(invoice: Invoice) -> QuerySet[Application]:
    """Every application to the invoice, reversals included, in booking order."""
    return (Application.objects.filter(invoice=invoice)
            .select_related("payment", "credit_memo", "reverses", "created_by").order_by("applied_on", "pk"))


def write_offs_of_invoice(invoice: Invoice) -> QuerySet[WriteOff]:
    return WriteOff.objects.filter(invoice=invoice).select_related("reverses", "created_by").order_by(
        "written_off_on", "pk")


def credit_memos_of_invoice(invoice: Invoice) -> QuerySet[CreditMemo]:
    """Credit memos raised against the invoice or applied to it."""
    return (CreditMemo.objects.filter(Q(invoice=invoice) | Q(applications__invoice=invoice))
            .distinct().order_by("issue_date", "pk"))


def latest_fx_rates(on: date) -> dict[str, Decimal]:
    """Each currency's latest rate on or before `on`, in units of the company currency (two small queries)."""
    latest = (FxRate.objects.filter(rate_date__lte=on).values("currency")
              .annotate(last=Max("rate_date")).order_by())
    pairs = Q(pk__in=[])
    for row in latest:
        pairs |= Q(currency=row["currency"], rate_date=row["last"])
    return dict(FxRate.objects.filter(pairs).values_list("currency", "rate"))
