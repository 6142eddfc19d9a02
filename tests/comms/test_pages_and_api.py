"""The dispute page's messages, the unmatched-mail and template pages, and the mail API routes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail as outbox
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ardesk.comms.models import Message, MessageStatus, MessageTemplate
from ardesk.comms.services import ingest_email
from ardesk.disputes.models import Dispute
from ardesk.identity.services import issue_token
from tests.comms.conftest import Company, eml
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def see_all(settings: Any) -> None:
    settings.ARDESK_SEE_ALL_CUSTOMERS = True


def _api(user: Any) -> Client:
    token = issue_token(user=user, name="t", scopes=["read", "write"], by=user)[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_the_dispute_page_shows_the_conversation_and_sends_a_templated_message(
        see_all: None, client: Client, login_as: Any, company: Company, dispute: Dispute, analyst: Any) -> None:
    login_as(analyst)
    ingest_email(eml("reply.eml", message_id="<x@y>", subject=f"[{dispute.number}] our proof"), source="file")
    # when: the analyst sends the acknowledgement from the page
    response = client.post(reverse("comms:send", args=[dispute.pk]),
                           {"contact": company.sue.pk, "template_code": "acknowledge", "note": "Thanks!"})
    # then
    assert response.status_code == 302 and response["Location"].endswith("#dispute-messages")
    assert len(outbox.outbox) == 1 and outbox.outbox[0].to == ["sue@acme-foods.example"]
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert f"[{dispute.number}] our proof" in page and "from sue@acme-foods.example" in page
    assert f"[{dispute.number}] We have received your query on ACME-INV-1001" in page
    assert 'id="mail-form"' in page


def test_a_refused_send_shows_the_page_again_with_the_reason(
        see_all: None, client: Client, login_as: Any, company: Company, dispute: Dispute, analyst: Any) -> None:
    login_as(analyst)
    response = client.post(reverse("comms:send", args=[dispute.pk]), {"contact": company.sue.pk, "template_code": ""})
    assert response.status_code == 400
    assert "choose a template, or type both a subject and a body" in response.content.decode()
    assert not Message.objects.exists()


def test_a_do_not_contact_customer_offers_no_form(
        see_all: None, client: Client, login_as: Any, company: Company, dispute: Dispute, analyst: Any) -> None:
    company.acme.do_not_contact = True
    company.acme.save()
    login_as(analyst)
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert "must not be contacted" in page and 'id="mail-form"' not in page


def test_an_analyst_files_unmatched_mail_from_its_page(
        see_all: None, client: Client, login_as: Any, company: Company, dispute: Dispute, analyst: Any) -> None:
    message = ingest_email(eml("unknown_sender.eml"), source="file")
    login_as(analyst)
    page = client.get(reverse("comms:unmatched")).content.decode()
    assert "somebody@nowhere.example" in page and "unknown sender" in page
    response = client.post(reverse("comms:file_unmatched", args=[message.pk]), {"dispute": dispute.number.lower()})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.THREADED and message.dispute == dispute
    assert "No unmatched mail." in client.get(reverse("comms:unmatched")).content.decode()


def test_a_manager_rewords_a_template_and_a_broken_one_is_refused(client: Client, login_as: Any) -> None:
    manager = UserFactory(username="mia", role="ar_manager")
    template = MessageTemplate.objects.get(code="acknowledge", language="en")
    login_as(manager)
    url = reverse("comms:template_edit", args=[template.pk])
    broken = client.post(url, {"name": "Ack", "subject": "{% if %}", "body": "x", "active": "on",
                               "version": template.version})
    assert broken.status_code == 400 and "not a valid template" in broken.content.decode()
    saved = client.post(url, {"name": "Ack", "subject": "Got it: {{ dispute.number }}", "body": "Thanks.",
                              "active": "on", "version": template.version})
    assert saved.status_code == 302
    template.refresh_from_db()
    assert (template.subject, template.version) == ("Got it: {{ dispute.number }}", 2)


def test_the_api_sends_and_lists_a_disputes_messages(
        see_all: None, company: Company, dispute: Dispute, analyst: Any) -> None:
    api = _api(analyst)
    sent = api.post(f"/api/v1/disputes/{dispute.pk}/messages", data=json.dumps(
        {"contact_id": company.sue.pk, "template_code": "reminder_waiting"}), content_type="application/json")
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["status"] == "sent" and body["dispute"] == dispute.number
    assert body["subject"].startswith(f"[{dispute.number}] Reminder")
    listed = api.get(f"/api/v1/disputes/{dispute.pk}/messages").json()
    assert [m["message_id"] for m in listed["items"]] == [body["message_id"]]


def test_the_api_refuses_a_contact_of_another_customer(
        see_all: None, company: Company, dispute: Dispute, analyst: Any) -> None:
    other = company.globex.contacts.get()
    sent = _api(analyst).post(f"/api/v1/disputes/{dispute.pk}/messages", data=json.dumps(
        {"contact_id": other.pk, "template_code": "acknowledge"}), content_type="application/json")
    assert sent.status_code == 404 and sent.json()["field"] == "contact_id"


def test_the_inbound_route_takes_raw_mail_once(company: Company, analyst: Any) -> None:
    api = _api(analyst)
    first = api.post("/api/v1/mail/inbound", data=eml("plain_dispute.eml"), content_type="message/rfc822")
    again = api.post("/api/v1/mail/inbound", {"file": SimpleUploadedFile("m.eml", eml("plain_dispute.eml"))})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["status"] == "received"
    assert Dispute.objects.count() == 1


def test_the_inbound_route_refuses_what_is_not_a_mail(company: Company, analyst: Any) -> None:
    response = _api(analyst).post("/api/v1/mail/inbound", data=b"{}", content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "from"


def test_the_inbound_route_names_the_missing_file_of_a_multipart_body(company: Company, analyst: Any) -> None:
    # a form without the `file` field: the form was read, so there is no raw body to fall back on (was a 500)
    response = _api(analyst).post("/api/v1/mail/inbound", {"note": "no mail here"})
    assert response.status_code == 422 and response.json()["field"] == "file"
