"""Sending a message about a dispute to one of its customer's contacts, over SMTP (or, for imports and the
demo, recording one that was sent before, without sending it).

The message row and its audit event are written in the transaction that sends the mail: if SMTP
refuses, that transaction rolls back and a second one records the failed message with the error,
then SendFailed is raised. So the log shows either a sent message or a failed one, never a message
marked sent that did not leave, nor a half-written row.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from datetime import datetime
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.comms import conf, parsing, rendering
from ardesk.comms.models import Direction, Message, MessageStatus, MessageTemplate
from ardesk.customers.models import Contact
from ardesk.disputes.models import Dispute
from ardesk.errors import DomainError

MAX_SUBJECT = 300
MAX_BODY = 50_000
MAX_NOTE = 5_000


class SendFailed(DomainError):
    """The mail server did not take the message; it is kept as failed with the server's answer."""


def _user_or_none(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def template_for(code: str, language: str) -> MessageTemplate:
    """The active template of this code in the customer's language, else in English."""
    rows = {t.language: t for t in MessageTemplate.objects.filter(code=code, active=True)}
    found = rows.get(language) or rows.get(language.split("-")[0]) or rows.get("en")
    if found is None:
        raise DomainError(f"no active message template {code!r}", field="template_code")
    return found


def _check_recipient(dispute: Dispute, contact: Contact) -> None:
    if contact.customer_id != dispute.customer_id:
        raise DomainError(f"{contact.name} is not a contact of {dispute.customer.name}", field="contact")
    if dispute.customer.do_not_contact:
        raise DomainError(f"{dispute.customer.name} must not be contacted (do not contact is set)",
                          field="contact")
    if "@" not in (contact.email or ""):
        raise DomainError(f"{contact.name} has no e-mail address", field="contact")


def _words(*, dispute: Dispute, contact: Contact, template_code: str | None, subject: str | None,
           body: str | None, note: str, by: Any) -> tuple[rendering.Rendered, str]:
    if len(note) > MAX_NOTE:
        raise DomainError(f"the note is limited to {MAX_NOTE} characters", field="note")
    context = rendering.dispute_context(dispute=dispute, contact=contact, sender=by, note=note)
    if template_code:
        template = template_for(template_code, dispute.customer.language or "en")
        return rendering.render(template.subject, template.body, context), template.code
    if not (subject or "").strip() or not (body or "").strip():
        raise DomainError("name a template, or give both a subject and a body", field="template_code")
    if len(subject or "") > MAX_SUBJECT or len(body or "") > MAX_BODY:
        raise DomainError(f"a subject is limited to {MAX_SUBJECT} and a body to {MAX_BODY} characters",
                          field="body")
    # Free text is sent as written: it is not a template, so braces in it are kept.
    return rendering.Rendered(subject=" ".join((subject or "").split()), body=(body or "").strip() + "\n"), ""


def _thread_headers(dispute: Dispute) -> dict[str, str]:
    """In-Reply-To/References to the dispute's newest mail, so the customer's client threads the conversation."""
    last = (Message.objects.filter(dispute=dispute).exclude(status=MessageStatus.FAILED)
            .order_by("-created_at", "-pk").values_list("message_id", "references").first())
    if last is None:
        return {}
    references = " ".join([*parsing.message_ids(last[1])[-10:], last[0]])
    return {"In-Reply-To": last[0], "References": references}


def _audit(message: Message, dispute: Dispute, verb: str, by: Any, **extra: Any) -> None:
    record(actor=by, verb=verb, subject=dispute, after={
        "message": message.pk, "message_id": message.message_id, "to": message.to_addresses,
        "subject": message.subject, "template": message.template_code or None, "status": message.status, **extra,
    }, reason=message.error)


def _outgoing(*, dispute: Dispute, to_contact: Contact, template_code: str | None, subject: str | None,
              body: str | None, note: str, cc: Sequence[str], by: Any) -> tuple[Dispute, dict[str, Any]]:
    """The checked recipient and the words of a message to the customer, as the fields of its row."""
    dispute = Dispute.objects.select_related("customer").get(pk=dispute.pk)
    _check_recipient(dispute, to_contact)
    words, code = _words(dispute=dispute, contact=to_contact, template_code=template_code, subject=subject,
                         body=body, note=note, by=by)
    return dispute, {
        "direction": Direction.OUT, "dispute": dispute, "customer": dispute.customer, "contact": to_contact,
        "from_address": settings.DEFAULT_FROM_EMAIL, "to_addresses": to_contact.email,
        "cc_addresses": ", ".join(cc), "subject": parsing.tagged_subject(words.subject, dispute.number)[:998],
        "body": words.body, "message_id": make_msgid(domain=conf.mail_domain()), "template_code": code,
        "sent_by": _user_or_none(by),
    }


@transaction.atomic
def record_sent_message(
    *, dispute: Dispute, to_contact: Contact, sent_at: datetime, by: Any, template_code: str | None = None,
    subject: str | None = None, body: str | None = None, note: str = "",
) -> Message:
    """Keep a message that already went to the customer (from another system, or in the demo's story) without
    sending anything: the same checks, words and threading headers as `send_dispute_message`, dated when it was
    sent, so the customer's reply to it threads back. Audited as "dispute.message_recorded"."""
    if timezone.is_naive(sent_at):
        raise DomainError("give the time the message was sent with its time zone", field="sent_at")
    if sent_at > timezone.now():
        raise DomainError("a message recorded as sent cannot be sent in the future", field="sent_at")
    dispute, fields = _outgoing(dispute=dispute, to_contact=to_contact, template_code=template_code,
                                subject=subject, body=body, note=note, cc=(), by=by)
    headers = _thread_headers(dispute)
    message = Message.objects.create(status=MessageStatus.SENT, in_reply_to=headers.get("In-Reply-To", ""),
                                     references=headers.get("References", ""), created_at=sent_at, **fields)
    _audit(message, dispute, "dispute.message_recorded", by, sent_at=sent_at)
    return message


def send_dispute_message(
    *, dispute: Dispute, to_contact: Contact, by: Any, template_code: str | None = None,
    subject: str | None = None, body: str | None = None, note: str = "", cc: Sequence[str] = (),
) -> Message:
    """Mail the contact a templated (or free-text) message about the dispute and keep it on its timeline.

    The subject carries the dispute's tag ("[DSP-0000123] …") and the mail our own Message-ID, so a reply
    threads back. A customer marked do-not-contact, or a contact of another customer, is refused.
    """
    dispute, fields = _outgoing(dispute=dispute, to_contact=to_contact, template_code=template_code,
                                subject=subject, body=body, note=note, cc=cc, by=by)
    headers = {"Message-ID": fields["message_id"], **_thread_headers(dispute)}
    mail = EmailMessage(subject=fields["subject"], body=fields["body"], from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[to_contact.email], cc=list(cc), headers=headers,
                        connection=get_connection(timeout=conf.smtp_timeout()))
    try:
        with transaction.atomic():
            message = Message.objects.create(status=MessageStatus.SENT, in_reply_to=headers.get("In-Reply-To", ""),
                                             references=headers.get("References", ""), **fields)
            _audit(message, dispute, "dispute.message_sent", by)
            mail.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:  # OSError covers refused connections and timeouts
        error = f"{type(exc).__name__}: {exc}"[:2000] or type(exc).__name__
        with transaction.atomic():
            failed = Message.objects.create(status=MessageStatus.FAILED, error=error, **fields)
            _audit(failed, dispute, "dispute.message_failed", by)
        raise SendFailed(f"the mail to {to_contact.email} was not sent ({error}); it is kept as failed",
                         field="contact") from exc
    return message
