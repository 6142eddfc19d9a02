"""The dispute page's Messages section: the conversation with the customer and the form to write to them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ardesk.comms import queries
from ardesk.comms.forms import SendForm
from ardesk.disputes.models import Dispute
from ardesk.disputes.views.panels import register
from ardesk.identity.roles import Permission


@register
def messages_panel(request: HttpRequest, dispute: Dispute) -> dict[str, Any]:
    messages = list(queries.messages_of(dispute))
    depth = queries.thread_depth(messages)
    user: Any = request.user
    may_send = user.may(Permission.HANDLE_DISPUTES) and not dispute.customer.do_not_contact
    return {
        "mail_messages": [(m, depth.get(m.pk, 0)) for m in messages],
        "mail_form": SendForm(dispute=dispute) if may_send else None,
        "mail_do_not_contact": dispute.customer.do_not_contact,
    }
