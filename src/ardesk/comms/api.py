"""Mail over the API: a dispute's messages (list, send) and the inbound gateway for raw .eml files.

`dispute_router` is mounted into the disputes API (/api/v1/disputes/{id}/messages); `router` under
/api/v1/mail. Thin: each handler checks permission and scope and calls one service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ardesk.apikit.access import get_or_404, require
from ardesk.apikit.errors import ERROR_RESPONSES, ErrorOut
from ardesk.apikit.fields import Id
from ardesk.apikit.pagination import PageQuery, page_of, paginate
from ardesk.comms import conf, services
from ardesk.comms.models import Message
from ardesk.comms.services.outbound import MAX_BODY, MAX_NOTE, MAX_SUBJECT
from ardesk.customers.models import Contact
from ardesk.disputes.models import Dispute
from ardesk.disputes.queries import visible_disputes
from ardesk.errors import DomainError
from ardesk.identity.roles import Permission

ERRORS = ERROR_RESPONSES
router = Router()
dispute_router = Router()


class MessageOut(Schema):
    id: int
    direction: str = Field(description="in (received) or out (sent).")
    status: str = Field(description="sent, failed, received (raised a dispute), threaded or unmatched.")
    dispute: str | None = Field(None, description="The dispute's number.")
    customer_id: int | None
    contact_id: int | None
    from_address: str
    to_addresses: str
    cc_addresses: str
    subject: str
    body: str
    message_id: str
    in_reply_to: str
    template_code: str
    error: str = Field(description="Why sending failed.")
    note: str = Field(description="Why a mail was not matched; attachments that were refused.")
    attachment_count: int
    sent_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_dispute(obj: Message) -> str | None:
        return obj.dispute.number if obj.dispute else None

    @staticmethod
    def resolve_sent_by(obj: Message) -> str | None:
        return obj.sent_by.username if obj.sent_by else None


class SendIn(Schema):
    contact_id: Id = Field(description="One of the dispute's customer's contacts.")
    template_code: str | None = Field(None, max_length=40, description="A message template; or subject and body.")
    subject: str | None = Field(None, max_length=MAX_SUBJECT)
    body: str | None = Field(None, max_length=MAX_BODY)
    note: str = Field("", max_length=MAX_NOTE, description="Fills {{ note }} in the template.")


def _messages() -> Any:
    return Message.objects.select_related("dispute", "sent_by")


def _dispute(user: Any, pk: int) -> Dispute:
    return get_or_404(visible_disputes(user).select_related("customer"), what="dispute", pk=pk)


@dispute_router.get("/{int:dispute_id}/messages", response={200: page_of(MessageOut), **ERRORS},
                    summary="List a dispute's messages")
def list_messages(request: HttpRequest, dispute_id: Id, page: Query[PageQuery]) -> Any:
    """Mail sent and received about the dispute, oldest first."""
    user = require(request, Permission.VIEW_LEDGER)
    dispute = _dispute(user, dispute_id)
    return paginate(_messages().filter(dispute=dispute), key="created_at", page=page,
                    resource=f"dispute-messages:{dispute_id}")


@dispute_router.post("/{int:dispute_id}/messages", response={201: MessageOut, **ERRORS}, summary="Send a message")
def send_message(request: HttpRequest, dispute_id: Id, payload: SendIn) -> Any:
    """Mail one of the customer's contacts, from a template or as free text; the subject carries the dispute's tag.

    If the mail server refuses, the answer is a 422 naming the server's error, and the message is kept as failed.
    """
    user = require(request, Permission.HANDLE_DISPUTES)
    dispute = _dispute(user, dispute_id)
    contact = get_or_404(Contact.objects.filter(customer_id=dispute.customer_id), what="contact of this customer",
                         field="contact_id", pk=payload.contact_id)
    message = services.send_dispute_message(dispute=dispute, to_contact=contact, template_code=payload.template_code,
                                            subject=payload.subject, body=payload.body, note=payload.note, by=user)
    return Status(201, _messages().get(pk=message.pk))


@router.post("/inbound", response={201: MessageOut, 200: MessageOut, **ERRORS, 413: ErrorOut},
             summary="Receive an e-mail", openapi_extra={"requestBody": {"required": True, "content": {
                 "message/rfc822": {"schema": {"type": "string", "format": "binary"}},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "file": {"type": "string", "format": "binary"}}, "required": ["file"]}},
             }}})
def inbound(request: HttpRequest) -> Any:
    """For a mail gateway: the raw mail as the body (message/rfc822) or as the multipart field `file`.

    201 with the kept message (threaded, raised or unmatched, with the reason); 200 with the same message when
    it was received before (nothing changes). Bodies over 2.5 MB must come as a multipart file.
    """
    user = require(request, Permission.HANDLE_DISPUTES)
    upload = request.FILES.get("file")
    if upload is None and request.content_type == "multipart/form-data":
        # Reading the form consumed the body: there is no raw mail to fall back on.
        raise DomainError("a multipart body must carry the mail in the field `file`", field="file")
    if upload is not None and upload.size is not None and upload.size > conf.max_mail_bytes():
        raise services.MailTooLarge(f"the e-mail is larger than {conf.max_mail_bytes()} bytes", field="file")
    raw = upload.read() if upload is not None else request.body
    message, new = services.receive_email(raw, source="api", by=user)
    return Status(201 if new else 200, _messages().get(pk=message.pk))
