"""The catalogues the migration seeds, and the invariants the tables hold even past the services."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from ardesk.disputes import services
from ardesk.disputes.models import Dispute, DisputeItem, Kind, ReasonCode, RootCause, Task
from ardesk.ledger import services as ledger
from ardesk.ledger.models import WriteOff
from ardesk.ledger.queries import NoFxRate
from tests.factories import CustomerFactory, DisputeFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
D = Decimal
_seed = importlib.import_module("ardesk.disputes.migrations.0002_seed_catalogues")


def test_the_catalogues_hold_the_reasons_and_root_causes_a_company_starts_from():
    assert list(ReasonCode.objects.values_list("code", flat=True)) == [
        "pricing", "quantity_short", "damaged_goods", "not_received", "returned_goods", "duplicate_billing", "tax",
        "promotion", "service_quality", "po_mismatch", "unauthorised_deduction", "other"]
    assert list(RootCause.objects.values_list("code", flat=True)) == [
        "pricing_error", "shipping_error", "order_entry", "product_quality", "customer_error", "contract_terms",
        "other"]
    assert ReasonCode.objects.get(code="promotion").label == "Promotion / trade allowance"
    assert "charged twice" in ReasonCode.objects.get(code="duplicate_billing").keyword_list


def test_seeding_again_changes_nothing_and_keeps_a_companys_own_codes():
    ReasonCode.objects.create(code="freight", label="Freight", default_department="logistics", sla_days=10)
    _seed.seed(apps, None)
    assert ReasonCode.objects.count() == 13 and RootCause.objects.count() == 7


def _rejects(**changes: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputeFactory(**changes)


def test_the_dispute_table_refuses_impossible_rows():
    _rejects(amount=D("0"))
    _rejects(accepted_amount=D("10.01"))  # more than the 10.00 disputed
    _rejects(status="in_review", outcome="accepted")  # an outcome before resolution
    _rejects(status="resolved", outcome="")  # a resolution without outcome
    _rejects(status="closed", outcome="rejected")  # closed without root cause
    _rejects(kind=Kind.DEDUCTION)  # a deduction without its payment
    _rejects(suggestion_confidence=D("1.5"))


def test_an_item_cannot_grant_more_than_it_disputes():
    dispute = DisputeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputeItem.objects.create(dispute=dispute, invoice=InvoiceFactory(), amount=D("5"), accepted_amount=D("6"))


def test_a_task_is_done_exactly_when_it_has_a_done_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(dispute=DisputeFactory(), title="x", department="sales", done=True)


def test_a_foreign_write_off_is_measured_against_the_limit_in_the_company_currency(analyst, pricing):
    # given an analyst who may write off 100 EUR, and a USD dispute of 105
    customer = CustomerFactory(currency="USD")
    invoice = InvoiceFactory(customer=customer, amount=D("500.00"), issue_date=date(2026, 10, 1))
    dispute = services.raise_dispute(customer=customer, kind=Kind.INVOICE, reason_code=pricing, by=analyst,
                                     items=[services.ItemInput(invoice=invoice, amount=D("105.00"))])
    services.change_status(dispute=dispute, to="in_review", by=analyst)
    # without a rate the limit cannot be judged
    with pytest.raises(NoFxRate):
        services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", on=date(2026, 11, 2),
                         by=analyst)
    # when 1 USD is 0.90 EUR, 105 USD is 94.50 EUR: within the limit, booked at once
    ledger.set_fx_rate(currency="USD", rate_date=date(2026, 11, 1), rate=D("0.90"), by=analyst)
    result = services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", on=date(2026, 11, 2),
                              by=analyst)
    assert not result.pending and WriteOff.objects.get().amount == D("105.00")
    assert Dispute.objects.get().status == "resolved"
