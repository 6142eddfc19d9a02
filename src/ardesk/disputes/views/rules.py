"""Escalation and auto-resolution rules for managers, the review list of what rules settled, the SLA breach
counts, and the dispute page's escalation panel with its "escalate" button.

Thin: forms parse, services check and write, queries read. Rules are company-wide (no customer scope); the
review list, the breach counts and the escalate button only reach disputes of customers in the user's scope.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ardesk.disputes import escalation as esc
from ardesk.disputes import escalation_queries as eq
from ardesk.disputes import services
from ardesk.disputes.models import AutoResolutionRule, Dispute, EscalationRule
from ardesk.disputes.queue import dispute_or_404
from ardesk.disputes.views.actions import perform
from ardesk.disputes.views.panels import register
from ardesk.disputes.views.rule_forms import AutoRuleForm, EscalateForm, EscalationRuleForm, ReviewForm
from ardesk.errors import Conflict, DomainError
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.roles import Permission
from ardesk.web.paging import paginate

PER_PAGE = 50


def _message(exc: DomainError) -> str:
    return exc.message[:1].upper() + exc.message[1:] + "."


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def rules_page(request: HttpRequest) -> HttpResponse:
    """Both kinds of rules, active ones first."""
    return render(request, "disputes/rules/list.html", {
        "escalation_rules": eq.escalation_rules(), "auto_rules": eq.auto_rules(),
        "currency": _company_currency()})


def _company_currency() -> str:
    return str(settings.ARDESK_COMPANY_CURRENCY)


def _rule_form(request: HttpRequest, *, form: django_forms.Form, template_title: str, save: Any,
               rule: Any = None) -> HttpResponse:
    """Show the form; on POST save through the service, or show the form again with the refusal."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save(dict(form.cleaned_data))
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, _message(exc))
                status = 409 if isinstance(exc, Conflict) else 400
            else:
                messages.success(request, f"Rule {saved.name} is saved.")
                return redirect("disputes:rules")
        else:
            status = 400
    return render(request, "disputes/rules/form.html", {"form": form, "title": template_title, "rule": rule,
                                                        "currency": _company_currency()}, status=status)


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def escalation_rule_create(request: HttpRequest) -> HttpResponse:
    form = EscalationRuleForm(request.POST if request.method == "POST" else None)
    return _rule_form(request, form=form, template_title="New escalation rule",
                      save=lambda data: services.create_escalation_rule(by=acting_user(request), **data))


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def escalation_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(EscalationRule, pk=pk)
    form = (EscalationRuleForm(request.POST) if request.method == "POST" else EscalationRuleForm.for_rule(rule))
    return _rule_form(request, form=form, template_title=f"Escalation rule {rule.name}", rule=rule,
                      save=lambda data: services.update_escalation_rule(rule=rule, by=acting_user(request), **data))


@require_POST
@requires(Permission.MANAGE_DISPUTE_RULES)
def escalation_rule_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(EscalationRule, pk=pk)
    services.deactivate_escalation_rule(rule=rule, by=acting_user(request))
    messages.success(request, f"Rule {rule.name} is deactivated: it fires no more.")
    return redirect("disputes:rules")


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def auto_rule_create(request: HttpRequest) -> HttpResponse:
    form = AutoRuleForm(request.POST if request.method == "POST" else None)
    return _rule_form(request, form=form, template_title="New auto-resolution rule",
                      save=lambda data: services.create_auto_rule(by=acting_user(request), **data))


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def auto_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AutoResolutionRule, pk=pk)
    form = AutoRuleForm(request.POST) if request.method == "POST" else AutoRuleForm.for_rule(rule)
    return _rule_form(request, form=form, template_title=f"Auto-resolution rule {rule.name}", rule=rule,
                      save=lambda data: services.update_auto_rule(rule=rule, by=acting_user(request), **data))


@require_POST
@requires(Permission.MANAGE_DISPUTE_RULES)
def auto_rule_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AutoResolutionRule, pk=pk)
    services.deactivate_auto_rule(rule=rule, by=acting_user(request))
    messages.success(request, f"Rule {rule.name} is deactivated: it settles nothing more.")
    return redirect("disputes:rules")


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def auto_resolutions(request: HttpRequest) -> HttpResponse:
    """What rules settled by themselves (unreviewed first), and the SLA breaches by reason and by owner."""
    rows = eq.visible_auto_resolutions(request.user)
    if request.GET.get("show") != "all":
        rows = rows.filter(reviewed_at__isnull=True)
    page = paginate(request, rows, per_page=PER_PAGE)
    return render(request, "disputes/rules/auto_resolutions.html", {
        "page": page, "rows": page.object_list, "show_all": request.GET.get("show") == "all",
        "breaches": eq.sla_breaches(request.user, today=timezone.localdate()), "review_form": ReviewForm()})


@require_POST
@requires(Permission.MANAGE_DISPUTE_RULES)
def auto_resolution_review(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(eq.visible_auto_resolutions(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is limited to 300 characters.")
        return redirect("disputes:auto_resolutions")
    try:
        services.review_auto_resolution(auto_resolution=row, note=form.cleaned_data["note"], by=acting_user(request))
    except DomainError as exc:
        messages.error(request, _message(exc))
        return redirect("disputes:auto_resolutions")
    messages.success(request, f"The auto-resolution of {row.dispute.number} is reviewed.")
    return redirect("disputes:auto_resolutions")


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    """The dispute page's "escalate" button."""
    dispute = dispute_or_404(request.user, pk)

    def run(d: Dispute, data: dict[str, Any]) -> str:
        row = services.escalate(dispute=d, level=data["level"], reason=data["reason"], by=acting_user(request))
        return f"Dispute {d.number} is escalated to {row.get_level_display()}."

    return perform(request, dispute, "escalate", EscalateForm(request.POST), run, "dispute-escalations")


@register
def escalations_panel(request: HttpRequest, dispute: Dispute) -> dict[str, Any]:
    user: Any = request.user
    may_escalate = (user.may(Permission.HANDLE_DISPUTES) and dispute.is_open
                    and esc.level_rank(dispute.escalation_level) < esc.level_rank("legal"))
    return {
        "escalations": list(eq.escalations_of(dispute)),
        "escalation_sla": esc.sla_state(is_open=dispute.is_open, sla_due=dispute.sla_due,
                                        today=timezone.localdate()),
        "escalate_form": EscalateForm() if may_escalate else None,
        "escalate_url": reverse("disputes:escalate", args=[dispute.pk]),
        "auto_resolved_by": getattr(getattr(dispute, "auto_resolution", None), "rule", None),
    }
