"""Receiving mail: a reply threads into its dispute, a new complaint raises one, the rest waits for an analyst.

Idempotent by Message-ID: a mail already kept is returned as it is, so fetching a mailbox twice or
importing the same .eml again changes nothing. The raw file is kept on disk before anything is
written; its attachments go to the dispute as documents (one refused attachment is noted on the
message, the others are still kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from ardesk.audit.services import SystemActor, record
from ardesk.comms import conf, matching, parsing, storage
from ardesk.comms.models import Direction, Message, MessageStatus
from ardesk.comms.services.attachments import attach_all
from ardesk.customers.models import Contact, Customer
from ardesk.disputes import rules
from ardesk.disputes.models import Channel, Dispute, DisputeItem, Kind
from ardesk.disputes.services import ItemInput, change_status, raise_dispute
from ardesk.disputes.workflow import OPEN_STATES, Status
from ardesk.errors import DomainError
from ardesk.ledger.models import Invoice

MAX_DOMAIN_CUSTOMERS = 20
_OPEN = [s.value for s in OPEN_STATES]


class MailTooLarge(DomainError):
    pass


def _description(mail: parsing.ParsedMail) -> str:
    text = f"{mail.subject}\n\n{mail.body}".strip() if mail.subject else mail.body
    return text[:10_000]


def _base(mail: parsing.ParsedMail, *, raw_file: str, source: str) -> dict[str, Any]:
    return {
        "direction": Direction.IN, "from_address": mail.from_address[:320], "to_addresses": ", ".join(mail.to),
        "cc_addresses": ", ".join(mail.cc), "subject": mail.subject, "body": mail.body,
        "message_id": mail.message_id, "in_reply_to": mail.in_reply_to, "references": " ".join(mail.references),
        "source": source[:100], "raw_file": raw_file, "attachment_count": len(mail.attachments),
    }


def _sender_belongs_to(address: str, customer: Customer) -> Contact | bool:
    """The contact with this address, True when only the domain is the customer's, False when neither."""
    contact = Contact.objects.filter(customer=customer, email__iexact=address).order_by("pk").first()
    if contact is not None:
        return contact
    domain = parsing.domain_of(address)
    return bool(domain and domain not in matching.PUBLIC_DOMAINS
                and Contact.objects.filter(customer=customer, email__iendswith=f"@{domain}").exists())


def thread_into(*, message: Message, dispute: Dispute, attachments: Sequence[parsing.Attachment], how: str,
                by: Any, status: str = MessageStatus.THREADED) -> Message:
    """Keep an inbound mail on the dispute's timeline; a dispute waiting on the customer goes back to review."""
    sender = _sender_belongs_to(message.from_address, dispute.customer)
    message.dispute, message.customer = dispute, dispute.customer
    message.contact = sender if isinstance(sender, Contact) else None
    message.status = status
    message.note = "\n".join(filter(None, [message.note, *attach_all(dispute, attachments, message.subject, by)]))
    message.save()
    record(actor=by, verb="dispute.message_received", subject=dispute, after={
        "message": message.pk, "message_id": message.message_id, "from": message.from_address,
        "subject": message.subject, "threaded_by": how, "attachments": message.attachment_count,
    }, reason=message.note)
    if dispute.status == Status.WAITING_ON_CUSTOMER:
        change_status(dispute=dispute, to=Status.IN_REVIEW, note=f"the customer replied by e-mail: {message.subject}",
                      by=by)
    return message


def _thread_target(mail: parsing.ParsedMail) -> tuple[Dispute | None, str, str]:
    """(dispute, how, refusal): the dispute a reply belongs to, by its references or by the subject tag."""
    if mail.thread_ids:
        known = dict(Message.objects.filter(message_id__in=mail.thread_ids, dispute__isnull=False)
                     .values_list("message_id", "dispute_id"))
        for ref in mail.thread_ids:  # the direct parent first
            if ref in known:
                return Dispute.objects.select_related("customer").get(pk=known[ref]), "reference", ""
    for number in parsing.dispute_tags(mail.subject):
        dispute = Dispute.objects.select_related("customer").filter(number=number).first()
        if dispute is None:
            continue
        if _sender_belongs_to(mail.from_address, dispute.customer) is False:
            # A tag is easy to type: only the customer's own people may add to its dispute by one.
            return None, "", (f"the subject names {number}, but {mail.from_address} is not a contact of its "
                              "customer nor at its domain")
        return dispute, "subject tag", ""
    return None, "", ""


def _match(mail: parsing.ParsedMail) -> matching.Match:
    contacts = [matching.ContactFact(pk, customer_id) for pk, customer_id in
                Contact.objects.filter(email__iexact=mail.from_address).values_list("pk", "customer_id")[:50]]
    domain_customers: set[int] = set()
    if not contacts and mail.domain and mail.domain not in matching.PUBLIC_DOMAINS:
        domain_customers = set(Contact.objects.filter(email__iendswith=f"@{mail.domain}")
                               .values_list("customer_id", flat=True).distinct()[:MAX_DOMAIN_CUSTOMERS])
    tokens = parsing.invoice_tokens(f"{mail.subject}\n{mail.body}")
    invoices = [matching.InvoiceFact(pk, number, customer_id) for pk, number, customer_id in
                Invoice.objects.filter(number__in=tokens).values_list("pk", "number", "customer_id")]
    ids = {c.customer_id for c in contacts} | domain_customers | {i.customer_id for i in invoices}
    names = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "number"))
    return matching.match_sender(address=mail.from_address, contacts=contacts, domain_customers=domain_customers,
                                 invoices=invoices, names=names)


def _open_dispute_on(customer_id: int, invoice_ids: Sequence[int]) -> Dispute | None:
    if not invoice_ids:
        return None
    found = (DisputeItem.objects.filter(dispute__customer_id=customer_id, dispute__status__in=_OPEN,
                                        invoice_id__in=invoice_ids)
             .order_by("-dispute__created_at", "-dispute_id").values_list("dispute_id", flat=True).first())
    return Dispute.objects.select_related("customer").get(pk=found) if found else None


def _raise(customer_id: int, match: matching.Match, mail: parsing.ParsedMail, by: Any) -> Dispute:
    customer = Customer.objects.get(pk=customer_id)
    invoices = list(Invoice.objects.filter(pk__in=match.invoice_ids).order_by("pk"))
    kind = Kind.INVOICE if len(invoices) == 1 else Kind.ACCOUNT
    # The analyst confirms the reason code; raise_dispute stores the suggestion (suggest_reason) and routes by it.
    return raise_dispute(customer=customer, kind=kind, items=[ItemInput(invoice=inv) for inv in invoices],
                         description=_description(mail), channel=Channel.EMAIL, by=by)


def _unmatched(fields: dict[str, Any], reason: str, by: Any) -> Message:
    message = Message.objects.create(status=MessageStatus.UNMATCHED, note=reason[:2000], **fields)
    record(actor=by, verb="mail.unmatched", subject=message,
           after={"from": message.from_address, "subject": message.subject, "message_id": message.message_id},
           reason=message.note)
    return message


def _file(mail: parsing.ParsedMail, fields: dict[str, Any], by: Any) -> Message:
    if mail.from_address == parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower():
        return _unmatched(fields, "sent by ardesk's own address (a loop or a bounce), not by a customer", by)
    dispute, how, refusal = _thread_target(mail)
    if refusal:
        return _unmatched(fields, refusal, by)
    if dispute is None:
        match = _match(mail)
        if not match.matched:
            return _unmatched(fields, match.reason, by)
        customer_id = match.customer_id or 0
        dispute = _open_dispute_on(customer_id, match.invoice_ids)
        how = "open dispute on the invoice"
        if dispute is None:
            try:
                with transaction.atomic():
                    dispute = _raise(customer_id, match, mail, by)
            except rules.LikelyDuplicate as exc:
                # An account complaint overlapping an open dispute: it belongs to that one.
                dispute = (Dispute.objects.select_related("customer").filter(number__in=exc.numbers)
                           .order_by("-created_at", "-pk").first())
                if dispute is None:
                    return _unmatched(fields, exc.message, by)
                how = "open dispute of the account"
            except DomainError as exc:
                return _unmatched(fields, f"no dispute could be raised: {exc.message}", by)
            else:
                message = Message.objects.create(status=MessageStatus.RECEIVED, dispute=dispute, **fields)
                return thread_into(message=message, dispute=dispute, attachments=mail.attachments, how="raised",
                                   by=by, status=MessageStatus.RECEIVED)
    message = Message.objects.create(status=MessageStatus.THREADED, dispute=dispute, **fields)
    return thread_into(message=message, dispute=dispute, attachments=mail.attachments, how=how, by=by)


def ingest_email(raw: bytes, *, source: str, by: Any = None) -> Message:
    """Keep one inbound mail and file it (threaded, raised, or unmatched with the reason). Safe to repeat."""
    return receive_email(raw, source=source, by=by)[0]


def receive_email(raw: bytes, *, source: str, by: Any = None) -> tuple[Message, bool]:
    """`ingest_email`, also saying whether the mail was new (False: it was kept before, nothing changed)."""
    if len(raw) > conf.max_mail_bytes():
        raise MailTooLarge(f"the e-mail is {len(raw)} bytes, more than the {conf.max_mail_bytes()} allowed",
                           field="raw")
    mail = parsing.parse_mail(raw)
    existing = Message.objects.filter(message_id=mail.message_id).first()
    if existing is not None:
        return existing, False
    actor = by if by is not None else SystemActor(f"mail:{source}"[:150])
    fields = _base(mail, raw_file=storage.keep_raw(raw), source=source)
    try:
        with transaction.atomic():
            return _file(mail, fields, actor), True
    except IntegrityError:
        # Another worker kept the same mail a moment earlier: theirs is the one.
        existing = Message.objects.filter(message_id=mail.message_id).first()
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def file_unmatched(*, message: Message, dispute: Dispute, by: Any) -> Message:
    """An analyst puts an unmatched mail on a dispute: it threads there, with its attachments."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.status != MessageStatus.UNMATCHED:
        raise DomainError(f"this mail is already {locked.get_status_display().lower()}", field="message")
    attachments: Sequence[parsing.Attachment] = ()
    if locked.raw_file:
        try:
            attachments = parsing.parse_mail(storage.read_raw(locked.raw_file)).attachments
        except (OSError, DomainError):
            attachments = ()
    locked.note = f"filed by hand (was unmatched: {locked.note})"
    return thread_into(message=locked, dispute=Dispute.objects.select_related("customer").get(pk=dispute.pk),
                       attachments=attachments, how="filed", by=by)
