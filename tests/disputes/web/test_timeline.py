"""Every verb the services record against a dispute reads as words on the dispute page's timeline."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from ardesk.audit.models import AuditEvent
from ardesk.audit.services import record
from ardesk.comms.models import Direction, Message, MessageStatus
from ardesk.disputes import escalation_queries
from ardesk.disputes.models import ApprovalStatus
from ardesk.disputes.views.detail import _TITLES, event_detail, event_title
from tests.web.html import Page

SRC = Path(__file__).resolve().parents[3] / "src" / "ardesk"
RECORDING = [SRC / "disputes" / "services", SRC / "comms"]  # the code that audits dispute events


def _recorded_verbs() -> set[str]:
    """Each "dispute.*" verb handed to a call (record(verb=…), comms' _audit(…, "dispute.message_sent", …)),
    the escalation rules' FIRED_VERB, and the approval decisions the f-string verb stands for."""
    verbs = {escalation_queries.FIRED_VERB}
    for folder in RECORDING:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call):
                    continue
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and \
                            arg.value.startswith("dispute.") and arg.value[8:].replace("_", "").isalpha():
                        verbs.add(arg.value)
                    elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant) and \
                            arg.values[0].value == "dispute.approval_":
                        verbs |= {f"dispute.approval_{s}" for s in ApprovalStatus.values if s != "pending"}
    return verbs


def test_every_verb_recorded_against_a_dispute_has_a_title():
    verbs = _recorded_verbs()
    # the scan finds what it must (else it would pass by finding nothing)
    assert {"dispute.raised", "dispute.message_sent", "dispute.message_received", "dispute.message_failed",
            "dispute.document_attached", "dispute.escalated", "dispute.rule_fired", "dispute.auto_resolved",
            "dispute.handed_to_sales", "dispute.corrective_action_recorded", "dispute.approval_approved"} <= verbs
    assert sorted(verbs - set(_TITLES)) == []


def test_a_message_shows_its_subject_and_address_and_a_removed_document_its_name():
    sent = AuditEvent(verb="dispute.message_sent", after={
        "message": 7, "message_id": "<x@ardesk.test>", "to": "ap@customer.test",
        "subject": "[DSP-0000007] Your dispute", "template": None, "status": "sent"})
    assert event_title(sent) == "Message sent to the customer"
    assert event_detail(sent) == "status: sent · subject: [DSP-0000007] Your dispute · to: ap@customer.test"
    received = AuditEvent(verb="dispute.message_received", after={"from": "ap@customer.test", "subject": "Re: it"})
    assert event_detail(received) == "subject: Re: it · from: ap@customer.test"
    removed = AuditEvent(verb="dispute.document_removed", before={"filename": "pod.pdf", "kind": "proof_of_delivery"},
                         after=None)
    assert (event_title(removed), event_detail(removed)) == ("Document removed",
                                                             "kind: proof_of_delivery · filename: pod.pdf")


@pytest.mark.django_db
def test_the_dispute_page_titles_a_received_message(desk, signed_in):
    dispute = desk.in_review(desk.raise_on())
    message = Message.objects.create(direction=Direction.IN, status=MessageStatus.THREADED, dispute=dispute,
                                     customer=dispute.customer, from_address="ap@customer.test",
                                     subject="Re: the pallets", body="Photos attached.",
                                     message_id="<reply-1@customer.test>")
    record(actor=desk.analyst, verb="dispute.message_received", subject=dispute,
           after={"message": message.pk, "from": message.from_address, "subject": message.subject})
    page = Page(signed_in(desk.analyst).get(reverse("disputes:detail", args=[dispute.pk])).content)
    timeline = page.text("dispute-timeline")
    assert "Message received subject: Re: the pallets · from: ap@customer.test" in " ".join(timeline.split())
