"""Receiving mail: a new complaint raises a dispute, a reply threads into its dispute, the rest is kept unmatched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from ardesk.audit.models import AuditEvent
from ardesk.comms.models import Direction, Message, MessageStatus
from ardesk.comms.parsing import NotAMail
from ardesk.comms.services import file_unmatched, ingest_email, receive_email, send_dispute_message
from ardesk.customers.models import Contact
from ardesk.disputes import services as disputes
from ardesk.disputes.models import Channel, Dispute, Document, Kind
from tests.comms.conftest import Company, eml

pytestmark = pytest.mark.django_db


def test_a_complaint_from_a_contact_raises_a_dispute_on_the_invoice_it_names(company: Company) -> None:
    # when
    message = ingest_email(eml("plain_dispute.eml"), source="file:plain_dispute.eml")
    # then: a dispute by e-mail on the whole of ACME-INV-1001, in the customer's words
    dispute = message.dispute
    assert message.status == MessageStatus.RECEIVED and message.direction == Direction.IN
    assert dispute is not None and dispute.customer == company.acme and message.contact == company.sue
    assert dispute.channel == Channel.EMAIL and dispute.kind == Kind.INVOICE
    assert [item.invoice.number for item in dispute.items.all()] == ["ACME-INV-1001"]
    assert dispute.amount == company.inv_1001.amount
    assert "agreed price" in dispute.description and dispute.description.startswith("Wrong price on invoice")
    assert dispute.suggested_reason is not None and dispute.suggested_reason.code == "pricing"
    # and the mail is kept, raw on disk and on the dispute's timeline
    assert (Path(django_settings.ARDESK_FILES_DIR) / message.raw_file).read_bytes() == eml("plain_dispute.eml")
    assert AuditEvent.objects.filter(subject_type="disputes.dispute", subject_id=str(dispute.pk),
                                     verb="dispute.message_received").count() == 1


def test_importing_the_same_mail_twice_changes_nothing(company: Company) -> None:
    first, new = receive_email(eml("plain_dispute.eml"), source="file")
    events = AuditEvent.objects.count()
    # when
    second, again = receive_email(eml("plain_dispute.eml"), source="imap:INBOX")
    # then
    assert (new, again) == (True, False) and second.pk == first.pk
    assert Message.objects.count() == 1 and Dispute.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_reply_to_our_message_threads_into_its_dispute_and_ends_the_wait(
        company: Company, dispute: Dispute, analyst: Any) -> None:
    # given: we asked for documents and are waiting on the customer
    asked = send_dispute_message(dispute=dispute, to_contact=company.sue, template_code="request_documents",
                                 by=analyst)
    disputes.change_status(dispute=dispute, to="waiting_on_customer", by=analyst)
    # when: the reply names our Message-ID, with a subject that no longer carries the tag
    reply = ingest_email(eml("reply.eml", message_id=asked.message_id, subject="Documents"), source="imap:INBOX")
    # then
    dispute.refresh_from_db()
    assert reply.status == MessageStatus.THREADED and reply.dispute == dispute
    assert reply.in_reply_to == asked.message_id
    assert dispute.status == "in_review"
    assert Dispute.objects.count() == 1
    change = AuditEvent.objects.filter(verb="dispute.status_changed", subject_id=str(dispute.pk)).latest("seq")
    assert change.after == {"status": "in_review"} and "replied by e-mail" in change.reason


def test_a_reply_found_by_the_subject_tag_threads_when_the_sender_is_the_customers(
        company: Company, dispute: Dispute) -> None:
    raw = eml("reply.eml", message_id="<lost@elsewhere.example>", subject=f"[{dispute.number}] our documents")
    message = ingest_email(raw, source="file")
    assert message.status == MessageStatus.THREADED and message.dispute == dispute


def test_a_subject_tag_from_a_stranger_is_not_threaded(company: Company, dispute: Dispute) -> None:
    raw = eml("reply.eml", message_id="<lost@elsewhere.example>", subject=f"[{dispute.number}] hello").replace(
        b"sue@acme-foods.example", b"mallory@evil.example")
    message = ingest_email(raw, source="file")
    assert message.status == MessageStatus.UNMATCHED and message.dispute is None
    assert f"names {dispute.number}, but mallory@evil.example is not a contact" in message.note


def test_an_unknown_sender_is_kept_unmatched_and_nothing_is_booked(company: Company) -> None:
    message = ingest_email(eml("unknown_sender.eml"), source="file")
    assert message.status == MessageStatus.UNMATCHED and message.dispute is None and message.customer is None
    assert "unknown sender: somebody@nowhere.example" in message.note
    assert not Dispute.objects.exists()
    company.inv_1001.refresh_from_db()
    assert company.inv_1001.disputed_amount == 0
    assert AuditEvent.objects.filter(verb="mail.unmatched", subject_id=str(message.pk)).exists()


def test_another_customers_invoice_is_not_disputed_on_the_senders_account(company: Company) -> None:
    message = ingest_email(eml("other_customers_invoice.eml"), source="file")
    assert message.status == MessageStatus.UNMATCHED
    assert "invoice GLX-9001 belongs to another customer than the sender's (C-ACME)" in message.note
    assert not Dispute.objects.exists()


def test_a_colleague_at_the_customers_domain_is_matched_by_the_domain(company: Company) -> None:
    message = ingest_email(eml("html_only.eml"), source="file")  # from tom@acme-foods.example, no contact
    assert message.dispute is not None and message.dispute.customer == company.acme
    assert message.contact is None


def test_an_html_only_mail_is_kept_as_text(company: Company) -> None:
    message = ingest_email(eml("html_only.eml"), source="file")
    assert "the pallet for invoice ACME-INV-1002 arrived damaged" in " ".join(message.body.split())
    assert "<" not in message.body and "alert" not in message.body and "color" not in message.body
    assert [i.invoice.number for i in message.dispute.items.all()] == ["ACME-INV-1002"]  # type: ignore[union-attr]


def test_a_latin1_mail_reads_right(company: Company) -> None:
    Contact.objects.create(customer=company.acme, name="Jürgen Müller", email="juergen@acme-foods.example")
    message = ingest_email(eml("latin1.eml"), source="file")
    assert message.subject == "Fehlmenge bei Lieferung über ACME-INV-1002"
    assert "fehlen 4 Kartons Würstchen" in message.body and "Jürgen Müller" in message.body
    assert message.contact is not None and message.contact.name == "Jürgen Müller"


def test_an_attachment_becomes_a_document_of_the_dispute(company: Company) -> None:
    message = ingest_email(eml("pdf_attachment.eml"), source="file")
    (document,) = Document.objects.filter(dispute=message.dispute)
    assert document.filename == "delivery-note.pdf" and document.content_type == "application/pdf"
    assert document.source == "email"
    assert message.attachment_count == 1 and message.note == ""


def test_a_refused_attachment_is_noted_and_the_rest_still_kept(company: Company) -> None:
    raw = eml("pdf_attachment.eml").replace(b'filename="delivery-note.pdf"', b'filename="delivery-note.exe"')
    raw = raw.replace(b"application/pdf", b"application/octet-stream").replace(b"JVBERi0xLjQK", b"TVqQAAMAAAAE")
    message = ingest_email(raw, source="file")
    assert message.dispute is not None and message.status == MessageStatus.RECEIVED
    assert "attachment delivery-note.exe refused" in message.note
    assert not Document.objects.exists()


def test_a_second_complaint_on_an_invoice_in_dispute_joins_that_dispute(company: Company, dispute: Dispute) -> None:
    message = ingest_email(eml("plain_dispute.eml"), source="file")  # names ACME-INV-1001, already disputed
    assert message.status == MessageStatus.THREADED and message.dispute == dispute
    assert Dispute.objects.count() == 1


def test_bytes_without_a_sender_are_refused(company: Company) -> None:
    with pytest.raises(NotAMail, match="no From address"):
        ingest_email(b'{"not": "a mail"}', source="api")
    assert not Message.objects.exists()


def test_an_analyst_files_an_unmatched_mail_on_a_dispute(company: Company, dispute: Dispute, analyst: Any) -> None:
    raw = eml("pdf_attachment.eml").replace(b"sue@acme-foods.example", b"sue.private@gmail.com")
    message = ingest_email(raw, source="file")
    assert message.status == MessageStatus.UNMATCHED  # a public domain says nothing about the company
    # when
    filed = file_unmatched(message=message, dispute=dispute, by=analyst)
    # then
    assert filed.status == MessageStatus.THREADED and filed.dispute == dispute and filed.customer == company.acme
    assert "filed by hand" in filed.note
    assert Document.objects.filter(dispute=dispute, filename="delivery-note.pdf").exists()
    assert AuditEvent.objects.filter(verb="dispute.message_received", subject_id=str(dispute.pk),
                                     actor_id=analyst.pk).exists()
