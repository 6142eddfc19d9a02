"""The dispute page's Messages section: the conversation with the customer and the form to write to them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ardesk.comms import queries
from ardesk.comms.forms import SendForm
from ardesk.comms.models import Direction, MessageStatus
from ardesk.comms.next_message import owed_message
from ardesk.disputes.models import Dispute
from ardesk.disputes.views.panels import register
from ardesk.identity.roles import Permission


@register
def messages_panel(request: HttpRequest, dispute: Dispute) -> dict[str, Any]:
    messages = list(queries.messages_of(dispute))
    depth = queries.thread_depth(messages)
    user: Any = request.user
    may_send = user.may(Permission.HANDLE_DISPUTES) and not dispute.customer.do_not_contact
    owed = owed_message(status=dispute.status, outcome=dispute.outcome, resolved_at=dispute.resolved_at,
                        sent=[(m.template_code, m.created_at) for m in messages
                              if m.direction == Direction.OUT and m.status == MessageStatus.SENT])
    form = None
    if may_send:
        form = SendForm(dispute=dispute)
        primary = queries.recipients(dispute).values_list("pk", flat=True).first()  # primary contacts first
        if primary is not None:
            form.initial["contact"] = primary
        if owed is not None and owed.template_code in form.template_codes:
            form.initial["template_code"] = owed.template_code
        else:
            owed = None
    return {
        "mail_messages": [(m, depth.get(m.pk, 0)) for m in messages],
        "mail_form": form,
        "mail_owed": owed,
        "mail_do_not_contact": dispute.customer.do_not_contact,
    }
