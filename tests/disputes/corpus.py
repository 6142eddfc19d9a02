"""A small generated corpus of dispute descriptions in one company's own words.

Each reason has its in-house phrasing (what this company's customers keep writing), which the generic
keyword lists mostly do not know; a model trained on resolved disputes learns it.
"""

from __future__ import annotations

import random

PHRASES: dict[str, list[str]] = {
    "pricing": [
        "billed at list instead of our contract rate", "the unit cost is above the agreed tariff",
        "you used last year's tariff", "net rate from the framework deal not honoured",
        "charged the old tariff again", "contract rate sheet says lower", "the price is wrong",
        "pallet rate above the quote",
    ],
    "quantity_short": [
        "pallet count was off by two", "received 8 cartons instead of 10",
        "the consignment was light by three units", "two cases missing from the drop",
        "delivery note shows fewer cartons than billed", "one layer of the pallet absent", "quantity does not match",
    ],
    "damaged_goods": [
        "cartons arrived wet and torn", "the glass was smashed on arrival", "units came scratched and unusable",
        "forklift holes through the boxes", "packaging soaked, contents ruined", "seal broken and contents spoiled",
        "goods damaged", "pallet arrived leaning",
    ],
    "not_received": [
        "the shipment never showed up at our dock", "carrier has no drop-off record",
        "no goods reached the warehouse", "tracking stuck for weeks, nothing here",
        "our store has no trace of this consignment", "nothing was unloaded at our site", "order not received",
    ],
    "duplicate_billing": [
        "this invoice is a copy of an earlier one", "same order appears on two invoices",
        "second invoice for a single delivery", "identical invoice sent again with a new number",
        "you invoiced this consignment before", "two bills for one shipment", "duplicate invoice",
    ],
    "tax": [
        "reverse charge applies to us", "wrong GST rate on the invoice", "our exemption letter was ignored",
        "levy should not be on this invoice", "cross-border supply is zero-rated", "please remove the excise line",
        "vat is wrong",
    ],
    "promotion": [
        "co-op funds for the spring campaign", "display support agreed with your rep",
        "feature ad money for the catalogue", "end-cap placement fee as agreed", "listing fee for the new range",
        "growth bonus for the quarter", "promotion not deducted", "price promotion rebate",
    ],
    "po_mismatch": [
        "our requisition reference is missing", "order reference does not match our system",
        "buyer reference on the invoice is wrong", "cannot match this to an order of ours",
        "procurement cannot find the order number", "the order reference belongs to another site", "po number wrong",
    ],
}
OPENERS = ["Hello,", "Dear AR team,", "Re your invoice:", "Hi,", "Good morning,", "Regarding the last invoice,",
           "As discussed on the phone,", ""]
CLOSERS = ["Please advise.", "We deducted accordingly.", "Kind regards", "Thanks.", "Please send a credit note.",
           "Let us know.", ""]


def corpus(per_code: int = 18, seed: int = 11) -> list[tuple[str, str]]:
    """(description, reason code) pairs, shuffled, the same for the same seed."""
    rng = random.Random(seed)
    pairs = []
    for code, phrases in PHRASES.items():
        for _ in range(per_code):
            core = rng.choice(phrases)
            if rng.random() < 0.4:
                core = f"{core} and {rng.choice(phrases)}"
            pairs.append((" ".join(part for part in (rng.choice(OPENERS), core, rng.choice(CLOSERS)) if part),
                          code))
    rng.shuffle(pairs)
    return pairs
