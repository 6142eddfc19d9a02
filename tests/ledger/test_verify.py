"""`ardesk ledger verify`: a cached balance that drifts from its entries is named with both amounts."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ardesk.ledger import services
from ardesk.ledger.queries import CacheMismatch, cache_mismatches
from tests.factories import CreditMemoFactory, CustomerFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def run_verify() -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("ledger", "verify", stdout=out, stderr=err)
    except CommandError as failure:
        return out.getvalue(), err.getvalue(), failure
    return out.getvalue(), err.getvalue(), None


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def sound_ledger(clerk: Any) -> dict[str, Any]:
    """An invoice part paid, part credited and part written off, with one application reversed."""
    customer = CustomerFactory(currency="EUR")
    invoice = InvoiceFactory(customer=customer, number="INV-1", amount=Decimal("500.00"))
    payment = PaymentFactory(customer=customer, number="PAY-1", amount=Decimal("300.00"))
    memo = CreditMemoFactory(customer=customer, number="CM-1", amount=Decimal("50.00"))
    kept = services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("200.00"), by=clerk)
    undone = services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("45.50"), by=clerk)
    services.reverse_application(application=undone, reason="wrong invoice", by=clerk)
    services.apply_credit_memo(credit_memo=memo, invoice=invoice, amount=Decimal("50.00"), by=clerk)
    services.write_off(invoice=invoice, amount=Decimal("0.10"), reason_code="small_balance", by=clerk)
    return {"invoice": invoice, "payment": payment, "memo": memo, "application": kept}


def test_verify_passes_on_a_sound_ledger(sound_ledger: dict[str, Any]) -> None:
    out, err, failure = run_verify()
    assert failure is None, err
    assert "ledger verified" in out
    invoice = sound_ledger["invoice"]
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("249.90")


def test_verify_names_a_corrupted_invoice_and_both_amounts(sound_ledger: dict[str, Any]) -> None:
    # given an open amount changed behind the services' back
    raw("UPDATE ledger_invoice SET open_amount = %s WHERE number = %s", [Decimal("300.00"), "INV-1"])
    # when
    _, err, failure = run_verify()
    # then
    assert failure is not None and "1 mismatch(es)" in str(failure)
    assert err.strip() == "invoice INV-1 (EUR): cached 300.00, entries say 249.90"


def test_verify_names_corrupted_payments_and_credit_memos(sound_ledger: dict[str, Any]) -> None:
    raw("UPDATE ledger_payment SET unapplied_amount = %s WHERE number = %s", [Decimal("99.99"), "PAY-1"])
    raw("UPDATE ledger_creditmemo SET unapplied_amount = %s WHERE number = %s", [Decimal("50.00"), "CM-1"])
    _, err, failure = run_verify()
    assert failure is not None and "2 mismatch(es)" in str(failure)
    assert "payment PAY-1 (EUR): cached 99.99, entries say 100.00" in err
    assert "credit memo CM-1 (EUR): cached 50.00, entries say 0.00" in err


def test_verify_sees_an_entry_deleted_behind_the_ledgers_back(sound_ledger: dict[str, Any]) -> None:
    raw("DELETE FROM ledger_writeoff", [])
    assert cache_mismatches() == [CacheMismatch("invoice", "INV-1", Decimal("249.90"), Decimal("250.00"), "EUR")]


def test_verify_counts_what_the_erp_settled_before_ardesk(clerk: Any) -> None:
    # given an imported invoice the ERP had already part settled
    invoice = InvoiceFactory(amount=Decimal("100.00"), erp_settled_amount=Decimal("30.00"),
                             open_amount=Decimal("70.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("70.00"))
    # when the rest is paid
    services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("70.00"), by=clerk)
    # then
    assert cache_mismatches() == []
    invoice.refresh_from_db()
    assert invoice.open_amount == 0


@pytest.mark.parametrize(("currency", "shown"), [("JPY", "1235"), ("KWD", "1.235")])
def test_amounts_are_shown_at_the_currency_minor_unit(currency: str, shown: str) -> None:
    mismatch = CacheMismatch("invoice", "X", Decimal(shown).quantize(Decimal("0.001")), Decimal(0), currency)
    assert f"cached {shown}, entries say 0" in str(mismatch)
