"""How each kind of customer settles an invoice: the payment behaviours of the demo company. Pure.

`settle` turns one invoice and its payer's habits into dated events (payments,
credit memos, write-offs). Events after `today` have not happened yet and are
dropped, so recent invoices stay open and the aging looks like a real ledger.
Amounts never add up to more than the invoice, so no invoice is over-settled.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from ardesk.money import minor_units, round_money, split_pro_rata


class Behaviour(StrEnum):
    PROMPT = "prompt"  # pays on the due date, in a weekly payment run
    LATE = "late"  # pays everything, one to two months late, in a monthly run
    PARTIAL = "partial"  # pays half its invoices in installments; some last installments never come
    SHORT = "short"  # deducts a few percent from half its invoices (allowances, damages)
    DISPUTER = "disputer"  # disputes half its invoices; pays the rest once a credit memo settles the dispute
    BAD_DEBT = "bad_debt"  # stops paying; its debt is written off when it becomes insolvent, or sits in 120+


# Share of independent payers per behaviour.
WEIGHTS: dict[Behaviour, int] = {
    Behaviour.PROMPT: 34, Behaviour.LATE: 24, Behaviour.PARTIAL: 12, Behaviour.SHORT: 12,
    Behaviour.DISPUTER: 11, Behaviour.BAD_DEBT: 7,
}

DISPUTE_REASONS = (
    "Pricing error: contract price not applied", "Goods damaged in transit", "Short delivery",
    "Duplicate billing", "Service not performed as ordered", "Returned goods",
)
DEDUCTION_REASONS = ("Promotional allowance agreed", "Damaged goods credited", "Freight charge credited",
                     "Early-payment discount granted")


@dataclass(frozen=True)
class Habit:
    """One payer's habits, drawn once per customer."""

    behaviour: Behaviour
    run_weekday: int
    run_day: int
    phase: int  # which half of the invoices (alternating) gets the behaviour's special treatment
    stops_paying: date | None = None  # bad debt: nothing issued after this is paid
    insolvent_on: date | None = None  # bad debt: everything open is written off on this day


@dataclass(frozen=True)
class Event:
    kind: str  # "pay", "credit" or "write_off"
    on: date
    amount: Decimal
    reason_code: str = ""
    reason: str = ""
    applied: bool = True  # a credit memo issued but not applied yet


@dataclass(frozen=True)
class InvoiceFacts:
    k: int  # the invoice's position among its customer's invoices
    amount: Decimal
    currency: str
    issue: date
    due: date


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def next_monthday(day: date, monthday: int) -> date:
    if day.day <= monthday:
        return day.replace(day=monthday)
    following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return following.replace(day=monthday)


def whole_units(amount: Decimal, currency: str) -> Decimal:
    """The amount rounded down to whole units (hundreds for zero-decimal currencies): what a rounder pays."""
    step = Decimal(100) if minor_units(currency) == 0 else Decimal(1)
    return (amount // step) * step


def _pay(on: date, amount: Decimal) -> Event:
    return Event("pay", on, amount)


def _full(r: random.Random, f: InvoiceFacts, on: date) -> list[Event]:
    """Pays the whole invoice, except a few payers who round down and leave a small balance to write off."""
    if r.random() < 0.04:
        paid = whole_units(f.amount, f.currency)
        if 0 < paid < f.amount:
            return [_pay(on, paid), Event("write_off", on + timedelta(days=30), f.amount - paid, "small_balance",
                                         "Remaining balance under the small-balance threshold")]
    return [_pay(on, f.amount)]


def _prompt(r: random.Random, h: Habit, f: InvoiceFacts) -> tuple[str, list[Event]]:
    on = max(next_weekday(f.due + timedelta(days=r.randint(-6, 2)), h.run_weekday), f.issue)
    return "paid", _full(r, f, on)


def _late(r: random.Random, h: Habit, f: InvoiceFacts) -> tuple[str, list[Event]]:
    on = next_monthday(f.due + timedelta(days=r.randint(10, 70)), h.run_day)
    if r.random() < 0.15:
        first, second = split_pro_rata(f.amount, [Decimal(r.randint(3, 7)), Decimal(4)], f.currency)
        if first > 0 and second > 0:
            return "paid_late", [_pay(on, first), _pay(next_monthday(on + timedelta(days=20), h.run_day), second)]
    return "paid_late", _full(r, f, on)


def _partial(r: random.Random, h: Habit, f: InvoiceFacts) -> tuple[str, list[Event]]:
    if f.k % 2 != h.phase:
        return "paid", _full(r, f, next_weekday(f.due + timedelta(days=r.randint(0, 25)), h.run_weekday))
    count = r.choice((2, 2, 3))
    parts = split_pro_rata(f.amount, [Decimal(r.randint(2, 6)) for _ in range(count)], f.currency)
    on = f.due + timedelta(days=r.randint(0, 15))
    events: list[Event] = []
    for i, part in enumerate(parts):
        if part <= 0 or (i == count - 1 and r.random() < 0.35):
            break  # the last installment never came: the rest stays open
        events.append(_pay(next_weekday(on, h.run_weekday), part))
        on += timedelta(days=r.randint(20, 45))
    return "paid_in_installments", events


def _short(r: random.Random, h: Habit, f: InvoiceFacts) -> tuple[str, list[Event]]:
    on = next_weekday(f.due + timedelta(days=r.randint(0, 12)), h.run_weekday)
    deduction = round_money(f.amount * Decimal(r.randint(2, 9)) / 100, f.currency)
    if f.k % 2 != h.phase or not 0 < deduction < f.amount:
        return "paid", _full(r, f, on)
    events = [_pay(on, f.amount - deduction)]
    outcome = r.random()
    if outcome < 0.4:
        events.append(Event("credit", on + timedelta(days=r.randint(20, 60)), deduction,
                            reason=r.choice(DEDUCTION_REASONS)))
        return "deduction_credited", events
    if outcome < 0.65:
        events.append(Event("write_off", on + timedelta(days=r.randint(30, 90)), deduction, "deduction_accepted",
                            "Deduction accepted: below the cost of pursuing it"))
        return "deduction_written_off", events
    return "short_paid", events


def _disputer(r: random.Random, h: Habit, f: InvoiceFacts, today: date) -> tuple[str, list[Event]]:
    if f.k % 2 != h.phase:
        return "paid_late", _full(r, f, next_weekday(f.due + timedelta(days=r.randint(10, 60)), h.run_weekday))
    resolved = f.due + timedelta(days=r.randint(20, 120))
    credit = round_money(f.amount * Decimal(r.choice((10, 15, 25, 50, 100))) / 100, f.currency)
    # A credit memo booked in the last weeks is often not applied yet.
    applied = (today - resolved).days > 30 or r.random() < 0.5
    events = [Event("credit", resolved, credit, reason=r.choice(DISPUTE_REASONS), applied=applied)] if credit else []
    if credit < f.amount:
        events.append(_pay(next_weekday(resolved + timedelta(days=r.randint(5, 30)), h.run_weekday),
                           f.amount - credit))
    return "disputed", events


def _bad_debt(r: random.Random, h: Habit, f: InvoiceFacts) -> tuple[str, list[Event]]:
    on = next_weekday(f.due + timedelta(days=r.randint(15, 50)), h.run_weekday)
    if h.stops_paying is None or on < h.stops_paying:
        return "paid_late", [_pay(on, f.amount)]
    if h.insolvent_on is not None:
        return "bad_debt", [Event("write_off", max(h.insolvent_on, f.issue), f.amount, "bad_debt",
                                  "Customer insolvent: claim filed with the administrator")]
    return "bad_debt", []


def settle(r: random.Random, habit: Habit, facts: InvoiceFacts, today: date) -> tuple[str, list[Event]]:
    """What happens to one invoice up to `today`: its story and the events that settle it."""
    behaviour = habit.behaviour
    if behaviour is Behaviour.PROMPT:
        story, events = _prompt(r, habit, facts)
    elif behaviour is Behaviour.LATE:
        story, events = _late(r, habit, facts)
    elif behaviour is Behaviour.PARTIAL:
        story, events = _partial(r, habit, facts)
    elif behaviour is Behaviour.SHORT:
        story, events = _short(r, habit, facts)
    elif behaviour is Behaviour.DISPUTER:
        story, events = _disputer(r, habit, facts, today)
    else:
        story, events = _bad_debt(r, habit, facts)
    return story, [e for e in events if e.on <= today]
