"""The customer list's query string as a form: every filter validated, every error said in words."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from ardesk.customers.queries import SORT_KEYS, UNASSIGNED, CustomerQuery
from ardesk.web.figures import MAX_SEARCH_LENGTH, clean_search_text

SORT_CHOICES = [(key, key) for key in SORT_KEYS] + [(f"-{key}", f"-{key}") for key in SORT_KEYS]
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


class CustomerFilterForm(forms.Form):
    q = forms.CharField(required=False, strip=False, label="Search")
    collector = forms.CharField(required=False, label="Collector")
    segment = forms.CharField(required=False, max_length=40, label="Segment")
    country = forms.CharField(required=False, label="Country")
    overdue = forms.BooleanField(required=False, label="Overdue only")
    disputed = forms.BooleanField(required=False, label="Disputed only")
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, label="Sort by")

    shortened = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # clean_search_text drops NUL and other control characters, so a stray one pasted into
        # the box does not turn the search into an error.
        self.fields["q"].validators = []

    def clean_q(self) -> str:
        cleaned = clean_search_text(self.cleaned_data.get("q") or "")
        self.shortened = cleaned.shortened
        return cleaned.text

    def clean_collector(self) -> int | None:
        raw = (self.cleaned_data.get("collector") or "").strip()
        if not raw:
            return None
        if raw == "none":
            return UNASSIGNED
        if not raw.isdigit() or len(raw) > 18:
            raise forms.ValidationError("choose one from the list.", code="invalid")
        return int(raw)

    def clean_country(self) -> str:
        raw = (self.cleaned_data.get("country") or "").strip()
        if raw and not _COUNTRY.match(raw):
            raise forms.ValidationError("use a two-letter code such as DE or FR.", code="invalid")
        return raw.upper()

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") or "number"

    def to_query(self) -> CustomerQuery:
        data: dict[str, Any] = self.cleaned_data
        return CustomerQuery(
            text=data["q"], collector_id=data["collector"], segment=data["segment"].strip(),
            country=data["country"], overdue_only=data["overdue"], disputed_only=data["disputed"],
            sort=data["sort"],
        )

    def error_messages(self) -> list[str]:
        """One sentence per bad field, naming the field as the page labels it."""
        messages = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else name
            for error in errors:
                messages.append(f"{label}: {error}")
        return messages


SEARCH_HELP = f"Customer number, name, invoice number or PO number (up to {MAX_SEARCH_LENGTH} characters)."
