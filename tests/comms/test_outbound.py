"""Sending a templated message about a dispute to a real SMTP server (aiosmtpd), and what is kept of it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.comms import tasks
from ardesk.comms.models import Message, MessageStatus
from ardesk.comms.services import SendFailed, send_dispute_message
from ardesk.customers.models import Contact
from ardesk.disputes import services as disputes
from ardesk.disputes.models import Dispute, ReasonCode
from ardesk.errors import DomainError
from tests.comms.conftest import Company, SmtpServer, free_port

pytestmark = pytest.mark.django_db


def _events(dispute: Dispute, verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(subject_type="disputes.dispute", subject_id=str(dispute.pk), verb=verb))


def test_a_templated_message_reaches_the_smtp_server_with_our_id_and_the_dispute_tag(
        smtp_server: SmtpServer, company: Company, dispute: Dispute, analyst: Any) -> None:
    # when
    message = send_dispute_message(dispute=dispute, to_contact=company.sue, template_code="request_documents",
                                   note="the signed delivery note", by=analyst)
    # then: the server got exactly one mail, to Sue, with our Message-ID and the tag in the subject
    assert len(smtp_server.received) == 1
    got = smtp_server.received[0]
    assert got.recipients == ["sue@acme-foods.example"]
    assert got.message["Message-ID"] == message.message_id
    assert message.message_id.endswith("@ardesk.test>")
    assert got.message["Subject"] == f"[{dispute.number}] Documents needed for {dispute.number}"
    text = got.message.get_content()
    assert "Dear Sue Baker" in text
    assert "EUR 500.00" in text and "ACME-INV-1001" in text
    assert "In particular: the signed delivery note" in text
    assert "Dana Reyes" in text
    # and it is kept, sent, on the dispute's timeline
    assert message.status == MessageStatus.SENT and message.dispute == dispute
    assert message.template_code == "request_documents" and message.sent_by == analyst
    (event,) = _events(dispute, "dispute.message_sent")
    assert event.actor_id == analyst.pk and event.after == {
        "message": message.pk, "message_id": message.message_id, "to": "sue@acme-foods.example",
        "subject": message.subject, "template": "request_documents", "status": "sent"}


def test_a_second_message_threads_under_the_first(smtp_server: SmtpServer, company: Company, dispute: Dispute,
                                                  analyst: Any) -> None:
    first = send_dispute_message(dispute=dispute, to_contact=company.sue, template_code="acknowledge", by=analyst)
    # when
    send_dispute_message(dispute=dispute, to_contact=company.sue, template_code="reminder_waiting", by=analyst)
    # then
    second = smtp_server.received[1].message
    assert second["In-Reply-To"] == first.message_id
    assert first.message_id in second["References"]


def test_free_text_is_sent_as_written(smtp_server: SmtpServer, company: Company, dispute: Dispute,
                                      analyst: Any) -> None:
    send_dispute_message(dispute=dispute, to_contact=company.sue, subject="Call me", body="Braces {{ stay }}.",
                         by=analyst)
    got = smtp_server.received[0].message
    assert got["Subject"] == f"[{dispute.number}] Call me"
    assert got.get_content().strip() == "Braces {{ stay }}."


def test_a_rejection_says_why_and_a_credit_names_the_memo(smtp_server: SmtpServer, company: Company,
                                                          dispute: Dispute, analyst: Any) -> None:
    # given: the dispute resolved as partly accepted with a credit memo of 100.00
    disputes.set_reason_code(dispute=dispute, reason_code=ReasonCode.objects.get(code="pricing"), by=analyst)
    disputes.change_status(dispute=dispute, to="in_review", by=analyst)
    disputes.resolve(dispute=dispute, outcome="partly_accepted", accepted_amount=Decimal("100.00"),
                     note="the old price list applied until July", by=analyst)
    # when
    send_dispute_message(dispute=dispute, to_contact=company.sue, template_code="resolution_partly_accepted",
                         by=analyst)
    # then
    text = smtp_server.received[0].message.get_content()
    memo = dispute.settlements.get().credit_memo
    assert memo is not None
    assert "We accept EUR 100.00" in text
    assert f"booked credit memo {memo.number} for EUR 100.00" in text
    assert "the old price list applied until July" in text


def test_a_server_that_refuses_leaves_a_failed_message_and_a_clear_error(
        settings: Any, company: Company, dispute: Dispute, analyst: Any) -> None:
    # given: nothing listens on the port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    # when
    with pytest.raises(SendFailed, match=r"sue@acme-foods\.example was not sent"):
        send_dispute_message(dispute=dispute, to_contact=company.sue, template_code="acknowledge", by=analyst)
    # then: one failed message with the error, and no message marked sent
    (failed,) = Message.objects.all()
    assert failed.status == MessageStatus.FAILED and "Connection" in failed.error
    assert _events(dispute, "dispute.message_sent") == []
    assert len(_events(dispute, "dispute.message_failed")) == 1


def test_a_customer_not_to_be_contacted_gets_nothing(smtp_server: SmtpServer, company: Company, dispute: Dispute,
                                                     analyst: Any) -> None:
    company.acme.do_not_contact = True
    company.acme.save()
    with pytest.raises(DomainError, match="must not be contacted"):
        send_dispute_message(dispute=dispute, to_contact=company.sue, template_code="acknowledge", by=analyst)
    assert smtp_server.received == [] and not Message.objects.exists()


def test_a_contact_of_another_customer_is_refused(smtp_server: SmtpServer, company: Company, dispute: Dispute,
                                                  analyst: Any) -> None:
    bob = Contact.objects.get(email="bob@globex.example")
    with pytest.raises(DomainError, match="not a contact of ACME Foods"):
        send_dispute_message(dispute=dispute, to_contact=bob, template_code="acknowledge", by=analyst)
    assert smtp_server.received == []


def test_an_unknown_template_is_refused(company: Company, dispute: Dispute, analyst: Any) -> None:
    with pytest.raises(DomainError, match="no active message template 'nope'") as caught:
        send_dispute_message(dispute=dispute, to_contact=company.sue, template_code="nope", by=analyst)
    assert caught.value.field == "template_code"


def test_the_customers_language_is_used_when_there_is_a_version_in_it(
        smtp_server: SmtpServer, company: Company, dispute: Dispute, analyst: Any) -> None:
    company.acme.language = "de"
    company.acme.save()
    send_dispute_message(dispute=dispute, to_contact=company.sue, template_code="acknowledge", by=analyst)
    assert "Guten Tag Sue Baker" in smtp_server.received[0].message.get_content()


def test_the_send_task_sends_through_the_same_service(smtp_server: SmtpServer, company: Company, dispute: Dispute,
                                                     analyst: Any) -> None:
    message_id = tasks.send_dispute_message.apply(kwargs=dict(dispute_id=dispute.pk, contact_id=company.sue.pk,
                                                              user_id=analyst.pk, template_code="acknowledge")).get()
    assert Message.objects.get(pk=message_id).status == MessageStatus.SENT
    assert smtp_server.received[0].message["Message-ID"] == Message.objects.get(pk=message_id).message_id
