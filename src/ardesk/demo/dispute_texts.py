"""What demo customers write when they dispute: varied wording per reason code. Pure.

The reason-code suggester learns from these texts, so they must be realistic enough to be worth learning:
several phrasings per reason, filled with the invoice's own items and numbers, greetings and sign-offs
that carry no signal, and now and then a word that belongs to another reason ("the price is fine, but
three cartons were missing"), which is what trips a keyword list and what a trained model gets right.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

REASONS = ("pricing", "quantity_short", "damaged_goods", "not_received", "returned_goods", "duplicate_billing",
           "tax", "promotion", "service_quality", "po_mismatch", "unauthorised_deduction", "other")

_OPENERS = ("", "", "Hello, ", "Hi team, ", "Dear accounts receivable, ", "Good morning, ", "Re your reminder: ",
            "Following our call, ", "As discussed with your sales rep, ", "Regarding {inv}: ")
_CLOSERS = ("", "", "", " Please send a credit note.", " Kindly correct and reissue.", " We will pay the rest.",
            " Please advise.", " Thanks.", " Payment is on hold until this is fixed.", " Regards, accounts payable.")

_BODIES: dict[str, tuple[str, ...]] = {
    "pricing": (
        "we were charged {price} per unit for the {sku} but our contract says less.",
        "the unit price on {inv} does not match the price list we agreed for this year.",
        "you billed the {sku} at list, our agreed discount of {pct}% is missing.",
        "the rate on this invoice is higher than the quotation we signed.",
        "this is more than we were quoted for the {sku}; please apply the framework agreement rates.",
        "invoice {inv} uses last year's price list, the new tariff applies from January.",
        "we were overcharged on the {sku}: the negotiated rate was lower.",
        "the amount per item is wrong, our buyer confirmed the lower figure in writing.",
    ),
    "quantity_short": (
        "we only received {n} of the {qty} {sku} invoiced.",
        "{n} units of the {sku} were missing from the shipment, the pallet was short.",
        "the delivery was incomplete: the count at our dock was {n} fewer than on the invoice.",
        "goods receipt shows {n} cartons less than billed. The price is fine, the quantity is not.",
        "partial delivery only, the remaining {n} pieces never came with this consignment.",
        "our warehouse counted {n} items short on delivery note for {inv}.",
        "you invoiced {qty} but the packing list and our receiving report say {n}.",
    ),
    "damaged_goods": (
        "the {sku} arrived broken and cannot be used.",
        "{n} of the {sku} were crushed in transit, photos attached.",
        "the goods were damaged on arrival; the driver signed the damage report.",
        "several units arrived dented and scratched, we refused them at the dock.",
        "the {sku} is defective: it failed on first use.",
        "the packaging was torn and the contents were wet and unusable.",
        "we found cracked housings on {n} units after unpacking.",
    ),
    "not_received": (
        "we never received this delivery.",
        "the {sku} on {inv} did not arrive, our receiving team has no record of it.",
        "no goods were delivered against this invoice; tracking shows it stuck at the depot.",
        "the shipment was lost by the carrier, nothing reached our site.",
        "we have no proof of delivery for {inv}, please send the signed POD.",
        "nothing arrived at our warehouse for this order.",
    ),
    "returned_goods": (
        "we sent the {sku} back under RMA {n}{n} and still have no credit.",
        "the goods were returned on {date}, please credit the invoice.",
        "this order was returned in full, your driver collected it.",
        "we returned {n} units as agreed with customer service, the credit is missing.",
        "the return was accepted by your warehouse, yet the invoice is still open.",
        "credit for the return of the {sku} has not been issued.",
    ),
    "duplicate_billing": (
        "this is the same as invoice {inv2}, we were billed twice.",
        "we already paid this, it looks like a duplicate of {inv2}.",
        "the delivery was invoiced twice, once on {inv2} and again here.",
        "double billing: the same order appears on two invoices.",
        "you charged us twice for one shipment of the {sku}.",
        "this invoice repeats {inv2} line for line, please cancel one.",
    ),
    "tax": (
        "VAT was charged although we gave you our exemption certificate.",
        "the tax rate applied is wrong for a delivery to our country.",
        "we are tax exempt, please reissue without sales tax.",
        "reverse charge applies, the invoice should not carry VAT.",
        "the VAT number on the invoice is wrong so we cannot book it.",
        "you added tax on the freight, which is not taxable for us.",
    ),
    "promotion": (
        "we deducted the promotional allowance of {pct}% agreed for this quarter.",
        "trade allowance for the spring campaign was taken off this payment.",
        "the co-op marketing fund was netted against this invoice.",
        "the rebate for reaching the volume target is deducted here.",
        "display and listing fee deducted as per the promotion agreement.",
        "we applied the {pct}% campaign discount our category manager confirmed.",
    ),
    "service_quality": (
        "the installation was done badly and had to be redone by our own staff.",
        "the technician came late and left the work unfinished.",
        "the maintenance visit did not fix the fault, we are not paying for it.",
        "the training session was cancelled at short notice but still billed.",
        "the service was not as described in the order, hours were overstated.",
        "we are unhappy with the work done, a complaint was filed with your service desk.",
    ),
    "po_mismatch": (
        "the invoice does not quote our purchase order, we cannot match it.",
        "PO {po} on the invoice is not ours, please correct.",
        "there is no valid order number; our system rejects invoices without one.",
        "the order number is wrong and the line items do not match the purchase order.",
        "this was ordered under a different PO, please reissue against the right one.",
        "our purchase order was for {n} units at a different total, invoice cannot be matched.",
    ),
    "unauthorised_deduction": (
        "we took the early payment discount of {pct}%.",
        "short paid by the amount shown on our remittance advice.",
        "deducted per our standard terms, see remittance.",
        "the difference was netted against an old claim of ours.",
        "we paid less and kept the difference as a penalty for late delivery.",
        "remittance shows a deduction with code {n}{n}, no further detail.",
    ),
    "other": (
        "please call us about this invoice.",
        "we need a copy of the invoice and the contract before we pay.",
        "our new owner wants all open items reviewed first.",
        "the invoice was sent to the wrong address and we found it late.",
        "we are checking this internally and will come back to you.",
        "this needs to go through our new approval workflow first.",
    ),
}


@dataclass(frozen=True)
class Filling:
    """The facts of one disputed invoice that a text may quote."""

    invoice: str
    sku: str
    quantity: int
    price: str
    other_invoice: str
    po: str
    day: str


def text_for(r: random.Random, reason: str, f: Filling) -> str:
    """One customer message for a dispute of this reason; the same stream gives the same text."""
    body = r.choice(_BODIES.get(reason, _BODIES["other"]))
    opener = r.choice(_OPENERS)
    closer = r.choice(_CLOSERS)
    text = (opener + body + closer).format(
        inv=f.invoice, inv2=f.other_invoice, sku=f.sku, qty=max(f.quantity, 2),
        n=r.randint(1, max(1, min(f.quantity - 1, 9))) if f.quantity > 1 else 1,
        price=f.price, pct=r.choice((2, 3, 5, 8, 10, 12, 15)), po=f.po or "PO-000000", date=f.day)
    text = text.strip()
    return text[0].upper() + text[1:]
