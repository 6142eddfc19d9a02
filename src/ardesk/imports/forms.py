"""The upload form: which kind of file, the file itself (within the size limit), and whether only to check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from ardesk.imports.report import Kind

KIND_LABELS = {
    Kind.CUSTOMERS: "Customers", Kind.CONTACTS: "Contacts", Kind.INVOICES: "Invoices",
    Kind.INVOICE_LINES: "Invoice lines", Kind.CREDIT_MEMOS: "Credit memos", Kind.PAYMENTS: "Payments",
    Kind.FX_RATES: "FX rates",
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.value, KIND_LABELS[k]) for k in Kind], label="What the file holds")
    file = forms.FileField(label="CSV or XLSX file", help_text="The first row names the columns.")
    dry_run = forms.BooleanField(required=False, label="Only check the file; write nothing")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.ARDESK_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}.")
        return upload
