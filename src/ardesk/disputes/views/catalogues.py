"""The catalogues managers maintain: reason codes (department, SLA, suggester keywords) and root causes.

Thin: the forms parse, ardesk.disputes.services.catalogues checks and writes (audited). A code is never
deleted, only made inactive, so old disputes keep their reason and root cause.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from ardesk.disputes import services
from ardesk.disputes.models import Department, ReasonCode, RootCause
from ardesk.errors import Conflict, DomainError
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.roles import Permission


class ReasonCodeForm(forms.Form):
    code = forms.SlugField(max_length=40, help_text="Short and stable, e.g. pricing; cannot be changed later.")
    label = forms.CharField(max_length=100)
    department = forms.ChoiceField(choices=Department.choices, help_text="Where a dispute of this reason goes.")
    sla_days = forms.IntegerField(min_value=1, max_value=365, label="SLA (days)")
    keywords = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                               help_text="One word or phrase a line: the suggester's fallback before it has history.")
    active = forms.BooleanField(required=False, initial=True)


class RootCauseForm(forms.Form):
    code = forms.SlugField(max_length=40, help_text="Short and stable, e.g. pricing_error; cannot be changed later.")
    label = forms.CharField(max_length=100)
    active = forms.BooleanField(required=False, initial=True)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def catalogues(request: HttpRequest) -> HttpResponse:
    return render(request, "disputes/catalogues/list.html", {
        "reasons": ReasonCode.objects.order_by("-active", "position", "code"),
        "causes": RootCause.objects.order_by("-active", "position", "code")})


def _edit(request: HttpRequest, form: forms.Form, *, title: str, save: Any) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save(form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 409 if isinstance(exc, Conflict) else 400
            else:
                messages.success(request, f"{saved.label} is saved.")
                return redirect("disputes:catalogues")
        else:
            status = 400
    return render(request, "disputes/catalogues/form.html", {"form": form, "title": title}, status=status)


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def reason_code_create(request: HttpRequest) -> HttpResponse:
    form = ReasonCodeForm(request.POST if request.method == "POST" else None)
    return _edit(request, form, title="New reason code", save=lambda d: services.create_reason_code(
        code=d["code"], label=d["label"], department=d["department"], sla_days=d["sla_days"],
        keywords=_lines(d["keywords"]), active=d["active"], by=acting_user(request)))


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def reason_code_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(ReasonCode, pk=pk)
    initial = {"code": row.code, "label": row.label, "department": row.default_department,
               "sla_days": row.sla_days, "keywords": row.keywords, "active": row.active}
    form = ReasonCodeForm(request.POST if request.method == "POST" else None, initial=initial)
    form.fields["code"].disabled = True
    return _edit(request, form, title=f"Reason code {row.code}", save=lambda d: services.update_reason_code(
        reason_code=row, label=d["label"], department=d["department"], sla_days=d["sla_days"],
        keywords=_lines(d["keywords"]), active=d["active"], by=acting_user(request)))


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def root_cause_create(request: HttpRequest) -> HttpResponse:
    form = RootCauseForm(request.POST if request.method == "POST" else None)
    return _edit(request, form, title="New root cause", save=lambda d: services.create_root_cause(
        code=d["code"], label=d["label"], active=d["active"], by=acting_user(request)))


@never_cache
@requires(Permission.MANAGE_DISPUTE_RULES)
def root_cause_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(RootCause, pk=pk)
    form = RootCauseForm(request.POST if request.method == "POST" else None,
                         initial={"code": row.code, "label": row.label, "active": row.active})
    form.fields["code"].disabled = True
    return _edit(request, form, title=f"Root cause {row.code}", save=lambda d: services.update_root_cause(
        root_cause=row, label=d["label"], active=d["active"], by=acting_user(request)))
