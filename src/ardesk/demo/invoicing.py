"""Invoices and their lines for one customer: SKUs, quantities, prices, tax. Pure.

Every amount is exact at the currency's minor unit, the way `book_invoice`
would book it: a line's net amount is quantity × unit price rounded, its tax
is the net amount × the country's rate rounded, and the invoice's amount is
the sum of both over its lines.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ardesk.demo.behaviours import Behaviour, Habit
from ardesk.demo.context import DemoContext, at
from ardesk.demo.customers import CURRENCY_SCALE
from ardesk.demo.records import CustomerRec, InvoiceRec
from ardesk.money import minor_units, round_money

ZERO = Decimal(0)
# Bad-debt customers are put on credit hold: nothing is shipped to them after this many days of history.
CREDIT_HOLD_AFTER_DAYS = 330


@dataclass(frozen=True)
class Sku:
    code: str
    description: str
    list_cents: int  # list price in EUR cents
    hours: bool = False  # billed by the quarter hour


CATALOG: tuple[Sku, ...] = (
    Sku("RK-1001", "Pallet racking bay, 2.7 m", 48_500), Sku("RK-1002", "Racking beam pair", 6_950),
    Sku("RK-1010", "Mesh deck panel", 2_480), Sku("CV-2001", "Roller conveyor section, 2 m", 129_000),
    Sku("CV-2005", "Conveyor drive unit", 264_000), Sku("PK-3001", "Stretch film, 23 µm, 6 rolls", 8_990),
    Sku("PK-3004", "Corrugated boxes, 600×400, 50 pcs", 5_450), Sku("PK-3010", "Pallet labels, 1,000 pcs", 1_990),
    Sku("SC-4001", "Handheld barcode scanner", 38_900), Sku("SC-4003", "Label printer, thermal", 71_500),
    Sku("SF-5001", "Safety gloves, 12 pairs", 2_350), Sku("SF-5002", "High-visibility vest, 10 pcs", 4_100),
    Sku("LT-6001", "LED high-bay light", 18_900), Sku("LT-6002", "Motion sensor kit", 4_650),
    Sku("FL-7001", "Forklift battery, 48 V", 412_000), Sku("FL-7005", "Forklift tyre set", 56_000),
    Sku("SW-8001", "Warehouse software licence, monthly", 49_000), Sku("SW-8002", "Scanner app seats, 10", 12_000),
    Sku("SV-9001", "Installation service", 9_500, hours=True), Sku("SV-9002", "Maintenance visit", 11_000, hours=True),
    Sku("SV-9003", "Operator training", 8_500, hours=True), Sku("SV-9004", "Consulting", 15_000, hours=True),
    Sku("FR-9901", "Freight and handling", 14_500), Sku("SP-1101", "Spare parts kit", 23_900),
)
# How many of an item a customer of each segment orders at most.
_MAX_QUANTITY = {"enterprise": 60, "distributor": 80, "public sector": 30, "mid-market": 20, "small business": 6}


def unit_price(sku: Sku, currency: str, adjust_percent: int) -> Decimal:
    """The customer's price: the list price in its currency, less (or plus) its negotiated percentage."""
    value = Decimal(sku.list_cents) / 100 * CURRENCY_SCALE[currency] * (100 + adjust_percent) / 100
    if minor_units(currency) == 0:
        return Decimal(int(value / 10) * 10 or 10)  # yen prices end in a zero
    return round_money(value, currency)


def issue_dates(r: random.Random, customer: CustomerRec, habit: Habit, start: date, today: date) -> list[date]:
    """Weekdays in the history. A bad-debt customer buys on until its credit hold; half its invoices come
    after it stopped paying, so every bad debt leaves something unpaid."""
    count = customer.invoice_count
    days = (today - start).days
    if habit.behaviour is Behaviour.BAD_DEBT and habit.stops_paying is not None:
        stop = (habit.stops_paying - start).days
        hold = min(CREDIT_HOLD_AFTER_DAYS, days)
        offsets = [r.randint(0, max(stop - 1, 0)) if i < count // 2 else r.randint(min(stop, hold), hold)
                   for i in range(count)]
    else:
        offsets = [r.randint(0, days) for _ in range(count)]
    dates = []
    for offset in offsets:
        day = start + timedelta(days=offset)
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)  # a weekend order is invoiced on the Friday before
        dates.append(max(day, start))
    return sorted(dates)


def make_invoice(ctx: DemoContext, r: random.Random, customer: CustomerRec, issue: date) -> tuple[
        InvoiceRec, list[tuple[object, ...]]]:
    currency = customer.currency
    invoice_id = ctx.ids.take("ledger.invoice")
    lines: list[tuple[object, ...]] = []
    net_total = tax_total = ZERO
    most = _MAX_QUANTITY.get(customer.segment, 10)
    for line_no, sku in enumerate(r.sample(CATALOG, r.choice((1, 1, 2, 2, 3, 4, 5))), start=1):
        quantity = Decimal(r.randint(2, 24)) / 4 if sku.hours else Decimal(r.randint(1, most))
        price = unit_price(sku, currency, customer.price_adjust)
        net = round_money(quantity * price, currency)
        tax = round_money(net * customer.tax_rate, currency)
        lines.append((ctx.ids.take("ledger.invoiceline"), invoice_id, line_no, sku.code, sku.description, quantity,
                      price, tax, net))
        net_total += net
        tax_total += tax
    number = f"INV-{issue.year}-{ctx.next_number(f'invoice-{issue.year}'):07d}"
    po = f"PO-{r.randint(100_000, 999_999)}" if customer.segment != "small business" or r.random() < 0.3 else ""
    first_item = str(lines[0][4])
    description = first_item if len(lines) == 1 else f"{first_item} and {len(lines) - 1} more"
    invoice = InvoiceRec(
        id=invoice_id, number=number, customer_id=customer.id, issue_date=issue,
        due_date=issue + timedelta(days=customer.payment_terms_days), currency=currency,
        amount=net_total + tax_total, tax_amount=tax_total, po_number=po, sales_rep=customer.sales_rep,
        description=description, created_at=at(issue, 8),
    )
    return invoice, lines
