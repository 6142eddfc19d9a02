"""POST handlers for every action of the dispute page. Each checks its permission and the dispute's scope,
validates its form and calls one service; a refusal re-renders the page with the form and the message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ardesk.disputes import forms, services
from ardesk.disputes.models import ApprovalRequest, Dispute, Task
from ardesk.disputes.queue import dispute_or_404
from ardesk.disputes.rules import shown
from ardesk.disputes.views.detail import _status_choices, render_detail, resolve_items
from ardesk.errors import Conflict, DomainError, StaleVersion
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.roles import Permission

Run = Callable[[Dispute, dict[str, Any]], str]

STALE = ("Someone else changed this dispute after you opened it, so your change was not saved. "
         "The page now shows their change; check it and try again.")


def refusal(exc: DomainError) -> tuple[str, int]:
    """The message and HTTP status a page shows for a service's refusal."""
    if isinstance(exc, StaleVersion):
        return STALE, 409
    return exc.message[:1].upper() + exc.message[1:] + ".", 409 if isinstance(exc, Conflict) else 400


def perform(request: HttpRequest, dispute: Dispute, key: str, form: django_forms.Form, run: Run,
            anchor: str) -> HttpResponse:
    """Validate, run the service, and either go back to the page (success) or show the page with the error."""
    if form.is_valid():
        try:
            done = run(dispute, form.cleaned_data)
        except DomainError as exc:
            message, status = refusal(exc)
            if isinstance(exc, StaleVersion):
                dispute = dispute_or_404(request.user, dispute.pk)  # show the newer state, forms reset
                return render_detail(request, dispute, errors=[message], status=status)
            form.add_error(exc.field if exc.field in form.fields else None, message)
            return render_detail(request, dispute, bound={key: form}, errors=[message], status=status)
        messages.success(request, done)
        return redirect(reverse("disputes:detail", args=[dispute.pk]) + f"#{anchor}")
    return render_detail(request, dispute, bound={key: form}, errors=forms.error_messages(form), status=400)


def _version(data: dict[str, Any]) -> int | None:
    value = data.get("version")
    return int(value) if value else None


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = dispute_or_404(request.user, pk)

    def run(d: Dispute, data: dict[str, Any]) -> str:
        moved = services.change_status(dispute=d, to=data["to"], note=data["note"], version=_version(data),
                                       by=acting_user(request))
        return f"{moved.number} is now {moved.get_status_display().lower()}."

    form = forms.StatusForm(request.POST, allowed=_status_choices(dispute) or None)
    return perform(request, dispute, "status", form, run, "actions")


@require_POST
@requires(Permission.REASSIGN_DISPUTES)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = dispute_or_404(request.user, pk)

    def run(d: Dispute, data: dict[str, Any]) -> str:
        services.assign(disputes=[d], owner=data["owner"], department=data["department"] or None,
                        version=_version(data), by=acting_user(request))
        owner = data["owner"]
        return f"{d.number} is now owned by {owner.username if owner else 'nobody'}."

    return perform(request, dispute, "assign", forms.AssignForm(request.POST), run, "actions")


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def set_priority(request: HttpRequest, pk: int) -> HttpResponse:
    def run(d: Dispute, data: dict[str, Any]) -> str:
        changed = services.set_priority(dispute=d, priority=data["priority"], reason=data["reason"],
                                        version=_version(data), by=acting_user(request))
        return f"Priority of {changed.number} is {changed.get_priority_display().lower()}."

    return perform(request, dispute_or_404(request.user, pk), "priority", forms.PriorityForm(request.POST), run,
                   "actions")


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def set_reason(request: HttpRequest, pk: int) -> HttpResponse:
    def run(d: Dispute, data: dict[str, Any]) -> str:
        changed = services.set_reason_code(dispute=d, reason_code=data["reason_code"], reroute=data["reroute"],
                                           version=_version(data), by=acting_user(request))
        return f"Reason of {changed.number}: {changed.reason_code}; SLA due {changed.sla_due:%Y-%m-%d}."

    return perform(request, dispute_or_404(request.user, pk), "reason", forms.ReasonForm(request.POST), run,
                   "actions")


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    def run(d: Dispute, data: dict[str, Any]) -> str:
        added = services.add_comment(dispute=d, body=data["body"], internal=data["internal"],
                                     by=acting_user(request))
        told = [u.username for u in added.mentions.all()]
        return "Comment added" + (f"; told {', '.join(told)}." if told else ".")

    return perform(request, dispute_or_404(request.user, pk), "comment", forms.CommentForm(request.POST), run,
                   "comments")


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def add_task(request: HttpRequest, pk: int) -> HttpResponse:
    def run(d: Dispute, data: dict[str, Any]) -> str:
        task = services.add_task(dispute=d, title=data["title"], department=data["department"],
                                 assignee=data["assignee"], due_date=data["due_date"], by=acting_user(request))
        return f"Task “{task.title}” sent to {task.get_department_display()}."

    return perform(request, dispute_or_404(request.user, pk), "task", forms.TaskForm(request.POST), run, "tasks")


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def complete_task(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    dispute = dispute_or_404(request.user, pk)
    task = Task.objects.filter(dispute=dispute, pk=task_pk).first()
    if task is None:
        raise Http404("no such task")

    def run(d: Dispute, data: dict[str, Any]) -> str:
        done = services.complete_task(task=task, note=data["note"], by=acting_user(request))
        return f"Task “{done.title}” is done."

    return perform(request, dispute, "task_done", forms.TaskDoneForm(request.POST), run, "tasks")


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def record_offer(request: HttpRequest, pk: int) -> HttpResponse:
    def run(d: Dispute, data: dict[str, Any]) -> str:
        offer = services.record_offer(dispute=d, kind=data["kind"], party=data["party"], amount=data["amount"],
                                      note=data["note"], by=acting_user(request))
        return f"{offer.get_kind_display()} of {shown(offer.amount, d.currency)} recorded."

    return perform(request, dispute_or_404(request.user, pk), "offer", forms.OfferForm(request.POST), run, "offers")


@require_POST
@requires(Permission.RESOLVE_DISPUTES)
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def run(d: Dispute, data: dict[str, Any]) -> str:
        form_settlement = form.settlement_value()
        result = services.resolve(dispute=d, outcome=data["outcome"], settlement=form_settlement,
                                  accepted_amount=data["accepted_amount"], note=data["note"],
                                  rebill_lines=data["rebill_lines"], item_amounts=form.item_amounts(),
                                  version=_version(data), by=acting_user(request))
        if result.pending and result.approval is not None:
            return (f"A write-off of {shown(result.approval.amount, d.currency)} is above your limit: "
                    "it now waits for a manager's approval.")
        memos = [s.credit_memo.number for s in result.settlements if s.credit_memo]
        booked = f" Booked: {', '.join(memos)}." if memos else ""
        return f"{d.number} is resolved ({result.dispute.get_outcome_display().lower()}).{booked}"

    dispute = dispute_or_404(request.user, pk)
    form = forms.ResolveForm(request.POST, items=resolve_items(dispute), currency=dispute.currency)
    return perform(request, dispute, "resolve", form, run, "actions")


@require_POST
@requires(Permission.RESOLVE_DISPUTES)
def decide_approval(request: HttpRequest, pk: int, approval_pk: int) -> HttpResponse:
    dispute = dispute_or_404(request.user, pk)
    approval = ApprovalRequest.objects.filter(dispute=dispute, pk=approval_pk).first()
    if approval is None:
        raise Http404("no such approval request")

    def run(d: Dispute, data: dict[str, Any]) -> str:
        decided = services.decide_approval(request=approval, approve=data["decision"] == "approve",
                                           note=data["note"], by=acting_user(request))
        return f"Write-off of {shown(decided.amount, d.currency)} {decided.get_status_display().lower()}."

    return perform(request, dispute, "decision", forms.DecisionForm(request.POST), run, "approvals")


@require_POST
@requires(Permission.RESOLVE_DISPUTES)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    def run(d: Dispute, data: dict[str, Any]) -> str:
        closed = services.close(dispute=d, root_cause=data["root_cause"],
                                responsible_department=data["responsible_department"], note=data["note"],
                                version=_version(data), by=acting_user(request))
        return f"{closed.number} is closed: {closed.root_cause}."

    return perform(request, dispute_or_404(request.user, pk), "close", forms.CloseForm(request.POST), run, "actions")


@require_POST
@requires(Permission.RESOLVE_DISPUTES)
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def run(d: Dispute, data: dict[str, Any]) -> str:
        opened = services.reopen(dispute=d, reason=data["reason"], version=_version(data), by=acting_user(request))
        return f"{opened.number} is back in review."

    return perform(request, dispute_or_404(request.user, pk), "reopen", forms.ReopenForm(request.POST), run,
                   "actions")
