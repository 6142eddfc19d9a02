"""Each dispute item's stored split over SKUs (ItemSkuShare), which the report by SKU sums: written when a dispute
is raised, rewritten when lines are imported, the same however often it is rewritten."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ardesk.audit.models import AuditEvent
from ardesk.disputes import sku_split
from ardesk.disputes.models import Dispute, ItemSkuShare, ReasonCode
from ardesk.disputes.services import ItemInput, raise_dispute
from ardesk.imports.services import execute
from ardesk.insights.dispute_report import ReportKind, default_period
from ardesk.insights.dispute_tables import dispute_report
from ardesk.ledger.models import Invoice, InvoiceLine
from tests.factories import CustomerFactory, InvoiceFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
LINES_HEADER = "invoice_number,line_no,sku,description,quantity,unit_price,tax_amount"


@pytest.fixture
def admin(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="ada", role="admin")


def _invoice(number: str, amount: str, lines: list[tuple[str, str, str]]) -> Invoice:
    """An invoice of `amount` with lines (sku, net, tax) as an import would leave them."""
    invoice = InvoiceFactory(number=number, amount=D(amount), currency="EUR",
                             customer=CustomerFactory(number=f"C-{number}", currency="EUR"))
    for no, (sku, net, tax) in enumerate(lines, start=1):
        InvoiceLine.objects.create(invoice=invoice, line_no=no, sku=sku, quantity=D(1), unit_price=D(net),
                                   amount=D(net), tax_amount=D(tax))
    return invoice


def _raise(invoice: Invoice, amount: str, by: object, **kwargs: object) -> Dispute:
    return raise_dispute(customer=invoice.customer, kind="invoice", items=[ItemInput(invoice, D(amount))],
                         reason_code=ReasonCode.objects.get(code="pricing"), by=by, **kwargs)


def _shares(dispute: Dispute) -> dict[str, tuple[Decimal, bool]]:
    return {s.sku: (s.weight, s.first) for s in ItemSkuShare.objects.filter(dispute=dispute)}


def _by_sku(user: object) -> dict[str, Decimal]:
    table = dispute_report(ReportKind.BY_SKU, period=default_period(timezone.localdate()), user=user)
    return dict(zip(table.values("key"), table.values("amount"), strict=True))


def test_a_whole_invoice_is_shared_by_each_skus_gross(admin):  # type: ignore[no-untyped-def]
    # A: 100 + 19 tax and 31; B: 50 → gross 200: A 3/4, B 1/4.
    invoice = _invoice("W1", "200.00", [("A", "100.00", "19.00"), ("B", "50.00", "0"), ("A", "31.00", "0")])
    dispute = _raise(invoice, "80.00", admin)
    assert _shares(dispute) == {"A": (D("0.75"), True), "B": (D("0.25"), True)}
    assert _by_sku(admin) == {"A": D("60.00"), "B": D("20.00")}


def test_a_discount_line_takes_a_negative_share(admin):  # type: ignore[no-untyped-def]
    invoice = _invoice("W2", "80.00", [("A", "100.00", "0"), ("DISC", "-20.00", "0")])
    _raise(invoice, "80.00", admin)
    assert _by_sku(admin) == {"A": D("100.00"), "DISC": D("-20.00")}


def test_lines_summing_to_zero_share_by_count_and_no_lines_is_no_sku(admin):  # type: ignore[no-untyped-def]
    zero = _raise(_invoice("W3", "10.00", [("A", "10.00", "0"), ("B", "-10.00", "0")]), "10.00", admin)
    bare = _raise(_invoice("W4", "30.00", []), "30.00", admin)
    assert _shares(zero) == {"A": (D("0.5"), True), "B": (D("0.5"), True)}
    assert _shares(bare) == {"": (D(1), True)}


def test_a_dispute_on_lines_is_each_lines_sku_counted_once(admin):  # type: ignore[no-untyped-def]
    invoice = _invoice("W5", "300.00", [("A", "100.00", "0"), ("A", "100.00", "0"), ("B", "100.00", "0")])
    first, second = invoice.lines.order_by("line_no")[:2]
    dispute = raise_dispute(customer=invoice.customer, kind="lines",
                            items=[ItemInput(invoice, D("10.00"), line=first),
                                   ItemInput(invoice, D("10.00"), line=second)],
                            reason_code=ReasonCode.objects.get(code="quantity_short"), by=admin)
    rows = list(ItemSkuShare.objects.filter(dispute=dispute).values_list("sku", "weight", "first"))
    assert sorted(rows, key=lambda r: r[2]) == [("A", D(1), False), ("A", D(1), True)]
    table = dispute_report(ReportKind.BY_SKU, period=default_period(timezone.localdate()), user=admin)
    assert (table.row("A")["disputes"], table.row("A")["amount"]) == (1, D("20.00"))


def test_lines_imported_after_the_dispute_split_it_and_a_dry_run_does_not(admin, tmp_path: Path):  # type: ignore[no-untyped-def]
    invoice = _invoice("W6", "120.00", [])
    dispute = _raise(invoice, "60.00", admin)
    assert _by_sku(admin) == {"": D("60.00")}
    path = tmp_path / "lines.csv"
    path.write_text(f"{LINES_HEADER}\nW6,1,A,,1,90,0\nW6,2,B,,1,30,0\n")
    dry = execute(kind="invoice-lines", path=path, filename=path.name, by=admin, dry_run=True)
    assert dry.created == 2 and _shares(dispute) == {"": (D(1), True)}
    applied = execute(kind="invoice-lines", path=path, filename=path.name, by=admin)
    assert applied.created == 2
    assert _shares(dispute) == {"A": (D("0.75"), True), "B": (D("0.25"), True)}
    assert _by_sku(admin) == {"A": D("45.00"), "B": D("15.00")}
    path.write_text(f"{LINES_HEADER}\nW6,2,B,,1,90,0\n")  # B's line now weighs as much as A's
    assert execute(kind="invoice-lines", path=path, filename=path.name, by=admin).updated == 1
    assert _shares(dispute) == {"A": (D("0.5"), True), "B": (D("0.5"), True)}


def test_splitting_again_changes_nothing(admin):  # type: ignore[no-untyped-def]
    _raise(_invoice("W7", "90.00", [("A", "30.00", "0"), ("B", "60.00", "0")]), "90.00", admin)
    _raise(_invoice("W8", "10.00", []), "10.00", admin)
    rows = "item_id", "dispute_id", "sku", "weight", "first"
    before = sorted(ItemSkuShare.objects.values_list(*rows))
    sku_split.resplit_all()
    sku_split.split(list(Dispute.objects.values_list("pk", flat=True)))
    assert sorted(ItemSkuShare.objects.values_list(*rows)) == before


cents = st.integers(-5_000, 50_000).map(lambda c: D(c).scaleb(-2))
line = st.tuples(st.sampled_from(["A", "B", "C", ""]), cents, st.integers(0, 2_000).map(lambda c: D(c).scaleb(-2)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, max_size=5), disputed=st.integers(1, 100_000).map(lambda c: D(c).scaleb(-2)))
def test_the_shares_of_an_item_add_up_to_the_item(admin, lines, disputed):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        invoice = _invoice("H1", "1000.00", [(sku, str(net), str(tax)) for sku, net, tax in lines])
        dispute = _raise(invoice, str(disputed), admin)
        shares = ItemSkuShare.objects.filter(dispute=dispute)
        total = sum((net + tax for _, net, tax in lines), D(0))
        expected: dict[str, Decimal] = {}
        for sku, net, tax in lines:
            part = (net + tax) / total if total else D(1) / len(lines)
            expected[sku] = expected.get(sku, D(0)) + part
        if not lines:
            expected = {"": D(1)}
        # one share per SKU of the invoice, each its gross over the invoice's (to storage precision)
        assert {s.sku for s in shares} == set(expected)
        for share in shares:
            assert abs(share.weight - expected[share.sku]) <= D("1e-12") * max(D(1), abs(expected[share.sku]))
            assert share.first
        # and the money of the shares is the item's, to far below a cent
        assert abs(sum((disputed * s.weight for s in shares), D(0)) - disputed) < D("1e-6")
        transaction.set_rollback(True)


def test_verify_finds_a_stale_split_and_resplit_mends_it(admin):  # type: ignore[no-untyped-def]
    _raise(_invoice("W9", "90.00", [("A", "30.00", "0"), ("B", "60.00", "0")]), "90.00", admin)
    out = StringIO()
    call_command("disputes", "verify", stdout=out)
    assert "SKU split matches" in out.getvalue()
    ItemSkuShare.objects.filter(sku="A").update(weight=D("0.5"))
    ItemSkuShare.objects.filter(sku="B").delete()
    with pytest.raises(CommandError, match=r"SKU split out of date: 2 share row\(s\)"):
        call_command("disputes", "verify", stdout=StringIO())
    out = StringIO()
    call_command("disputes", "resplit", stdout=out)
    assert "2 share row(s) written" in out.getvalue()
    assert AuditEvent.objects.filter(verb="disputes.resplit", after__rows_written=2).exists()
    call_command("disputes", "verify", stdout=StringIO())
