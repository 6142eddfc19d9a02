"""Filling a message template for one dispute: the words managers wrote, the dispute's facts in them.

Templates are Django template text rendered by an engine of their own: no file loaders, no custom
tags beyond `money`, and no autoescaping (the mail is plain text). What a template may name is the
context built here, with money already formatted in the dispute's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError

from ardesk.audit.models import AuditEvent
from ardesk.customers.models import Contact
from ardesk.disputes.models import Dispute, DisputeSettlement
from ardesk.errors import DomainError
from ardesk.web.templatetags.ardesk import money

_ENGINE = Engine(autoescape=False, libraries={"ardesk": "ardesk.web.templatetags.ardesk"},
                 builtins=["ardesk.web.templatetags.ardesk"], string_if_invalid="")

# Documented for managers on the template page: every name a template may use.
VARIABLES: dict[str, str] = {
    "dispute.number": "the dispute's number (DSP-…)",
    "dispute.status": "its status in words",
    "customer.name": "the customer's name",
    "customer.number": "the customer's number",
    "contact.name": "the name of the person written to",
    "amount": "the amount in dispute, e.g. EUR 1,250.00",
    "outstanding": "what is still in dispute after earlier resolutions",
    "invoices": "the invoice numbers, comma-separated",
    "accepted_amount": "what was granted to the customer",
    "credit_memos": "the credit memo numbers booked by the resolution",
    "credit_amount": "the total of those credit memos",
    "outcome": "accepted, partly accepted or rejected",
    "resolution_note": "the reason given when the dispute was resolved (why it was rejected)",
    "note": "the sender's own words, typed when sending",
    "sender": "the name of the person sending",
    "company": "our company's name",
}


class TemplateError(DomainError):
    pass


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def check_template(subject: str, body: str) -> None:
    """Refuse template text that does not parse, naming the field."""
    for name, text in (("subject", subject), ("body", body)):
        try:
            _ENGINE.from_string(text)
        except TemplateSyntaxError as exc:
            raise TemplateError(f"the {name} is not a valid template: {exc}", field=name) from exc


def render_text(text: str, context: dict[str, Any], *, field: str) -> str:
    try:
        return _ENGINE.from_string(text).render(Context(context, autoescape=False))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"the {field} is not a valid template: {exc}", field=field) from exc


def _credit_memos(dispute: Dispute) -> tuple[list[str], Decimal]:
    rows = (DisputeSettlement.objects.filter(dispute=dispute, credit_memo__isnull=False)
            .select_related("credit_memo").order_by("pk"))
    numbers = list(dict.fromkeys(row.credit_memo.number for row in rows if row.credit_memo))
    return numbers, sum((row.amount for row in rows), Decimal(0))


def _money(amount: Decimal, currency: str) -> str:
    # Babel joins code and number with a no-break space; a plain-text mail reads better with a plain one.
    return money(amount, currency).replace("\xa0", " ")


def dispute_context(*, dispute: Dispute, contact: Contact, sender: Any, note: str = "") -> dict[str, Any]:
    """What a template may say about this dispute (see VARIABLES)."""
    currency = dispute.currency
    memos, credit = _credit_memos(dispute)
    resolved = (AuditEvent.objects.filter(subject_type="disputes.dispute", subject_id=str(dispute.pk),
                                          verb="dispute.resolved").order_by("-seq").values_list("reason", flat=True)
                .first())
    invoices = list(dict.fromkeys(dispute.items.order_by("pk").values_list("invoice__number", flat=True)))
    full_name = getattr(sender, "get_full_name", lambda: "")() or getattr(sender, "username", "")
    return {
        "dispute": {"number": dispute.number, "status": dispute.get_status_display(),
                    "description": dispute.description},
        "customer": {"name": dispute.customer.name, "number": dispute.customer.number},
        "contact": {"name": contact.name, "email": contact.email},
        "amount": _money(dispute.amount, currency),
        "outstanding": _money(dispute.outstanding_amount, currency),
        "invoices": ", ".join(invoices),
        "accepted_amount": _money(dispute.accepted_amount, currency),
        "credit_memos": ", ".join(memos),
        "credit_amount": _money(credit, currency),
        "outcome": dispute.get_outcome_display() if dispute.outcome else "",
        "resolution_note": resolved or "",
        "note": note,
        "sender": full_name,
        "company": settings.ARDESK_COMPANY_NAME,
    }


def render(subject: str, body: str, context: dict[str, Any]) -> Rendered:
    rendered_subject = " ".join(render_text(subject, context, field="subject").split())
    rendered_body = render_text(body, context, field="body").strip() + "\n"
    if not rendered_subject:
        raise TemplateError("the subject is empty once filled in", field="subject")
    return Rendered(subject=rendered_subject, body=rendered_body)
