"""The demo's mail threads: a few live disputes get messages to the customer and the customer's replies.

Nothing is sent. What the analysts wrote is recorded as already sent, on the days of the story
(comms' `record_sent_message`, with the templates the company uses); the customer's replies arrive as
real e-mail through comms' `ingest_email` (generated .eml bytes answering our Message-ID), so they
thread back exactly as a reply from a mail gateway would, and the dispute page shows the conversation.
A reply is only written to a dispute that is not waiting on the customer: a reply moves such a
dispute back into review, and the demo keeps one of each state. A reply is received at the time of the
load; like the disputes' raised days (dispute_work._backdate), its row is then dated back to the day of
the story, so the thread reads in order.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.utils import timezone

from ardesk.comms import services as comms
from ardesk.comms.models import Message
from ardesk.customers.models import Contact
from ardesk.demo.context import at
from ardesk.disputes.models import Dispute
from ardesk.disputes.workflow import Status
from ardesk.errors import DomainError
from ardesk.identity.models import User

THREADS = 6  # disputes that get a conversation
# Spread over the states, in this order: one each first, then a second round.
STATES = (Status.WAITING_ON_CUSTOMER, Status.IN_REVIEW, Status.CLOSED, Status.ESCALATED, Status.RESOLVED,
          Status.WAITING_ON_INTERNAL, Status.NEW)
SOURCE = "demo"

_REPLIES = (
    "Thank you. The signed delivery note is with our warehouse; we will forward it by Friday.",
    "We checked again: the goods on the second pallet were not on the truck. Please credit them.",
    "Our buyer confirms the contract price; the invoice uses last year's list price.",
    "Photos of the damaged cartons are on their way. Please hold the reminder until then.",
    "Understood. Our controller will release the undisputed part of the payment this week.",
    "We agree with your proposal and will pay the rest once the credit memo arrives.",
)


def _contact(dispute: Dispute) -> Contact | None:
    if dispute.customer.do_not_contact:
        return None
    return (Contact.objects.filter(customer=dispute.customer, email__contains="@")
            .order_by("-is_primary", "pk").first())


def reply_eml(*, to_message: Message, contact: Contact, body: str, sent: datetime) -> bytes:
    """A customer's reply to one of our messages, as the bytes a mail gateway would hand over."""
    mail = EmailMessage()
    mail["From"] = f"{contact.name} <{contact.email}>"
    mail["To"] = settings.DEFAULT_FROM_EMAIL
    mail["Subject"] = f"Re: {to_message.subject}"
    mail["Date"] = format_datetime(sent)
    mail["Message-ID"] = make_msgid(domain=contact.email.rpartition("@")[2] or "customer.example")
    mail["In-Reply-To"] = to_message.message_id
    mail["References"] = " ".join(filter(None, [to_message.references, to_message.message_id]))
    mail.set_content(f"Hello,\n\n{body}\n\nBest regards\n{contact.name}\n\n> {to_message.body[:400]}")
    return mail.as_bytes()


def _when(raised: date, days: int, hour: int) -> datetime:
    """A moment of the story after the dispute was raised, never in the future (a recorded mail is past)."""
    return min(at(raised + timedelta(days=days), hour), timezone.now() - timedelta(minutes=10 - days))


def _thread(dispute: Dispute, contact: Contact, analyst: User, raised: date, r: random.Random) -> None:
    first = comms.record_sent_message(dispute=dispute, to_contact=contact, template_code="acknowledge",
                                      sent_at=_when(raised, 1, 9), by=analyst)
    if dispute.status == Status.WAITING_ON_CUSTOMER:
        comms.record_sent_message(dispute=dispute, to_contact=contact, template_code="request_documents",
                                  note="the signed proof of delivery", sent_at=_when(raised, 3, 10), by=analyst)
        return  # still waiting: the customer has not answered
    answered = _when(raised, 2, 14)
    reply = comms.ingest_email(reply_eml(to_message=first, contact=contact, body=r.choice(_REPLIES), sent=answered),
                               source=SOURCE)
    Message.objects.filter(pk=reply.pk).update(created_at=answered)  # received on the story's day
    if dispute.status in (Status.RESOLVED, Status.CLOSED) and dispute.outcome:
        comms.record_sent_message(dispute=dispute, to_contact=contact, template_code=f"resolution_{dispute.outcome}",
                                  sent_at=_when(raised, 5, 11), by=analyst)


def add(disputes: dict[int, date], analyst_of: Callable[[Dispute], User], seed: int) -> int:
    """Conversations on up to THREADS of the live disputes (pk → the story's raised day); returns how many."""
    r = random.Random(f"{seed}:dispute-mail")
    rows = Dispute.objects.filter(pk__in=list(disputes), status__in=STATES).select_related("customer").order_by("pk")
    rank: Counter[str] = Counter()
    ordered: list[tuple[int, int, Dispute]] = []
    for dispute in rows:
        ordered.append((rank[dispute.status], STATES.index(Status(dispute.status)), dispute))
        rank[dispute.status] += 1
    done = 0
    for _, _, dispute in sorted(ordered, key=lambda row: row[:2]):
        if done >= THREADS:
            break
        contact = _contact(dispute)
        if contact is None:
            continue
        try:
            _thread(dispute, contact, analyst_of(dispute), disputes[dispute.pk], r)
        except DomainError:
            continue  # e.g. a contact the services refuse: that dispute is left without a thread
        done += 1
    return done
