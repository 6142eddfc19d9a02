"""Recording a message that was sent before (imports, the demo): kept and audited, never sent, and replies thread."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.comms.models import Message, MessageStatus
from ardesk.comms.services import ingest_email, record_sent_message
from ardesk.demo.dispute_mail import reply_eml
from ardesk.disputes.models import Dispute
from ardesk.errors import DomainError
from tests.comms.conftest import Company

pytestmark = pytest.mark.django_db


def test_a_recorded_message_is_kept_as_sent_on_its_day_and_nothing_leaves(
        settings: Any, company: Company, dispute: Dispute, analyst: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent_at = timezone.now() - timedelta(days=3)
    message = record_sent_message(dispute=dispute, to_contact=company.sue, template_code="acknowledge",
                                  sent_at=sent_at, by=analyst)
    assert mail.outbox == []
    assert (message.status, message.created_at, message.to_addresses) == (MessageStatus.SENT, sent_at,
                                                                         "sue@acme-foods.example")
    assert message.subject.startswith(f"[{dispute.number}] We have received your query")
    assert "Dear Sue Baker" in message.body and message.message_id.endswith("@ardesk.test>")
    event = AuditEvent.objects.get(verb="dispute.message_recorded", subject_id=str(dispute.pk))
    assert event.actor_id == analyst.pk and event.after["message"] == message.pk


def test_the_customers_reply_to_a_recorded_message_threads_into_its_dispute(
        company: Company, dispute: Dispute, analyst: Any) -> None:
    first = record_sent_message(dispute=dispute, to_contact=company.sue, template_code="acknowledge",
                                sent_at=timezone.now() - timedelta(days=2), by=analyst)
    reply = ingest_email(reply_eml(to_message=first, contact=company.sue, body="Photos follow tomorrow.",
                                   sent=timezone.now() - timedelta(days=1)), source="demo")
    assert (reply.status, reply.dispute_id, reply.in_reply_to) == (MessageStatus.THREADED, dispute.pk,
                                                                   first.message_id)
    assert "Photos follow tomorrow." in reply.body
    # and a message recorded after it answers the reply
    later = record_sent_message(dispute=dispute, to_contact=company.sue, subject="Thanks", body="Noted.",
                                sent_at=timezone.now() - timedelta(hours=1), by=analyst)
    assert later.in_reply_to == reply.message_id


def test_a_recorded_message_must_be_in_the_past_with_its_time_zone_and_to_the_customers_contact(
        company: Company, dispute: Dispute, analyst: Any) -> None:
    future = timezone.now() + timedelta(hours=1)
    with pytest.raises(DomainError) as later:
        record_sent_message(dispute=dispute, to_contact=company.sue, template_code="acknowledge", sent_at=future,
                            by=analyst)
    with pytest.raises(DomainError) as naive:
        record_sent_message(dispute=dispute, to_contact=company.sue, template_code="acknowledge",
                            sent_at=datetime(2026, 1, 5, 9), by=analyst)  # naive on purpose
    with pytest.raises(DomainError) as stranger:
        record_sent_message(dispute=dispute, to_contact=company.globex.contacts.get(), template_code="acknowledge",
                            sent_at=timezone.now() - timedelta(days=1), by=analyst)
    assert (later.value.field, naive.value.field, stranger.value.field) == ("sent_at", "sent_at", "contact")
    assert not Message.objects.exists()
