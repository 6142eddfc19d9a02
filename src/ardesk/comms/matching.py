"""Which customer an inbound mail is from, and which of its invoices it names. Pure: plain data in and out.

The rules, in order:
1. the sender's address is a contact's address: that contact's customer;
2. otherwise the sender's domain is the domain of contacts of exactly one customer (never a public
   mail domain such as gmail.com, where a domain says nothing about the company);
3. an address or domain shared by several customers is settled by the invoices the mail names, when
   they all belong to one of them;
4. a mail naming an invoice of another customer is not matched at all: it would put one customer's
   words on another's account.
Anything else is unmatched, with the reason in words.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

# Domains anyone can have an address at: the domain of such an address identifies nobody.
PUBLIC_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "gmx.com", "web.de", "t-online.de",
    "proton.me", "protonmail.com", "mail.com", "yandex.com", "orange.fr", "free.fr", "libero.it", "qq.com",
})


@dataclass(frozen=True)
class ContactFact:
    contact_id: int
    customer_id: int


@dataclass(frozen=True)
class InvoiceFact:
    invoice_id: int
    number: str
    customer_id: int


@dataclass(frozen=True)
class Match:
    customer_id: int | None
    contact_id: int | None
    invoice_ids: tuple[int, ...]
    reason: str = ""  # why it is unmatched; "" when matched

    @property
    def matched(self) -> bool:
        return self.customer_id is not None


def _unmatched(reason: str) -> Match:
    return Match(customer_id=None, contact_id=None, invoice_ids=(), reason=reason)


def _names(ids: Collection[int], names: Mapping[int, str]) -> str:
    return ", ".join(sorted(names.get(i, str(i)) for i in ids))


def match_sender(
    *, address: str, contacts: Sequence[ContactFact], domain_customers: Collection[int],
    invoices: Sequence[InvoiceFact], names: Mapping[int, str] | None = None,
) -> Match:
    """Settle the customer of a mail from `address`.

    `contacts` are the contacts with exactly this address; `domain_customers` the customers with a contact
    at the sender's domain (empty for a public domain); `invoices` the invoices whose numbers the mail
    contains, of any customer; `names` customer numbers, for the reason text.
    """
    names = names or {}
    owners = {inv.customer_id for inv in invoices}
    by_address = {c.customer_id for c in contacts}
    candidates = by_address or set(domain_customers)
    via = "address" if by_address else "domain"
    if not candidates:
        return _unmatched(f"unknown sender: {address} is not the address of any contact, nor at a customer's domain")
    if len(candidates) > 1:
        narrowed = candidates & owners
        if len(narrowed) != 1:
            return _unmatched(f"the sender's {via} belongs to several customers ({_names(candidates, names)}) "
                              "and the mail names no invoice of exactly one of them")
        candidates = narrowed
    (customer_id,) = candidates
    foreign = sorted(inv.number for inv in invoices if inv.customer_id != customer_id)
    if foreign:
        return _unmatched(f"invoice {', '.join(foreign)} belongs to another customer than the sender's "
                          f"({_names({customer_id}, names)})")
    contact_id = next((c.contact_id for c in sorted(contacts, key=lambda c: c.contact_id)
                       if c.customer_id == customer_id), None)
    return Match(customer_id=customer_id, contact_id=contact_id,
                 invoice_ids=tuple(sorted(inv.invoice_id for inv in invoices)))
