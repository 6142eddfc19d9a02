"""The money rules of disputes as plain functions: what may be disputed, accepted, and how it is spread.

No Django import: services call these with numbers read under row locks; tests call them directly
and with hypothesis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from ardesk.disputes.workflow import Outcome
from ardesk.errors import Conflict, DomainError, ErrorCode
from ardesk.money import InvalidAmount, quantum, round_money

ZERO = Decimal(0)


class Settlement(StrEnum):
    """How the accepted part of a dispute is booked in the ledger."""

    CREDIT_MEMO = "credit_memo"
    WRITE_OFF = "write_off"
    REBILL = "rebill"
    NONE = "none"  # a rejected dispute books nothing


def shown(amount: Decimal, currency: str) -> str:
    """An amount for a message: to the currency's minor unit (the database keeps three places)."""
    return f"{amount.quantize(quantum(currency))} {currency}"


class OverDispute(DomainError):
    code = ErrorCode.INVALID_AMOUNT

    def __init__(self, *, invoice: str, requested: Decimal, collectible: Decimal, currency: str) -> None:
        super().__init__(f"cannot dispute {shown(requested, currency)} on invoice {invoice}: only "
                         f"{shown(collectible, currency)} is collectible (open and not already in dispute)",
                         field="amount")
        self.requested, self.collectible = requested, collectible


class NothingOpen(DomainError):
    code = ErrorCode.OVER_SETTLEMENT

    def __init__(self, invoice: str) -> None:
        super().__init__(f"invoice {invoice} is paid: nothing is open to dispute", field="invoice")


class AllInDispute(DomainError):
    code = ErrorCode.INVALID_AMOUNT

    def __init__(self, invoice: str) -> None:
        super().__init__(f"nothing on invoice {invoice} is left to dispute: what is open is already in dispute",
                         field="invoice")


class LikelyDuplicate(Conflict):
    def __init__(self, numbers: Sequence[str]) -> None:
        super().__init__(
            f"this looks like a duplicate of open dispute(s) {', '.join(numbers)} on the same invoice(s); "
            "confirm to raise it anyway", field="confirm_duplicate")
        self.numbers = list(numbers)


def check_disputable(*, invoice: str, currency: str, requested: Decimal, open_amount: Decimal,
                     disputed: Decimal) -> None:
    """An invoice may be disputed up to its collectible amount (open less what is already in dispute)."""
    if open_amount <= 0:
        raise NothingOpen(invoice)
    collectible = max(open_amount - disputed, ZERO)
    if requested <= 0 and collectible <= 0:
        raise AllInDispute(invoice)
    if requested <= 0:
        raise InvalidAmount(f"a dispute on invoice {invoice} must be for more than 0", field="amount")
    if requested > collectible:
        raise OverDispute(invoice=invoice, requested=requested, collectible=collectible, currency=currency)


def line_amount(*, currency: str, quantity: Decimal, unit_price: Decimal, disputed_quantity: Decimal | None = None,
                claimed_unit_price: Decimal | None = None) -> Decimal:
    """The money behind a line dispute: units short at the invoiced price, or the price gap on every unit.

    Exactly one of `disputed_quantity` and `claimed_unit_price` is given.
    """
    if disputed_quantity is not None and claimed_unit_price is None:
        if not ZERO < disputed_quantity <= quantity:
            raise DomainError(f"the disputed quantity must be more than 0 and at most the {quantity} invoiced",
                              field="quantity")
        amount = round_money(disputed_quantity * unit_price, currency)
    elif claimed_unit_price is not None and disputed_quantity is None:
        if not ZERO <= claimed_unit_price < unit_price:
            raise DomainError(f"the claimed unit price must be at least 0 and below the {unit_price} invoiced",
                              field="unit_price")
        amount = round_money((unit_price - claimed_unit_price) * quantity, currency)
    else:
        raise DomainError("a line dispute names either the quantity short or the price claimed", field="quantity")
    if amount <= 0:
        raise InvalidAmount("the disputed part of this line rounds to nothing", field="amount")
    return amount


def accepted_for(*, outcome: Outcome | str, outstanding: Decimal, accepted: Decimal | None,
                 currency: str) -> Decimal:
    """The amount granted to the customer for an outcome, checked against what is still in dispute.

    accepted: all of it (the default); partly accepted: more than nothing and less than all; rejected: nothing.
    """
    outcome = Outcome(outcome)
    if outcome is Outcome.ACCEPTED:
        if accepted is not None and accepted != outstanding:
            raise InvalidAmount(f"an accepted dispute grants all {shown(outstanding, currency)} in dispute, "
                            f"not {shown(accepted, currency)}; "
                                "use partly accepted", field="accepted_amount")
        return outstanding
    if outcome is Outcome.REJECTED:
        if accepted:
            raise InvalidAmount("a rejected dispute grants nothing", field="accepted_amount")
        return ZERO
    if accepted is None or not ZERO < accepted < outstanding:
        raise InvalidAmount("a partly accepted dispute grants more than 0 and less than the "
                            f"{shown(outstanding, currency)} in dispute", field="accepted_amount")
    return accepted


def check_settlement(*, outcome: Outcome | str, settlement: Settlement | str) -> Settlement:
    outcome, settlement = Outcome(outcome), Settlement(settlement)
    if outcome is Outcome.REJECTED and settlement is not Settlement.NONE:
        raise DomainError("a rejected dispute books nothing", field="settlement")
    if outcome is not Outcome.REJECTED and settlement is Settlement.NONE:
        raise DomainError("say how the accepted amount is booked: credit memo, write-off or re-bill",
                          field="settlement")
    return settlement


def allocate(total: Decimal, capacities: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Spread `total` over items in proportion to what each still has in dispute, never above its capacity.

    The parts add up to `total` exactly; the minor units lost to rounding go to the first items with room.
    """
    whole = sum(capacities, ZERO)
    if total < 0 or total > whole:
        raise InvalidAmount(f"cannot spread {total} over {whole}", field="accepted_amount")
    if total == 0 or whole == 0:
        return [ZERO for _ in capacities]
    q = quantum(currency)
    parts = [(total * cap / whole).quantize(q, rounding=ROUND_DOWN) for cap in capacities]
    left = total - sum(parts, ZERO)
    for i, cap in enumerate(capacities):
        if left <= 0:
            break
        room = min(cap - parts[i], left)
        parts[i] += room
        left -= room
    return parts


def item_parts(asked: Mapping[int, Decimal], items: Sequence[tuple[int, str, Decimal]], *,
               accepted: Decimal | None, currency: str) -> list[Decimal]:
    """The accepted part of each item (in `items` order) when the analyst names it per item: `asked` maps an
    item's id to what is granted on it, items not named get nothing. `items` are (id, label, outstanding).

    Each part is 0 up to what the item still has in dispute; an `accepted` total given beside them must be
    their sum. Which total the outcome allows is accepted_for's rule, checked on the sum.
    """
    known = {pk for pk, _, _ in items}
    for pk in asked:
        if pk not in known:
            raise InvalidAmount(f"item {pk} is not part of this dispute", field="items")
    parts = []
    for pk, label, outstanding in items:
        part = asked.get(pk, ZERO)
        if part < 0 or part > outstanding:
            raise InvalidAmount(f"{label}: grant from 0 to the {shown(outstanding, currency)} in dispute, "
                                f"not {shown(part, currency)}", field=f"items[{pk}].accepted_amount")
        parts.append(part)
    total = sum(parts, ZERO)
    if accepted is not None and accepted != total:
        raise InvalidAmount(f"the items add up to {shown(total, currency)}, not the accepted amount of "
                            f"{shown(accepted, currency)}", field="accepted_amount")
    return parts


def overlapping(mine: Iterable[int], others: dict[str, set[int]]) -> list[str]:
    """The other open disputes (by number) that share an invoice with these invoice ids, in number order."""
    wanted = set(mine)
    return sorted(number for number, invoices in others.items() if invoices & wanted)

