"""Reads only the desk's pages need: the audit log as a timeline source, and the admin overview."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse

from ardesk.audit.models import AuditEvent
from ardesk.customers.models import Contact, Customer
from ardesk.identity.models import Team, User
from ardesk.identity.roles import Role
from ardesk.ledger.models import CreditMemo, Invoice, Payment
from ardesk.web.templatetags.ardesk import money
from ardesk.web.timeline import TimelineEntry, register

_CUSTOMER = Customer._meta.label_lower
_DOCUMENTS: tuple[tuple[type[Any], str], ...] = (
    (Invoice, "customer_id"), (Payment, "customer_id"), (CreditMemo, "customer_id"), (Contact, "customer_id"),
)


def _ids_as_text(model: type[Any], fk: str, customer_ids: Sequence[int]) -> QuerySet[Any]:
    # audit subject ids are text: compare as text so the audit_subject_idx index can answer.
    return (model.objects.filter(**{f"{fk}__in": list(customer_ids)})
            .annotate(subject_key=Cast("pk", CharField())).values("subject_key"))


def audit_events_of_customers(customer_ids: Sequence[int]) -> QuerySet[AuditEvent]:
    """Audit events about these customers and their documents (invoices, payments, credit memos, contacts)."""
    condition = Q(subject_type=_CUSTOMER, subject_id__in=[str(pk) for pk in customer_ids])
    for model, fk in _DOCUMENTS:
        condition |= Q(subject_type=model._meta.label_lower, subject_id__in=_ids_as_text(model, fk, customer_ids))
    return AuditEvent.objects.filter(condition).order_by("-seq")


_VERB_TITLES = {
    "customer.created": "Customer {subject} created",
    "customer.changed": "Customer {subject}: details changed",
    "contact.added": "Contact {subject} added",
    "contact.changed": "Contact {subject} changed",
    "invoice.booked": "Invoice {subject} booked",
    "invoice.written_off": "Invoice {subject}: {amount} written off",
    "write_off.reversed": "Invoice {subject}: write-off reversed",
    "payment.recorded": "Payment {subject} received: {amount}",
    "payment.applied": "Payment {source} applied to {subject}: {amount}",
    "credit_memo.booked": "Credit memo {subject} booked: {amount}",
    "credit_memo.applied": "Credit memo {source} applied to {subject}: {amount}",
    "application.reversed": "Application on {subject} reversed: {amount}",
}


def _subject_labels(events: Sequence[AuditEvent]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(type, id) -> (number, currency, url) for the documents the events are about, one query per type."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.subject_id.isdigit():
            wanted.setdefault(event.subject_type, set()).add(int(event.subject_id))
    labels: dict[tuple[str, str], tuple[str, str, str]] = {}
    for model in (Invoice, Payment, CreditMemo, Customer):
        label = model._meta.label_lower
        for pk, number, currency in model.objects.filter(pk__in=wanted.get(label, ())).values_list(
                "pk", "number", "currency"):
            url = reverse("web:invoice_detail", args=[pk]) if model is Invoice else ""
            labels[(label, str(pk))] = (number, currency, url)
    contact_label = Contact._meta.label_lower
    for pk, name in Contact.objects.filter(pk__in=wanted.get(contact_label, ())).values_list("pk", "name"):
        labels[(contact_label, str(pk))] = (name, "", "")
    return labels


def _entry(event: AuditEvent, labels: dict[tuple[str, str], tuple[str, str, str]]) -> TimelineEntry:
    after = event.after if isinstance(event.after, dict) else {}
    number, currency, url = labels.get((event.subject_type, event.subject_id), ("", "", ""))
    currency = currency or str(after.get("currency", ""))
    source = after.get("payment") or after.get("credit_memo") or ""
    template = _VERB_TITLES.get(event.verb)
    if template is None:
        title = event.verb.replace(".", " ").replace("_", " ").capitalize()
        if number:
            title = f"{title}: {number}"
    else:
        amount = money(after.get("amount"), currency) if after.get("amount") is not None else ""
        title = template.format(subject=number or event.subject_id, amount=amount, source=source)
    return TimelineEntry(at=event.created_at, kind="audit", title=title, detail=event.reason,
                         actor=event.actor_label, url=url, sort_key=event.seq)


@register("audit")
def audit_timeline(customer_ids: Sequence[int], limit: int) -> Iterable[TimelineEntry]:
    events = list(audit_events_of_customers(customer_ids)[:limit])
    labels = _subject_labels(events)
    return [_entry(e, labels) for e in events]


def invoice_history(events: Iterable[AuditEvent], invoice: Invoice) -> list[TimelineEntry]:
    """An invoice's audit events in the same words as the account timeline."""
    label = (invoice.number, invoice.currency, "")
    return [_entry(e, {(e.subject_type, e.subject_id): label}) for e in events]


@dataclass(frozen=True)
class AdminOverview:
    users_by_role: list[tuple[str, int]]
    inactive_users: int
    teams: int
    customers: int
    unassigned_customers: int
    invoices: int
    open_invoices: int


def admin_overview() -> AdminOverview:
    counts = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("pk")).order_by())
    return AdminOverview(
        users_by_role=[(role.label, counts.get(role.value, 0)) for role in Role],
        inactive_users=User.objects.filter(is_active=False).count(),
        teams=Team.objects.count(),
        customers=Customer.objects.count(),
        unassigned_customers=Customer.objects.filter(collector__isnull=True).count(),
        invoices=Invoice.objects.count(),
        open_invoices=Invoice.objects.filter(open_amount__gt=0).count(),
    )


def recent_audit_events(limit: int = 20) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.order_by("-seq")[:limit]
