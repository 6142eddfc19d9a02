"""`ardesk demo load` against the database: a tiny load (300 invoices) and what a user relies on afterwards."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Q

from ardesk.audit.models import AuditEvent
from ardesk.audit.queries import verify_chain
from ardesk.customers.models import Contact, Customer
from ardesk.demo.behaviours import DEDUCTION_REASONS, DISPUTE_REASONS
from ardesk.demo.plan import DEMO_CURRENCIES
from ardesk.disputes.models import Dispute
from ardesk.ledger import services as ledger_services
from ardesk.ledger.models import Application, CreditMemo, FxRate, Invoice, InvoiceLine, Payment, WriteOff
from ardesk.ledger.queries import fx_rate
from tests.demo.conftest import TODAY, tiny_plan
from tests.factories import CustomerFactory, InvoiceFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hasher")]
ZERO = Decimal(0)


def load(seed: int = 2026, invoices: int = 300, **options: object) -> str:
    out = StringIO()
    call_command("demo", "load", invoices=invoices, seed=seed, as_of=TODAY, stdout=out, **options)
    return out.getvalue()


def fingerprint() -> str:
    """The demo's content by natural keys (customer and document numbers), blind to primary keys."""
    parts = [
        Customer.objects.order_by("number").values_list(
            "number", "name", "country", "currency", "segment", "parent__number", "collector__username",
            "team__name", "payment_terms_days", "credit_limit"),
        Contact.objects.order_by("customer__number", "email").values_list("customer__number", "email", "role"),
        Invoice.objects.order_by("number").values_list(
            "number", "customer__number", "issue_date", "due_date", "amount", "tax_amount", "open_amount"),
        InvoiceLine.objects.order_by("invoice__number", "line_no").values_list(
            "invoice__number", "line_no", "sku", "quantity", "unit_price", "tax_amount", "amount"),
        Payment.objects.order_by("number").values_list("number", "customer__number", "received_on", "amount",
                                                       "unapplied_amount", "bank_reference"),
        CreditMemo.objects.order_by("number").values_list("number", "invoice__number", "amount", "unapplied_amount"),
        Application.objects.order_by("invoice__number", "applied_on", "amount", "payment__number").values_list(
            "invoice__number", "payment__number", "credit_memo__number", "amount", "applied_on"),
        WriteOff.objects.order_by("invoice__number", "written_off_on").values_list(
            "invoice__number", "amount", "reason_code", "written_off_on"),
        FxRate.objects.order_by("currency", "rate_date").values_list("currency", "rate_date", "rate"),
    ]
    digest = hashlib.sha256()
    for query in parts:
        for row in query:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_ledger_verify_passes_after_a_load():
    load()
    out = StringIO()
    call_command("ledger", "verify", stdout=out)
    assert "every cached balance matches" in out.getvalue()


def test_every_cached_balance_matches_its_entries_to_the_cent():
    # given
    load()
    # when: the entries are summed in Python, exactly
    applied: Counter[int] = Counter()
    by_source: Counter[tuple[str, int]] = Counter()
    for invoice_id, payment_id, memo_id, amount in Application.objects.values_list(
            "invoice_id", "payment_id", "credit_memo_id", "amount"):
        applied[invoice_id] += amount
        by_source[("payment", payment_id) if payment_id else ("memo", memo_id)] += amount
    for invoice_id, amount in WriteOff.objects.values_list("invoice_id", "amount"):
        applied[invoice_id] += amount
    # then
    invoices = list(Invoice.objects.values_list("id", "amount", "open_amount"))
    assert Invoice.objects.filter(source="demo").count() == 300  # besides the re-bills of live disputes
    assert all(open_ == amount - applied[pk] for pk, amount, open_ in invoices)
    assert all(unapplied == amount - by_source[("payment", pk)]
               for pk, amount, unapplied in Payment.objects.values_list("id", "amount", "unapplied_amount"))
    assert all(unapplied == amount - by_source[("memo", pk)]
               for pk, amount, unapplied in CreditMemo.objects.values_list("id", "amount", "unapplied_amount"))


def test_the_load_has_every_currency_and_a_rate_for_each_on_every_day():
    load()
    plan = tiny_plan(seed=2026)
    assert set(Invoice.objects.values_list("currency", flat=True).distinct()) == set(DEMO_CURRENCIES)
    assert Customer.objects.count() == plan.customers
    days = (TODAY - plan.start).days + 1
    assert FxRate.objects.count() == days * (len(DEMO_CURRENCIES) - 1)
    for currency in DEMO_CURRENCIES:
        assert fx_rate(currency, plan.start, "EUR") > 0
        assert fx_rate(currency, TODAY, "EUR") > 0
    zero_decimal = Invoice.objects.filter(currency="JPY")
    assert zero_decimal.exists() and all(a == a.to_integral_value() for a in zero_decimal.values_list(
        "amount", flat=True))


def test_every_payment_behaviour_leaves_its_mark_in_the_ledger():
    load()
    payment_apps = Application.objects.filter(payment__isnull=False, reverses__isnull=True)
    # prompt payers pay near the due date, habitually late ones long after it
    assert payment_apps.filter(applied_on__lte=F("invoice__due_date") + timedelta(days=7)).exists()
    assert payment_apps.filter(applied_on__gte=F("invoice__due_date") + timedelta(days=30)).exists()
    # partial payers: an invoice paid in several installments
    assert (payment_apps.values("invoice").annotate(n=Count("payment", distinct=True)).filter(n__gt=1).exists())
    # a payment that pays several invoices, and a parent paying for its subsidiary
    assert payment_apps.values("payment").annotate(n=Count("invoice", distinct=True)).filter(n__gt=1).exists()
    assert payment_apps.filter(invoice__customer__parent=F("payment__customer")).exists()
    # short payers' deductions credited or written off; disputes settled by credit memos
    assert CreditMemo.objects.filter(reason__in=DEDUCTION_REASONS).exists()
    assert WriteOff.objects.filter(reason_code="deduction_accepted").exists()
    assert CreditMemo.objects.filter(reason__in=DISPUTE_REASONS, invoice__isnull=False).exists()
    # credit memos applied and not; a few bad debts written off, others long overdue
    assert CreditMemo.objects.filter(unapplied_amount=0).exists()
    assert CreditMemo.objects.filter(unapplied_amount__gt=0).exists()
    assert WriteOff.objects.filter(reason_code="bad_debt").exists()
    assert Invoice.objects.filter(open_amount__gt=0, due_date__lt=TODAY - timedelta(days=90)).exists()
    # on-account cash and a reversal
    assert Payment.objects.filter(unapplied_amount__gt=0).exists()
    assert Application.objects.filter(reverses__isnull=False, amount__lt=0).exists()
    # every customer has a team and a collector of that team
    assert not Customer.objects.filter(Q(team__isnull=True) | Q(collector__isnull=True)).exists()
    assert not Customer.objects.exclude(collector__team=F("team")).exists()


def test_the_same_seed_loads_the_same_data_and_another_seed_other_data():
    # given a load, undone again
    prints = []
    for seed in (2026, 2026, 99):
        with pytest.raises(RuntimeError), transaction.atomic():
            load(seed=seed)
            prints.append(fingerprint())
            raise RuntimeError("roll back")
    # then
    assert prints[0] == prints[1]
    assert prints[2] != prints[0]
    assert not Customer.objects.exists()


def test_if_empty_does_nothing_on_a_loaded_database():
    # given
    load()
    before = (Customer.objects.count(), Invoice.objects.count(), AuditEvent.objects.count())
    # when
    out = load(seed=5, if_empty=True)
    # then
    assert "not loaded" in out
    assert (Customer.objects.count(), Invoice.objects.count(), AuditEvent.objects.count()) == before


def test_if_empty_loads_an_empty_database():
    out = load(if_empty=True)
    assert "demo company loaded" in out
    assert Invoice.objects.filter(source="demo").count() == 300


def test_a_second_load_is_refused_and_changes_nothing():
    load()
    count = Invoice.objects.count()
    with pytest.raises(CommandError, match="already loaded"):
        load(seed=3)
    assert Invoice.objects.count() == count


def test_one_summary_audit_event_for_the_bulk_data_and_the_chain_holds():
    load()
    verbs = Counter(AuditEvent.objects.values_list("verb", flat=True))
    assert verbs["demo.loaded"] == 1
    assert verbs["user.created"] == 11 and verbs["team.created"] == 2 and verbs["mfa.enrolled"] == 3
    assert not {"payment.recorded", "payment.applied"} & set(verbs)
    # the only invoices booked one by one are the re-bills of the live disputes (ardesk.demo.dispute_work)
    assert verbs["invoice.booked"] == Dispute.objects.filter(rebill_invoice__isnull=False).count()
    summary = AuditEvent.objects.get(verb="demo.loaded")
    assert summary.after["rows"]["ledger.invoice"] == 300
    assert "one summary event" in summary.reason
    count, breaks = verify_chain()
    assert breaks == [] and count == sum(verbs.values())


def test_the_demo_loads_beside_existing_data_and_booking_goes_on_afterwards():
    # given a customer and an invoice that were there before
    existing = InvoiceFactory(customer=CustomerFactory(number="ERP-1"))
    # when
    load()
    # then the demo's keys start above them, and a new invoice gets a fresh key
    assert Invoice.objects.filter(rebilled_from__isnull=True).count() == 301  # re-bills of demo disputes aside
    assert Invoice.objects.filter(source="demo").count() == 300
    customer = Customer.objects.get(number="CU000001")
    booked = ledger_services.book_invoice(
        customer=customer, number="INV-NEW-1", issue_date=TODAY, due_date=TODAY + timedelta(days=30),
        currency=customer.currency, amount=Decimal("10.00"), by=UserFactory())
    assert booked.pk > Invoice.objects.exclude(pk=booked.pk).order_by("-pk").first().pk  # type: ignore[union-attr]
    existing.refresh_from_db()
    assert existing.open_amount == existing.amount


def test_production_refuses_the_demo(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never loaded in production"):
        load()
    assert not Customer.objects.exists()
