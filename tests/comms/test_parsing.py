"""Reading raw mail and matching its sender: pure functions, examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardesk.comms import matching, parsing
from ardesk.comms.matching import ContactFact, InvoiceFact, match_sender
from tests.comms.conftest import eml


def test_a_plain_mail_gives_its_facts() -> None:
    mail = parsing.parse_mail(eml("plain_dispute.eml"))
    assert mail.message_id == "<plain-1@mail.acme-foods.example>"
    assert (mail.from_address, mail.from_name) == ("sue@acme-foods.example", "Sue Baker")
    assert mail.to == ("ar@ardesk.localhost",) and mail.domain == "acme-foods.example"
    assert "ACME-INV-1001" in parsing.invoice_tokens(mail.subject + mail.body)


def test_a_pdf_attachment_is_read_as_bytes() -> None:
    mail = parsing.parse_mail(eml("pdf_attachment.eml"))
    (attachment,) = mail.attachments
    assert attachment.filename == "delivery-note.pdf" and attachment.data.startswith(b"%PDF-1.4")
    assert mail.body.startswith("Hello,") and "%PDF" not in mail.body


def test_a_reply_lists_what_it_answers_parent_first() -> None:
    raw = eml("reply.eml", message_id="<a@x> <b@x>", subject="x")
    assert parsing.parse_mail(raw).thread_ids == ("<a@x>", "<b@x>")


def test_a_mail_without_message_id_gets_a_stable_one() -> None:
    raw = b"From: a@b.example\r\nSubject: s\r\n\r\nbody\r\n"
    assert parsing.parse_mail(raw).message_id == parsing.parse_mail(raw).message_id
    assert parsing.parse_mail(raw).message_id != parsing.parse_mail(raw + b"more").message_id


def test_an_unknown_charset_does_not_stop_the_mail() -> None:
    raw = b"From: a@b.example\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nPrix \xe9lev\xe9\r\n"
    assert parsing.parse_mail(raw).body.startswith("Prix ")


def test_html_to_text_drops_markup_and_scripts() -> None:
    assert parsing.html_to_text("<p>A&amp;B</p><script>x()</script><br>c") == "A&B\n\nc"


@pytest.mark.parametrize("subject, tags", [
    ("Re: [DSP-0000123] Documents", ["DSP-0000123"]),
    ("AW: [dsp-0000123] [DSP-0000124]", ["DSP-0000123", "DSP-0000124"]),
    ("DSP-0000123 without brackets", []),
])
def test_dispute_tags(subject: str, tags: list[str]) -> None:
    assert parsing.dispute_tags(subject) == tags


@given(subject=st.text(max_size=80), number=st.integers(min_value=1, max_value=10**9))
def test_a_tagged_subject_carries_its_tag_once(subject: str, number: int) -> None:
    tag = f"DSP-{number:07d}"
    once = parsing.tagged_subject(subject, tag)
    assert parsing.tagged_subject(once, tag) == once
    assert tag in parsing.dispute_tags(once)


@given(text=st.text(max_size=3000))
def test_invoice_tokens_are_bounded_and_hold_digits(text: str) -> None:
    tokens = parsing.invoice_tokens(text, limit=50)
    assert len(tokens) <= 50 and len(set(tokens)) == len(tokens)
    assert all(any(c.isdigit() for c in t) and 3 <= len(t) <= 40 and t in text for t in tokens)


@given(raw=st.binary(max_size=2000))
def test_any_bytes_parse_or_are_refused_cleanly(raw: bytes) -> None:
    try:
        mail = parsing.parse_mail(raw)
    except parsing.NotAMail:
        return
    assert "@" in mail.from_address and mail.message_id.startswith("<")


# --- matching -----------------------------------------------------------------------------------

def test_the_contacts_customer_wins() -> None:
    found = match_sender(address="sue@acme.example", contacts=[ContactFact(7, 1)], domain_customers=set(),
                         invoices=[InvoiceFact(10, "INV-1", 1)])
    assert (found.customer_id, found.contact_id, found.invoice_ids) == (1, 7, (10,))


def test_an_address_of_two_customers_is_settled_by_the_invoice() -> None:
    contacts = [ContactFact(7, 1), ContactFact(8, 2)]
    found = match_sender(address="x@y.example", contacts=contacts, domain_customers=set(),
                         invoices=[InvoiceFact(20, "INV-2", 2)])
    assert (found.customer_id, found.contact_id) == (2, 8)
    unsettled = match_sender(address="x@y.example", contacts=contacts, domain_customers=set(), invoices=[],
                             names={1: "C-1", 2: "C-2"})
    assert not unsettled.matched and "several customers (C-1, C-2)" in unsettled.reason


def test_public_domains_identify_nobody() -> None:
    assert "gmail.com" in matching.PUBLIC_DOMAINS


_facts = st.lists(st.tuples(st.integers(1, 50), st.integers(1, 4)), max_size=4)


@given(contacts=_facts, domain=st.sets(st.integers(1, 4), max_size=3),
       invoices=st.lists(st.tuples(st.integers(1, 99), st.integers(1, 4)), max_size=4))
def test_a_match_is_a_candidate_and_never_carries_a_foreign_invoice(
        contacts: list[tuple[int, int]], domain: set[int], invoices: list[tuple[int, int]]) -> None:
    contact_facts = [ContactFact(pk, customer) for pk, customer in contacts]
    invoice_facts = [InvoiceFact(pk, f"I-{pk}", customer) for pk, customer in invoices]
    found = match_sender(address="a@b.example", contacts=contact_facts, domain_customers=domain,
                         invoices=invoice_facts)
    candidates = {c.customer_id for c in contact_facts} or domain
    if found.matched:
        assert found.customer_id in candidates and found.reason == ""
        assert all(inv.customer_id == found.customer_id for inv in invoice_facts)
        assert found.contact_id is None or ContactFact(found.contact_id, found.customer_id) in contact_facts
    else:
        assert found.reason and found.invoice_ids == ()
