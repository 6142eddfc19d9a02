"""The dispute page: header, items, the actions the workflow and the user's role allow, the work, the timeline.

The action views (ardesk.disputes.views.actions) re-render this page with their bound form and the
error when a service refuses, so what was typed is kept and the message sits next to the form.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.disputes import forms, queries
from ardesk.disputes.models import ApprovalRequest, ApprovalStatus, Dispute, DisputeItem, ItemSkuShare
from ardesk.disputes.queue import dispute_or_404, sla_state
from ardesk.disputes.views.panels import panel_context
from ardesk.disputes.workflow import TRANSITIONS, WORKING_STATES, Status
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.roles import Permission
from ardesk.web.paging import paginate

TIMELINE_PAGE = 30
COMMENTS_SHOWN = 20  # the latest; "show all" (?comments=all) lists up to ALL_COMMENTS
ALL_COMMENTS = 1000

_TITLES = {
    "dispute.raised": "Raised",
    "dispute.status_changed": "Status changed",
    "dispute.assigned": "Assigned",
    "dispute.priority_changed": "Priority changed",
    "dispute.reason_set": "Reason code chosen",
    "dispute.commented": "Comment added",
    "dispute.task_added": "Task added",
    "dispute.task_completed": "Task done",
    "dispute.offer_recorded": "Offer recorded",
    "dispute.approval_requested": "Write-off sent for approval",
    "dispute.approval_approved": "Write-off approved",
    "dispute.approval_rejected": "Write-off rejected",
    "dispute.resolved": "Resolved",
    "dispute.closed": "Closed",
    "dispute.reopened": "Reopened",
    # mail (ardesk.comms)
    "dispute.message_sent": "Message sent to the customer",
    "dispute.message_recorded": "Message to the customer recorded (sent earlier)",
    "dispute.message_received": "Message received",
    "dispute.message_failed": "Message not sent: the mail server refused it",
    # documents, escalation and rules, prevention
    "dispute.document_attached": "Document attached",
    "dispute.document_removed": "Document removed",
    "dispute.escalated": "Escalated",
    "dispute.rule_fired": "Escalation rule applied",
    "dispute.auto_resolved": "Settled by an auto-resolution rule",
    "dispute.auto_resolution_reviewed": "Auto-resolution reviewed",
    "dispute.handed_to_sales": "Sales opportunity handed to sales",
    "dispute.corrective_action_recorded": "Corrective action recorded",
    "dispute.corrective_action_updated": "Corrective action updated",
    "dispute.stray_files_removed": "Stray document files removed",
}
_SHOWN_KEYS = ("status", "owner", "department", "priority", "reason_code", "outcome", "settlement", "accepted",
               "amount", "title", "kind", "party", "root_cause", "responsible_department", "credit_memos",
               "new_invoice", "mentions", "due_date", "subject", "to", "from", "filename", "escalation_level",
               "escalated_to", "sales_reps")


def event_title(event: AuditEvent) -> str:
    return _TITLES.get(event.verb, event.verb.replace(".", " ").replace("_", " ").capitalize())


def event_detail(event: AuditEvent) -> str:
    """The few fields of the event worth a line on the timeline, before → after where both are known.
    An event with nothing after it (a document removed) shows what it was before."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    if not after:
        before, after = {}, before
    parts = []
    for key in _SHOWN_KEYS:
        if key not in after or after[key] in (None, "", []):
            continue
        value = after[key]
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        label = key.replace("_", " ")
        parts.append(f"{label}: {before[key]} → {shown}" if key in before and before[key] != value
                     else f"{label}: {shown}")
    return " · ".join(parts)


def _status_choices(dispute: Dispute) -> list[Status]:
    if dispute.status in (Status.RESOLVED, Status.CLOSED):
        return []
    return sorted(TRANSITIONS[Status(dispute.status)] & WORKING_STATES, key=list(Status).index)


def resolve_items(dispute: Dispute) -> list[DisputeItem]:
    """The items the resolve form asks about one by one (only an open dispute's; the form wants two or more)."""
    if not dispute.is_open:
        return []
    return list(dispute.items.select_related("invoice", "invoice_line").order_by("pk"))


def _default_forms(dispute: Dispute, items: list[DisputeItem]) -> dict[str, django_forms.Form]:
    version = {"version": dispute.version}
    return {
        "status": forms.StatusForm(initial=version, allowed=_status_choices(dispute)),
        "assign": forms.AssignForm(initial={**version, "owner": dispute.owner_id, "department": dispute.department}),
        "priority": forms.PriorityForm(initial={**version, "priority": dispute.priority}),
        "reason": forms.ReasonForm(initial={**version,
                                            "reason_code": (dispute.reason_code or dispute.suggested_reason)}),
        "comment": forms.CommentForm(),
        "task": forms.TaskForm(initial={"department": dispute.department}),
        "offer": forms.OfferForm(initial={"amount": dispute.outstanding_amount}),
        "resolve": forms.ResolveForm(initial={**version, "settlement": "credit_memo"},
                                     items=items if dispute.is_open else [], currency=dispute.currency),
        "close": forms.CloseForm(initial={**version, "responsible_department": dispute.department}),
        "reopen": forms.ReopenForm(initial=version),
        "decision": forms.DecisionForm(),
        "task_done": forms.TaskDoneForm(),
    }


def _may(user: Any, dispute: Dispute, pending: bool) -> dict[str, bool]:
    handle, resolve_ = user.may(Permission.HANDLE_DISPUTES), user.may(Permission.RESOLVE_DISPUTES)
    is_open, status = dispute.is_open, Status(dispute.status)
    return {
        "handle": handle,
        "move": handle and bool(_status_choices(dispute)),
        "work_open": handle and is_open,  # reason, tasks, offers
        "reassign": user.may(Permission.REASSIGN_DISPUTES),
        "resolve": resolve_ and Status.RESOLVED in TRANSITIONS[status] and not pending,
        "close": resolve_ and status is Status.RESOLVED,
        "reopen": resolve_ and status in (Status.RESOLVED, Status.CLOSED),
        "write_off": user.may(Permission.WRITE_OFF),
    }


def detail_context(request: HttpRequest, dispute: Dispute, *, bound: dict[str, django_forms.Form] | None = None,
                   errors: list[str] | None = None) -> dict[str, Any]:
    user = acting_user(request)
    today = timezone.localdate()
    approvals = list(ApprovalRequest.objects.filter(dispute=dispute).select_related("requested_by", "approver"))
    pending = [a for a in approvals if a.status == ApprovalStatus.PENDING]
    timeline_page = paginate(request, queries.timeline(dispute), param="timeline_page", per_page=TIMELINE_PAGE)
    shown = ALL_COMMENTS if request.GET.get("comments") == "all" else COMMENTS_SHOWN
    comments = list(dispute.comments.select_related("author").prefetch_related("mentions")
                    .order_by("-created_at", "-pk")[:shown + 1])
    items = list(dispute.items.select_related("invoice", "invoice_line").order_by("pk").prefetch_related(
        Prefetch("sku_shares", queryset=ItemSkuShare.objects.order_by("-weight", "sku"))))
    context: dict[str, Any] = {
        "dispute": dispute,
        "user": user,
        "today": today,
        "sla": sla_state(is_open=dispute.is_open, sla_due=dispute.sla_due, today=today),
        "age_days": (today - dispute.raised_on).days,
        "items": items,
        "settlements": list(dispute.settlements.select_related("invoice", "credit_memo", "write_off",
                                                               "new_invoice").order_by("pk")),
        "comments": comments[:shown],
        "comments_total": dispute.comments.count() if len(comments) > shown else len(comments),
        "tasks": list(dispute.tasks.select_related("assignee", "done_by")),
        "offers": list(dispute.offers.select_related("recorded_by").order_by("created_at", "pk")),
        "approvals": approvals,
        "pending_approvals": pending,
        "may": _may(user, dispute, bool(pending)),
        "forms": {**_default_forms(dispute, items), **(bound or {})},
        "errors": errors or [],
        "timeline_page": timeline_page,
        "timeline": [(e, event_title(e), event_detail(e)) for e in timeline_page.object_list],
    }
    for key, value in panel_context(request, dispute).items():
        context.setdefault(key, value)
    return context


def render_detail(request: HttpRequest, dispute: Dispute, *, bound: dict[str, django_forms.Form] | None = None,
                  errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    return render(request, "disputes/detail.html", detail_context(request, dispute, bound=bound, errors=errors),
                  status=status)


@requires(Permission.VIEW_LEDGER)
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, dispute_or_404(request.user, pk))
