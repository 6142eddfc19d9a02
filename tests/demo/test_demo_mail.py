"""The demo load talks to nobody: no escalation mail leaves, yet the demo's disputes carry their messages."""

from __future__ import annotations

import html
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from ardesk.audit.models import AuditEvent
from ardesk.comms.models import Direction, Message, MessageStatus
from ardesk.disputes.models import Escalation
from ardesk.identity.models import User
from tests.demo.conftest import TODAY
from tests.identity.helpers import sign_in_fully

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hasher")]
INVOICES = 1_500


def load(seed: int = 2026, invoices: int = INVOICES) -> None:
    call_command("demo", "load", invoices=invoices, seed=seed, as_of=TODAY, stdout=StringIO())


def test_the_load_sends_no_mail_even_after_its_commit(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # when the demo is loaded and everything it queued for after its commit runs (escalation rules look again)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load()
    # then escalations happened, to people with an address, and not one mail left
    assert callbacks
    assert Escalation.objects.filter(rule__isnull=True).exists()  # by hand, which mails the owner
    assert AuditEvent.objects.filter(verb="dispute.escalated").exists()
    assert mail.outbox == []


def test_demo_disputes_carry_threads_of_recorded_and_received_mail():
    load()
    out = Message.objects.filter(direction=Direction.OUT)
    replies = Message.objects.filter(direction=Direction.IN)
    assert out.exists() and replies.exists()
    assert set(out.values_list("status", flat=True)) == {MessageStatus.SENT}
    # each reply came in as an e-mail answering one of ours, and threaded into that message's dispute
    for reply in replies.select_related("dispute"):
        parent = Message.objects.get(message_id=reply.in_reply_to)
        assert reply.status == MessageStatus.THREADED and reply.dispute_id == parent.dispute_id
        assert reply.raw_file and reply.created_at > parent.created_at
    # a dispute waiting on the customer was asked and has no answer yet; the demo keeps one of each state
    waiting = out.filter(dispute__status="waiting_on_customer")
    assert waiting.exists() and not replies.filter(dispute__status="waiting_on_customer").exists()
    assert AuditEvent.objects.filter(verb="dispute.message_recorded").count() == out.count()
    assert AuditEvent.objects.filter(verb="dispute.message_received").count() == replies.count()


def test_the_dispute_page_shows_the_demo_thread(client):
    load()
    reply = Message.objects.filter(direction=Direction.IN).order_by("pk").first()
    assert reply is not None
    ours = Message.objects.get(message_id=reply.in_reply_to)
    page = sign_in_fully(client, User.objects.get(username="ada")).get(
        reverse("disputes:detail", args=[reply.dispute_id]))
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert reply.subject in text and ours.subject in text and "Photos" not in reply.subject
    assert "Message received" in text and "Message to the customer recorded" in text
