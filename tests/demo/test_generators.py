"""The pure generators: deterministic for a seed, exact money, every behaviour and currency, books that balance."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ardesk.demo import generate
from ardesk.demo.behaviours import Behaviour
from ardesk.demo.customers import allocate_invoices, plan_groups
from ardesk.demo.plan import DEMO_CURRENCIES, DemoPlan, rng
from ardesk.demo.records import GroupBook
from ardesk.money import quantum
from tests.demo.conftest import TODAY, context, tiny_plan


def all_rows(seed: int, invoices: int = 300) -> list[tuple[str, list[tuple[object, ...]]]]:
    plan = tiny_plan(seed=seed, invoices=invoices)
    ctx = context(plan)
    out = [(b.table, b.rows) for b in generate.before(ctx)]
    for chunk in generate.chunks(ctx, plan_groups(plan), chunk_invoices=100):
        out.extend((b.table, b.rows) for b in chunk.rows)
    return out


def books(seed: int, invoices: int = 300) -> list[GroupBook]:
    plan = tiny_plan(seed=seed, invoices=invoices)
    ctx = context(plan)
    return [generate.book_for(ctx, group) for group in plan_groups(plan)]


def test_the_same_seed_gives_the_same_company():
    assert all_rows(seed=11) == all_rows(seed=11)


def test_another_seed_gives_another_company():
    assert all_rows(seed=11) != all_rows(seed=12)


def test_chunking_does_not_change_the_data():
    plan = tiny_plan(seed=5)
    by_table: dict[str, list[list[object]]] = {}
    for size in (50, 10_000):
        rows: Counter[str] = Counter()
        for chunk in generate.chunks(context(plan), plan_groups(plan), chunk_invoices=size):
            for batch in chunk.rows:
                rows[batch.table] += len(batch.rows)
                by_table.setdefault(f"{size}:{batch.table}", []).extend(batch.rows)
    assert all(by_table[f"50:{t}"] == by_table[f"10000:{t}"] for t in rows)


def test_tables_come_in_foreign_key_order_in_every_chunk():
    order = ["customers.customer", "customers.contact", "ledger.invoice", "ledger.invoiceline", "ledger.payment",
             "ledger.creditmemo", "ledger.application", "ledger.writeoff"]
    plan = tiny_plan(seed=3)
    for chunk in generate.chunks(context(plan), plan_groups(plan), chunk_invoices=20):
        tables = [batch.table for batch in chunk.rows]
        assert tables == sorted(tables, key=order.index)


def test_a_tiny_demo_has_every_behaviour_and_every_currency():
    for seed in (1, 2, 3, 2026):
        customers = [c for book in books(seed) for c in book.customers if c.invoice_count]
        assert {c.behaviour for c in customers} == set(Behaviour)
        assert {c.currency for c in customers} == set(DEMO_CURRENCIES)


def test_a_tiny_demo_shows_every_kind_of_entry():
    # given
    group_books = books(seed=2026)
    invoices = [i for b in group_books for i in b.invoices]
    customers = {c.id: c for b in group_books for c in b.customers}
    payments = {p.id: p for b in group_books for p in b.payments}
    applications = [a for b in group_books for a in b.applications]
    memos = [m for b in group_books for m in b.credit_memos]
    # then
    stories = Counter(i.story for i in invoices)
    assert {"paid", "paid_late", "paid_in_installments", "disputed", "bad_debt"} <= set(stories)
    assert stories["short_paid"] + stories["deduction_credited"] + stories["deduction_written_off"] > 0
    by_payment = Counter(a.payment_id for a in applications if a.payment_id and a.amount > 0)
    assert any(n > 1 for n in by_payment.values()), "a payment paying several invoices"
    invoice_owner = {i.id: i.customer_id for i in invoices}
    assert any(payments[a.payment_id].customer_id != invoice_owner[a.invoice_id]
               and customers[invoice_owner[a.invoice_id]].parent_id == payments[a.payment_id].customer_id
               for a in applications if a.payment_id), "a parent paying for its subsidiary"
    assert any(p.unapplied_amount > 0 for p in payments.values()), "cash on account"
    assert any(a.reverses_id for a in applications), "a reversal"
    assert any(m.unapplied_amount == 0 for m in memos) and any(m.unapplied_amount > 0 for m in memos)
    reasons = {w.reason_code for b in group_books for w in b.write_offs}
    assert "bad_debt" in reasons


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**9), invoices=st.integers(min_value=1, max_value=400))
def test_every_book_balances_at_the_minor_unit(seed, invoices):
    plan = tiny_plan(seed=seed, invoices=invoices)
    for book in books(seed, invoices):
        lines: dict[int, list[tuple[object, ...]]] = {}
        for line in book.lines:
            lines.setdefault(line[1], []).append(line)  # type: ignore[arg-type]
        issued = {}
        for inv in book.invoices:
            q = quantum(inv.currency)
            net = sum((ln[8] for ln in lines[inv.id]), Decimal(0))
            tax = sum((ln[7] for ln in lines[inv.id]), Decimal(0))
            assert inv.amount == net + tax and inv.tax_amount == tax
            assert inv.amount == inv.amount.quantize(q) and inv.open_amount == inv.open_amount.quantize(q)
            assert Decimal(0) <= inv.open_amount <= inv.amount
            assert inv.issue_date <= inv.due_date and inv.issue_date <= plan.today
            issued[inv.id] = inv
        for doc in [*book.payments, *book.credit_memos]:
            assert doc.amount > 0 and Decimal(0) <= doc.unapplied_amount <= doc.amount
            assert doc.amount == doc.amount.quantize(quantum(doc.currency))
        currency_of = {p.id: p.currency for p in book.payments} | {m.id: m.currency for m in book.credit_memos}
        for app in book.applications:
            invoice = issued[app.invoice_id]
            source = app.payment_id or app.credit_memo_id
            assert currency_of[source] == invoice.currency  # type: ignore[index]
            assert invoice.issue_date <= app.applied_on <= plan.today
            assert (app.amount < 0) == (app.reverses_id is not None)
        for entry in book.write_offs:
            assert entry.amount > 0 and entry.reason_code
            assert issued[entry.invoice_id].issue_date <= entry.written_off_on <= plan.today


@given(customers=st.integers(min_value=1, max_value=300), extra=st.integers(min_value=0, max_value=5000),
       seed=st.integers(min_value=0, max_value=1000))
def test_invoices_are_shared_out_exactly(customers, extra, seed):
    plan = DemoPlan(seed=seed, customers=customers, invoices=customers + extra, today=TODAY)
    counts = allocate_invoices(plan, rng(seed, "groups"))
    assert sum(counts) == plan.invoices and min(counts) >= 1 and len(counts) == customers


def test_a_few_large_accounts_and_many_small_ones():
    plan = tiny_plan(seed=1, invoices=100_000)
    counts = sorted(allocate_invoices(plan, rng(1, "groups")), reverse=True)
    assert counts[0] > 20 * (plan.invoices / plan.customers)
    assert counts[len(counts) // 2] < plan.invoices / plan.customers
