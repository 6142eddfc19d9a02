"""Forms of the rule pages and the escalate button. They only parse; the services check and write."""

from __future__ import annotations

from django import forms

from ardesk.disputes.models import (
    AutoResolutionRule,
    Department,
    EscalationLevel,
    EscalationRule,
    Kind,
    Priority,
    ReasonCode,
    RootCause,
)


def money_field(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(max_digits=18, decimal_places=2, min_value=0, required=required, label=label)


class EscalationRuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    position = forms.IntegerField(min_value=0, max_value=100_000, initial=0, required=False,
                                  help_text="Rules run in this order (lowest first).")
    min_age_days = forms.IntegerField(min_value=0, max_value=100_000, required=False, label="Older than (days)")
    min_amount = money_field("Amount at least (company currency)", required=False)
    segment = forms.CharField(max_length=40, required=False, label="Customer segment")
    reason_code = forms.ModelChoiceField(ReasonCode.objects.filter(active=True), required=False,
                                         empty_label="Any reason")
    sla_breached = forms.BooleanField(required=False, label="Only past the SLA date")
    min_repeat_count = forms.IntegerField(min_value=1, max_value=100_000, required=False,
                                          label="Customer's disputes in 90 days at least")
    escalate_to = forms.ChoiceField(choices=[("", "Do not escalate"), *EscalationLevel.choices], required=False)
    raise_priority_to = forms.TypedChoiceField(choices=[("", "Keep"), *Priority.choices], coerce=int,
                                               empty_value=None, required=False, label="Raise priority to")
    notify = forms.BooleanField(required=False, initial=True, label="Notify by e-mail")
    active = forms.BooleanField(required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: EscalationRule) -> EscalationRuleForm:
        return cls(initial={name: getattr(rule, name) for name in cls.base_fields})


class AutoRuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.DEDUCTION)
    reason_code = forms.ModelChoiceField(ReasonCode.objects.filter(active=True), required=False,
                                         empty_label="Any reason")
    max_amount = money_field("Per dispute at most (company currency)")
    monthly_cap = money_field("Per calendar month at most (company currency)")
    max_rejected_last_year = forms.IntegerField(min_value=0, max_value=1000, initial=0,
                                                label="Clean record: rejected disputes in a year at most")
    root_cause = forms.ModelChoiceField(RootCause.objects.filter(active=True), label="Close with root cause")
    responsible_department = forms.ChoiceField(choices=Department.choices, label="Responsible department")
    active = forms.BooleanField(required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: AutoResolutionRule) -> AutoRuleForm:
        return cls(initial={name: getattr(rule, name) for name in cls.base_fields})


class EscalateForm(forms.Form):
    level = forms.ChoiceField(choices=EscalationLevel.choices)
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    note = forms.CharField(max_length=300, required=False)

