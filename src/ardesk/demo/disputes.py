"""The demo company's dispute history, read off the ledger's stories. Pure.

Every invoice the ledger generator settled as a dispute or a deduction gets the dispute behind it:

- *disputed* invoices with a credit memo: a dispute on the whole invoice or on one line, accepted (the memo
  covers all of it) or partly accepted (the rest was paid), the memo linked as its settlement;
- deductions that were credited or written off: accepted deductions on the short payment, settled by that
  credit memo or write-off; old deductions still short: rejected (the money went back to collection);
- some invoices a disputer paid in full after all: rejected disputes;
- disputes still open in the story (no credit memo yet, a recent short payment): the first few of each kind
  are handed over (`ctx.handover[HANDOVER]`) to the loader's live step, which raises and works them through
  the services (ardesk.demo.dispute_work); the rest are written open here, their money segregated on the
  invoice (`disputed_amount`), so `ardesk disputes verify` passes.

Resolved disputes are closed a few days later with a root cause and the department at fault, unless that
day is still to come. Every row is dated by the story, so the texts are time-ordered for the suggester.
The reason-code and root-cause ids come from the database (`ctx.refs[CATALOGUE]`, read by the loader
before generating); without them no dispute is generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ardesk.demo.context import DemoContext, at
from ardesk.demo.customers import GroupPlan
from ardesk.demo.dispute_texts import Filling, text_for
from ardesk.demo.plan import rng
from ardesk.demo.records import CustomerRec, GroupBook, InvoiceRec, Rows
from ardesk.money import round_money

ZERO = Decimal(0)
CATALOGUE = "disputes.catalogue"
HANDOVER = "disputes.live"
LIVE_PER_KIND = 12  # open disputes (and deductions) left for the live step, at every size
REJECTED_SHARE = 0.2  # of a disputer's fully paid invoices: disputed first, rejected, then paid
CONFUSED_SHARE = 0.08  # texts that describe a neighbouring reason
VAGUE_SHARE = 0.05  # texts that name no reason at all
_CONFUSABLE = {"quantity_short": "not_received", "not_received": "quantity_short", "damaged_goods": "returned_goods",
               "returned_goods": "damaged_goods", "pricing": "promotion", "promotion": "unauthorised_deduction",
               "unauthorised_deduction": "promotion", "duplicate_billing": "po_mismatch",
               "po_mismatch": "pricing", "tax": "pricing", "service_quality": "damaged_goods"}

DISPUTE_COLUMNS = (
    "id", "number", "customer_id", "kind", "channel", "status", "outcome", "settlement", "reason_code_id",
    "owner_id", "department", "priority", "escalation_level", "escalated_at", "sla_due", "currency", "amount",
    "accepted_amount", "description", "root_cause_id", "responsible_department", "payment_id", "raised_by_id",
    "version", "raised_on", "created_at", "updated_at", "resolved_at", "closed_at",
)
ITEM_COLUMNS = ("id", "dispute_id", "invoice_id", "invoice_line_id", "amount", "accepted_amount",
                "disputed_quantity", "claimed_unit_price")
SETTLEMENT_COLUMNS = ("id", "dispute_id", "invoice_id", "kind", "amount", "credit_memo_id", "write_off_id",
                      "new_invoice_id", "created_by_id", "created_at")
COMMENT_COLUMNS = ("id", "dispute_id", "author_id", "body", "internal", "created_at")
TASK_COLUMNS = ("id", "dispute_id", "title", "department", "assignee_id", "due_date", "done", "done_at",
                "done_by_id", "outcome_note", "created_by_id", "created_at")
OFFER_COLUMNS = ("id", "dispute_id", "kind", "party", "amount", "note", "recorded_by_id", "created_at")
TABLES = ("disputes.dispute", "disputes.disputeitem", "disputes.disputesettlement", "disputes.comment",
          "disputes.task", "disputes.offer")

# Credit memo reasons of the ledger's stories (ardesk.demo.behaviours) → reason codes (weighted).
_MEMO_REASONS: dict[str, tuple[str, ...]] = {
    "Pricing error: contract price not applied": ("pricing",) * 8 + ("po_mismatch", "tax"),
    "Goods damaged in transit": ("damaged_goods",),
    "Short delivery": ("quantity_short",) * 7 + ("not_received",) * 3,
    "Duplicate billing": ("duplicate_billing",),
    "Service not performed as ordered": ("service_quality",),
    "Returned goods": ("returned_goods",),
    "Promotional allowance agreed": ("promotion",),
    "Damaged goods credited": ("damaged_goods",),
    "Freight charge credited": ("pricing", "other"),
    "Early-payment discount granted": ("unauthorised_deduction",),
}
_DEDUCTION_REASONS = ("promotion", "promotion", "unauthorised_deduction", "unauthorised_deduction", "damaged_goods",
                      "pricing")
_ANY_REASON = ("pricing", "quantity_short", "damaged_goods", "not_received", "duplicate_billing", "tax",
               "service_quality", "po_mismatch", "returned_goods", "other")
# What really went wrong, by reason when the customer was right; a rejected dispute was the customer's error.
_ROOT_CAUSES: dict[str, tuple[tuple[str, str], ...]] = {
    "pricing": (("pricing_error", "pricing"), ("contract_terms", "sales")),
    "quantity_short": (("shipping_error", "logistics"),), "not_received": (("shipping_error", "logistics"),),
    "damaged_goods": (("shipping_error", "logistics"), ("product_quality", "quality")),
    "returned_goods": (("order_entry", "customer_service"), ("product_quality", "quality")),
    "duplicate_billing": (("order_entry", "billing"),), "po_mismatch": (("order_entry", "billing"),),
    "tax": (("order_entry", "tax"),), "promotion": (("contract_terms", "trade_marketing"),),
    "service_quality": (("product_quality", "customer_service"),),
    "unauthorised_deduction": (("contract_terms", "sales"),), "other": (("other", "accounts_receivable"),),
}
_NOTES: dict[str, tuple[str, ...]] = {
    "logistics": ("Delivery note and carrier scan requested from the warehouse.",
                  "Warehouse confirms the pick list; waiting for the carrier's proof of delivery."),
    "sales": ("Sales confirms the agreed price in the framework contract.",
              "Checked the quotation: the customer's figure is right."),
    "pricing": ("The price list used on the invoice was out of date.",),
    "billing": ("Found the second invoice for the same delivery note.", "Order entry used the wrong PO."),
    "quality": ("Quality inspected the returned units: defect confirmed.",),
    "trade_marketing": ("Promotion agreement found: allowance is valid for the quarter.",),
    "customer_service": ("Service report reviewed with the technician.",),
    "tax": ("Exemption certificate is on file since March.",),
    "accounts_receivable": ("No agreement on file supports this deduction.",),
}
_TASKS = {"logistics": "Send the signed proof of delivery", "sales": "Confirm the agreed price",
          "pricing": "Check the price list in force on the invoice date", "billing": "Check for a duplicate invoice",
          "quality": "Inspect the returned goods", "trade_marketing": "Confirm the promotion agreement",
          "customer_service": "Get the service report", "tax": "Check the exemption certificate",
          "accounts_receivable": "Look for an agreement behind the deduction"}
_OPEN_STATES = ("new",) * 3 + ("in_review",) * 7 + ("waiting_on_customer",) * 4 + ("waiting_on_internal",) * 4 + (
    "escalated",) * 2


@dataclass(frozen=True)
class Catalogue:
    """Ids of the seeded catalogues: reason code → (id, SLA days, department); root cause → id."""

    reasons: dict[str, tuple[int, int, str]]
    root_causes: dict[str, int]


@dataclass(frozen=True)
class Candidate:
    """An open dispute of the story, raised by the live step through the services."""

    invoice_id: int
    kind: str  # "invoice" or "deduction"
    amount: Decimal
    reason: str
    text: str
    raised_on: date
    payment_id: int | None = None


@dataclass
class _Out:
    disputes: list[tuple[Any, ...]]
    items: list[tuple[Any, ...]]
    settlements: list[tuple[Any, ...]]
    comments: list[tuple[Any, ...]]
    tasks: list[tuple[Any, ...]]
    offers: list[tuple[Any, ...]]


@dataclass(frozen=True)
class _Case:
    """One dispute to write: what the story decided."""

    invoice: InvoiceRec
    customer: CustomerRec
    kind: str
    reason: str
    amount: Decimal
    raised: date
    status: str
    outcome: str = ""
    accepted: Decimal = ZERO
    resolved: date | None = None
    settlement: str = ""
    memo_id: int | None = None
    write_off_id: int | None = None
    payment_id: int | None = None
    line: tuple[Any, ...] | None = None


class _Group:
    def __init__(self, ctx: DemoContext, book: GroupBook, group: GroupPlan, catalogue: Catalogue) -> None:
        self.ctx, self.book, self.cat = ctx, book, catalogue
        self.r = rng(ctx.plan.seed, "disputes", group.index)
        self.today = ctx.plan.today
        self.out = _Out([], [], [], [], [], [])
        self.customers = {c.id: c for c in book.customers}
        self.lines: dict[int, list[tuple[Any, ...]]] = {}
        for line in book.lines:
            self.lines.setdefault(int(line[1]), []).append(line)
        self.memos = {m.invoice_id: m for m in book.credit_memos if m.invoice_id is not None}
        self.write_offs = {w.invoice_id: w for w in book.write_offs}
        self.paid: dict[int, tuple[int, date, Decimal]] = {}  # invoice → (first payment, its date, Σ paid)
        received = {p.id: p.received_on for p in book.payments}
        for app in book.applications:
            if app.payment_id is None:
                continue
            first = self.paid.get(app.invoice_id)
            total = (first[2] if first else ZERO) + app.amount
            self.paid[app.invoice_id] = (first[0], first[1], total) if first else (
                app.payment_id, received[app.payment_id], total)
        self.previous: dict[int, str] = {}

    def analyst(self, customer: CustomerRec) -> int | None:
        key = next((k for k, pk in self.ctx.staffing.teams.items() if pk == customer.team_id), "")
        return self.ctx.staffing.analysts.get(key)

    def text(self, case_invoice: InvoiceRec, reason: str, raised: date) -> str:
        # Customers do not write to the catalogue: some describe a neighbouring problem (the analyst found
        # the real reason), some say nothing useful. What a model can learn stays short of certain.
        roll = self.r.random()
        if roll < CONFUSED_SHARE:
            reason = _CONFUSABLE.get(reason, "other")
        elif roll < CONFUSED_SHARE + VAGUE_SHARE:
            reason = "other"
        lines = self.lines.get(case_invoice.id) or [(0, 0, 1, "", "goods", Decimal(1), ZERO, ZERO, ZERO)]
        line = self.r.choice(lines)
        other = self.previous.get(case_invoice.customer_id, f"INV-{raised.year}-{self.r.randint(1, 99999):07d}")
        return text_for(self.r, reason, Filling(
            invoice=case_invoice.number, sku=str(line[4]), quantity=int(line[5]),
            price=f"{line[6]} {case_invoice.currency}", other_invoice=other, po=case_invoice.po_number,
            day=raised.isoformat()))

    def run(self) -> None:
        for invoice in self.book.invoices:
            payer = self.customers[self.customers[invoice.customer_id].payer_id]
            if invoice.story == "disputed":
                self._disputed(invoice)
            elif invoice.story in ("deduction_credited", "deduction_written_off", "short_paid"):
                self._deduction(invoice)
            elif (invoice.story == "paid_late" and payer.behaviour == "disputer"
                  and self.r.random() < REJECTED_SHARE):
                self._rejected(invoice)
            self.previous[invoice.customer_id] = invoice.number
        for table, columns, rows in zip(TABLES, (DISPUTE_COLUMNS, ITEM_COLUMNS, SETTLEMENT_COLUMNS, COMMENT_COLUMNS,
                                                 TASK_COLUMNS, OFFER_COLUMNS),
                                        (self.out.disputes, self.out.items, self.out.settlements, self.out.comments,
                                         self.out.tasks, self.out.offers), strict=True):
            self.book.extra.append(Rows(table, columns, rows))

    def _raised(self, invoice: InvoiceRec, before: date) -> date:
        latest = max(invoice.issue_date, before - timedelta(days=3))
        return min(invoice.issue_date + timedelta(days=self.r.randint(2, 25)), latest)

    def _disputed(self, invoice: InvoiceRec) -> None:
        customer = self.customers[invoice.customer_id]
        memo = self.memos.get(invoice.id)
        if memo is None:
            raised = self._raised(invoice, self.today)
            reason = self.r.choice(_ANY_REASON)
            if self.r.random() < _settled_share((self.today - raised).days, Decimal(1)):
                # Decided long ago without a credit: rejected, the invoice collectible again (and still unpaid).
                resolved = min(raised + timedelta(days=self.r.randint(10, 45)), self.today - timedelta(days=1))
                self._write(_Case(invoice, customer, "invoice", reason, invoice.amount, raised, "resolved",
                                  "rejected", ZERO, resolved))
                return
            self._open(invoice, customer, "invoice", invoice.amount, reason, raised)
            return
        reason = self.r.choice(_MEMO_REASONS.get(memo.reason, ("other",)))
        raised = self._raised(invoice, memo.issue_date)
        fitting = [ln for ln in self.lines.get(invoice.id, []) if ln[7] + ln[8] >= memo.amount]
        if memo.amount < invoice.amount and fitting and self.r.random() < 0.4:
            line = self.r.choice(fitting)
            amount = line[7] + line[8]
            kind, chosen = "lines", line
        else:
            amount, kind, chosen = invoice.amount, "invoice", None
        outcome = "accepted" if memo.amount == amount else "partly_accepted"
        self._write(_Case(invoice, customer, kind, reason, amount, raised, "resolved", outcome, memo.amount,
                            memo.issue_date, "credit_memo", memo_id=memo.id, line=chosen))

    def _deduction(self, invoice: InvoiceRec) -> None:
        paid = self.paid.get(invoice.id)
        if paid is None:
            return  # the short payment is not applied yet: nobody knows of the deduction
        payment_id, received, total = paid
        amount = invoice.amount - total
        if amount <= 0:
            return
        customer = self.customers[invoice.customer_id]
        memo, write_off = self.memos.get(invoice.id), self.write_offs.get(invoice.id)
        if invoice.story == "deduction_credited" and memo is not None and memo.amount == amount:
            reason = self.r.choice(_MEMO_REASONS.get(memo.reason, _DEDUCTION_REASONS))
            self._write(_Case(invoice, customer, "deduction", reason, amount, received, "resolved", "accepted",
                                amount, memo.issue_date, "credit_memo", memo_id=memo.id, payment_id=payment_id))
        elif invoice.story == "deduction_written_off" and write_off is not None and write_off.amount == amount:
            self._write(_Case(invoice, customer, "deduction", self.r.choice(_DEDUCTION_REASONS), amount, received,
                                "resolved", "accepted", amount, write_off.written_off_on, "write_off",
                                write_off_id=write_off.id, payment_id=payment_id))
        elif invoice.story == "short_paid" and self.r.random() < _settled_share((self.today - received).days,
                                                                               amount / invoice.amount):
            resolved = min(received + timedelta(days=self.r.randint(20, 60)), self.today - timedelta(days=1))
            self._write(_Case(invoice, customer, "deduction", "unauthorised_deduction", amount, received,
                                "resolved", "rejected", ZERO, resolved, payment_id=payment_id))
        elif invoice.story == "short_paid":
            self._open(invoice, customer, "deduction", amount, self.r.choice(_DEDUCTION_REASONS), received,
                       payment_id=payment_id)

    def _rejected(self, invoice: InvoiceRec) -> None:
        paid = self.paid.get(invoice.id)
        if paid is None or paid[1] - invoice.issue_date < timedelta(days=10):
            return
        raised = self._raised(invoice, paid[1])
        resolved = min(paid[1] - timedelta(days=1), raised + timedelta(days=self.r.randint(3, 30)))
        self._write(_Case(invoice, self.customers[invoice.customer_id], "invoice", self.r.choice(_ANY_REASON),
                            invoice.amount, raised, "resolved", "rejected", ZERO, max(resolved, raised)))

    def _open(self, invoice: InvoiceRec, customer: CustomerRec, kind: str, amount: Decimal, reason: str,
              raised: date, payment_id: int | None = None) -> None:
        waiting = self.ctx.handover.setdefault(HANDOVER, [])
        if sum(1 for c in waiting if c.kind == kind) < LIVE_PER_KIND:
            waiting.append(Candidate(invoice.id, kind, amount, reason, self.text(invoice, reason, raised), raised,
                                     payment_id))
            return
        status = self.r.choice(_OPEN_STATES)
        invoice.disputed_amount += amount
        self._write(_Case(invoice, customer, kind, reason, amount, raised, status, payment_id=payment_id))

    def _write(self, case: _Case) -> None:
        ctx, r, out = self.ctx, self.r, self.out
        reason_id, sla_days, department = self.cat.reasons.get(case.reason, self.cat.reasons["other"])
        analyst = self.analyst(case.customer)
        dispute_id = ctx.ids.take("disputes.dispute")
        resolved = case.resolved
        closed = resolved + timedelta(days=r.randint(1, 12)) if resolved else None
        root = root_id = None
        responsible = ""
        if closed is not None and closed <= self.today:
            root, responsible = (("customer_error", "accounts_receivable") if case.outcome == "rejected"
                                 else r.choice(_ROOT_CAUSES.get(case.reason, _ROOT_CAUSES["other"])))
            root_id = self.cat.root_causes.get(root)
        status = "closed" if root_id is not None else case.status
        escalated = status == "escalated"
        urgent = escalated or r.random() < 0.15
        description = self.text(case.invoice, case.reason, case.raised)
        channel = "cash_application" if case.kind == "deduction" else r.choice(("email", "email", "portal", "manual"))
        last = (closed if status == "closed" else resolved) or case.raised
        out.disputes.append((
            dispute_id, f"DSP-{dispute_id:07d}", case.customer.id, case.kind, channel, status, case.outcome,
            case.settlement or ("none" if case.outcome == "rejected" else ""), reason_id, analyst, department,
            3 if urgent else 2, "manager" if escalated else "", at(case.raised, 14) if escalated else None,
            case.raised + timedelta(days=sla_days), case.invoice.currency, case.amount, case.accepted,
            description, root_id, responsible, case.payment_id, None if case.kind == "deduction" else analyst,
            3 + (status == "closed"), case.raised, at(case.raised, 10), at(last, 16),
            at(resolved, 15) if resolved else None, at(closed, 11) if status == "closed" and closed else None))
        line = case.line
        quantity = Decimal(max(1, int(line[5]) // 3)) if line is not None and line[5] >= 1 else None
        out.items.append((ctx.ids.take("disputes.disputeitem"), dispute_id, case.invoice.id,
                          line[0] if line is not None else None, case.amount, case.accepted,
                          quantity if case.line is not None and case.reason == "quantity_short" else None, None))
        if case.settlement:
            out.settlements.append((ctx.ids.take("disputes.disputesettlement"), dispute_id, case.invoice.id,
                                    case.settlement, case.accepted, case.memo_id, case.write_off_id, None, analyst,
                                    at(resolved or case.raised, 15)))
        note_day = case.raised + timedelta(days=r.randint(1, 4))
        if note_day <= self.today:
            out.comments.append((ctx.ids.take("disputes.comment"), dispute_id, analyst,
                                 r.choice(_NOTES.get(department, _NOTES["accounts_receivable"])), True,
                                 at(note_day, 11)))
        if r.random() < 0.5 and note_day <= self.today:
            done = resolved is not None and resolved <= self.today
            out.tasks.append((ctx.ids.take("disputes.task"), dispute_id, _TASKS.get(department, "Check the facts"),
                              department, None, note_day + timedelta(days=7), done,
                              at(resolved, 9) if done and resolved else None, analyst if done else None,
                              "Done, see the comment." if done else "", analyst, at(note_day, 12)))
        if case.outcome == "partly_accepted" and resolved is not None:
            ask = round_money(case.accepted + (case.amount - case.accepted) / 2, case.invoice.currency)
            out.offers.append((ctx.ids.take("disputes.offer"), dispute_id, "offer", "company", case.accepted,
                               "Our offer after checking the delivery and the contract.", analyst,
                               at(resolved - timedelta(days=2), 10)))
            out.offers.append((ctx.ids.take("disputes.offer"), dispute_id, "counter_offer", "customer", ask,
                               "The customer asks for more.", analyst, at(resolved - timedelta(days=1), 10)))


def _settled_share(age_days: int, share_of_invoice: Decimal) -> float:
    """How likely a short payment's deduction has been settled (here: rejected) by now. A desk works its
    deductions: after four months few large ones are left; the small ones pile up, nobody's priority (which
    is what an auto-resolution rule is for)."""
    if age_days < 30:
        return 0.0
    if share_of_invoice < Decimal("0.05"):
        return 0.3
    return 0.5 if age_days < 120 else 0.9


def fill_group(ctx: DemoContext, book: GroupBook, group: GroupPlan) -> None:
    """The disputes behind the group's disputed and short-paid invoices (nothing without the catalogue)."""
    catalogue = ctx.refs.get(CATALOGUE)
    if not isinstance(catalogue, Catalogue):
        return
    _Group(ctx, book, group, catalogue).run()


def candidates(ctx: DemoContext) -> list[Candidate]:
    """The open disputes of the story the live step raises, oldest first."""
    waiting: list[Candidate] = ctx.handover.get(HANDOVER, [])
    return sorted(waiting, key=lambda c: (c.raised_on, c.invoice_id))
