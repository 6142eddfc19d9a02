"""The prevention page (root causes by cost, corrective actions and whether they worked, notes for sales), its
forms, and the sales-notes panel of the dispute page. Thin: forms in, disputes.services and
insights.prevention out."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ardesk.disputes.models import ActionStatus, CorrectiveAction, Department, Dispute, RootCause
from ardesk.disputes.services import hand_to_sales, record_corrective_action, update_corrective_action
from ardesk.disputes.views.panels import register
from ardesk.errors import DomainError
from ardesk.identity.guards import acting_user, requires, scoped_or_404
from ardesk.identity.roles import Permission
from ardesk.insights.dispute_report import parse_period
from ardesk.insights.prevention import DEFAULT_MONTHS, corrective_actions, root_cause_costs, sales_notes

MAX_MONTHS = 24


class ActionForm(forms.Form):
    root_cause = forms.ModelChoiceField(queryset=RootCause.objects.filter(active=True), label="Root cause")
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    department = forms.ChoiceField(choices=Department.choices)
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Effective from")


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Effective from")


class SalesNoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Note for sales")


def _months(raw: str | None) -> int:
    try:
        return min(max(int(raw or DEFAULT_MONTHS), 1), MAX_MONTHS)
    except ValueError:
        return DEFAULT_MONTHS


@requires(Permission.VIEW_REPORTS)
def prevention(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    params = request.GET
    months = _months(params.get("months"))
    context: dict[str, Any] = {"months": months, "as_of": params.get("as_of") or today.isoformat(),
                               "causes": [], "actions": [], "notes": [], "rates": {}}
    try:
        period = parse_period(params.get("as_of"), params.get("raised_from"), params.get("raised_to"), today=today)
        causes, rates = root_cause_costs(period=period, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "insights/prevention.html", context, status=400)
    user = acting_user(request)
    context.update(
        period=period, causes=causes, rates=rates, company_currency=settings.ARDESK_COMPANY_CURRENCY,
        raised_from=period.raised_from.isoformat(), raised_to=period.raised_to.isoformat(),
        actions=corrective_actions(user=request.user, as_of=period.as_of, months=months),
        notes=sales_notes(request.user, limit=50),
        may_manage=user.may(Permission.MANAGE_DISPUTE_RULES),
        action_form=ActionForm(), update_form=ActionUpdateForm(),
    )
    return render(request, "insights/prevention.html", context)


def _errors(form: forms.Form) -> str:
    return "; ".join(f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items())


def _back() -> HttpResponse:
    return redirect(reverse("insights:prevention") + "#corrective-actions")


@require_POST
@requires(Permission.MANAGE_DISPUTE_RULES)
def action_create(request: HttpRequest) -> HttpResponse:
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _back()
    try:
        action = record_corrective_action(by=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Corrective action “{action.title}” recorded.")
    return _back()


@require_POST
@requires(Permission.MANAGE_DISPUTE_RULES)
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(CorrectiveAction, pk=pk)
    form = ActionUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _back()
    try:
        update_corrective_action(action=action, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Corrective action “{action.title}” updated.")
    return _back()


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def sales_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = scoped_or_404(Dispute.objects.all(), request.user, pk=pk)
    form = SalesNoteForm(request.POST)
    target = reverse("disputes:detail", args=[dispute.pk]) + "#dispute-sales-notes"
    if not form.is_valid():
        messages.error(request, "Note for sales: " + _errors(form))
        return redirect(target)
    try:
        notes = hand_to_sales(dispute=dispute, body=form.cleaned_data["body"], by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        reps = ", ".join(f"{n.sales_rep}" + (f" (mailed to {n.sent_to})" if n.sent_to else "") for n in notes)
        messages.success(request, f"Note handed to sales: {reps}.")
    return redirect(target)


@register
def sales_notes_panel(request: HttpRequest, dispute: Dispute) -> dict[str, Any]:
    """The dispute page's sales notes and, for those who work disputes, the form to hand one over."""
    user = request.user
    may = bool(getattr(user, "is_authenticated", False) and user.may(Permission.HANDLE_DISPUTES))  # type: ignore[union-attr]
    reps = sorted({rep for rep in dispute.items.values_list("invoice__sales_rep", flat=True) if rep})
    return {"sales_notes": list(sales_notes(user, dispute=dispute)), "sales_reps": reps,
            "sales_note_form": SalesNoteForm() if may else None}
