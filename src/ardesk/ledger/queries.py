"""Reads of the ledger shared by pages, API, reports and `ardesk ledger verify`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ardesk.errors import DomainError, ErrorCode
from ardesk.ledger.models import Application, CreditMemo, FxRate, Invoice, Payment, WriteOff
from ardesk.money import DECIMAL_PLACES, MAX_DIGITS

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

    def __str__(self) -> str:
        return f"{self.kind} {self.number}: cached {self.cached}, entries say {self.computed}"


def invoice_cache_mismatches() -> QuerySet[Invoice]:
    return (Invoice.objects.annotate(applied=_sum_of(Application, "invoice"),
                                     written_off=_sum_of(WriteOff, "invoice"))
            .exclude(open_amount=F("amount") - F("erp_settled_amount") - F("applied") - F("written_off")))


def cache_mismatches() -> list[CacheMismatch]:
    """Every cached balance that disagrees with the entries behind it (empty when the ledger is sound)."""
    found: list[CacheMismatch] = []
    for inv in invoice_cache_mismatches():
        computed = inv.amount - inv.erp_settled_amount - inv.applied - inv.written_off  # type: ignore[attr-defined]
        found.append(CacheMismatch("invoice", inv.number, inv.open_amount, computed))
    for model, kind in ((Payment, "payment"), (CreditMemo, "credit memo")):
        fk = "payment" if model is Payment else "credit_memo"
        rows = model.objects.annotate(applied=_sum_of(Application, fk)).filter(  # type: ignore[attr-defined]
            ~Q(unapplied_amount=F("amount") - F("applied")))
        for row in rows:
            found.append(CacheMismatch(kind, row.number, row.unapplied_amount, row.amount - row.applied))
    return found

