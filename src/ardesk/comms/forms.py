"""Forms of the mail pages: they check the shape of what was typed; the services check the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from ardesk.comms import queries
from ardesk.comms.services.outbound import MAX_BODY, MAX_NOTE, MAX_SUBJECT
from ardesk.customers.models import Contact
from ardesk.disputes.models import Dispute


class _ContactChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} <{obj.email}>"


class SendForm(forms.Form):
    """A message to one of the dispute's contacts: a template (with an optional note), or free text."""

    contact = _ContactChoice(queryset=Contact.objects.none(), label="To")
    template_code = forms.ChoiceField(label="Template", required=False)
    note = forms.CharField(label="Your note (fills {{ note }} in the template)", required=False,
                           max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3}))
    subject = forms.CharField(label="Subject (free text, without a template)", required=False,
                              max_length=MAX_SUBJECT)
    body = forms.CharField(label="Body (free text)", required=False, max_length=MAX_BODY,
                           widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, dispute: Dispute, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "mail-%s")  # the dispute page holds other forms with a note
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = queries.recipients(dispute)
        language = dispute.customer.language or "en"
        choices = [(t.code, t.name) for t in queries.active_templates(language)]
        self.template_codes = {code for code, _ in choices}
        free_text = ("", "(free text: type subject and body)")
        cast(forms.ChoiceField, self.fields["template_code"]).choices = [*choices, free_text]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("template_code") and not (data.get("subject") and data.get("body")):
            raise forms.ValidationError("choose a template, or type both a subject and a body")
        return data


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=100)
    subject = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), max_length=20_000)
    active = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FileForm(forms.Form):
    dispute = forms.CharField(label="Dispute number", max_length=20,
                              widget=forms.TextInput(attrs={"placeholder": "DSP-0000123"}))


def error_messages(form: forms.Form) -> list[str]:
    return [f"{form.fields[name].label or name}: {error}" if name != "__all__" else str(error)
            for name, errors in form.errors.items() for error in errors]
