"""The dispute pages' forms: they check the shape of what was typed; the services check the rules.

Every form names its fields as the services do, so a DomainError's `field` lands on the right input.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from ardesk.disputes.models import Department, DisputeItem, OfferKind, Party, Priority, ReasonCode, RootCause
from ardesk.disputes.rules import Settlement, shown
from ardesk.disputes.workflow import Outcome, Status
from ardesk.identity.models import User
from ardesk.identity.roles import GRANTS, Permission
from ardesk.ledger.services import LineInput

MAX_NOTE = 2000
DEPARTMENTS = [("", "—"), *Department.choices]
SETTLEMENTS = [(Settlement.CREDIT_MEMO.value, "Credit memo"), (Settlement.WRITE_OFF.value, "Write-off"),
               (Settlement.REBILL.value, "Re-bill (credit the invoice, book a corrected one)")]
OWNER_ROLES = [role.value for role, grants in GRANTS.items() if Permission.HANDLE_DISPUTES in grants]


def possible_owners() -> QuerySet[User]:
    """People who work disputes: active users whose role may handle them."""
    return User.objects.filter(is_active=True, role__in=OWNER_ROLES).order_by("username")


class _OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class PageForm(forms.Form):
    """A form of the dispute page: its ids start with its key, so many forms share the page without clashes."""

    key = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.key}-%s")
        super().__init__(*args, **kwargs)


class VersionedForm(PageForm):
    """Carries the version the page showed, so a change made on a stale page is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class StatusForm(VersionedForm):
    key = "status"

    to = forms.ChoiceField(label="Move to")
    note = forms.CharField(label="Note", required=False, max_length=MAX_NOTE)

    def __init__(self, *args: Any, allowed: list[Status] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s.value, s.label) for s in (allowed or list(Status))]  # type: ignore[attr-defined]


class _OwnerForm(PageForm):
    owner = _OwnerChoice(queryset=User.objects.none(), required=False, empty_label="Nobody (unowned)")
    department = forms.ChoiceField(choices=DEPARTMENTS, required=False, label="Department")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners()  # type: ignore[attr-defined]


class AssignForm(_OwnerForm, VersionedForm):
    key = "assign"


class BulkAssignForm(_OwnerForm):
    key = "bulk"

    disputes = forms.TypedMultipleChoiceField(coerce=int, label="Disputes", error_messages={
        "required": "tick at least one dispute to reassign."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is a choice here: the view keeps only the disputes the user may see.
        data = self.data.getlist("disputes") if hasattr(self.data, "getlist") else self.data.get("disputes", [])
        self.fields["disputes"].choices = [  # type: ignore[attr-defined]
            (v, v) for v in data if str(v).isdigit() and len(str(v)) < 19]


class PriorityForm(VersionedForm):
    key = "priority"

    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, label="Priority")
    reason = forms.CharField(label="Why", required=False, max_length=MAX_NOTE)


class ReasonForm(VersionedForm):
    key = "reason"

    reason_code = forms.ModelChoiceField(queryset=ReasonCode.objects.filter(active=True), label="Reason code",
                                         to_field_name="code")
    reroute = forms.BooleanField(required=False, label="Also move it to the reason's department")


class CommentForm(PageForm):
    key = "comment"

    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Comment", max_length=10_000,
                           help_text="Mention a colleague with @username: they are told.")
    internal = forms.BooleanField(required=False, initial=True, label="Internal (not shown to the customer)")


class TaskForm(PageForm):
    key = "task"

    title = forms.CharField(max_length=200, label="Task")
    department = forms.ChoiceField(choices=Department.choices, label="Department")
    assignee = _OwnerChoice(queryset=User.objects.none(), required=False, empty_label="Anyone in the department")
    due_date = forms.DateField(required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(is_active=True).exclude(  # type: ignore[attr-defined]
            role="auditor").order_by("username")


class TaskDoneForm(PageForm):
    key = "task_done"

    note = forms.CharField(label="Outcome", required=False, max_length=MAX_NOTE)


class OfferForm(PageForm):
    key = "offer"

    kind = forms.ChoiceField(choices=OfferKind.choices, label="Kind")
    party = forms.ChoiceField(choices=Party.choices, label="From")
    amount = forms.DecimalField(min_value=Decimal(0), max_digits=18, decimal_places=3, label="Amount")
    note = forms.CharField(label="Note", required=False, max_length=MAX_NOTE)


class ResolveForm(VersionedForm):
    key = "resolve"

    outcome = forms.ChoiceField(choices=[(o.value, o.label) for o in Outcome], label="Outcome")
    settlement = forms.ChoiceField(choices=SETTLEMENTS, required=False, label="Book the accepted part as",
                                   help_text="Ignored for a rejection: nothing is booked.")
    accepted_amount = forms.DecimalField(min_value=Decimal(0), max_digits=18, decimal_places=3, required=False,
                                         label="Accepted amount",
                                         help_text="Needed for a partial acceptance; a full acceptance takes "
                                                   "everything outstanding.")
    rebill_lines = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Corrected lines (re-bill only)",
        help_text="One line each: SKU; description; quantity; unit price. Empty: one line for the corrected total.")
    note = forms.CharField(label="Note (told to the customer)", required=False, max_length=MAX_NOTE)

    def __init__(self, *args: Any, items: Sequence[DisputeItem] = (), currency: str = "", **kwargs: Any) -> None:
        """With several items, one field per item says where the accepted part is booked (all blank: pro rata)."""
        super().__init__(*args, **kwargs)
        self.item_fields: dict[str, int] = {}
        if len(items) < 2:
            return
        for item in items:
            name = f"item_{item.pk}"
            line = f" line {item.invoice_line.line_no}" if item.invoice_line is not None else ""
            self.fields[name] = forms.DecimalField(
                min_value=Decimal(0), max_digits=18, decimal_places=3, required=False,
                label=f"Accepted on {item.invoice.number}{line}",
                help_text=f"{shown(item.outstanding_amount, currency)} in dispute. Leave every item blank to "
                          "spread the accepted amount over them.")
            self.item_fields[name] = item.pk

    def item_amounts(self) -> dict[int, Decimal] | None:
        """Item id → amount when any item field was filled (the blank ones grant nothing), else None."""
        filled = {pk: self.cleaned_data.get(name) for name, pk in self.item_fields.items()}
        if all(amount is None for amount in filled.values()):
            return None
        return {pk: amount or Decimal(0) for pk, amount in filled.items()}

    def clean_rebill_lines(self) -> list[LineInput] | None:
        raw = self.cleaned_data.get("rebill_lines") or ""
        lines: list[LineInput] = []
        for number, text in enumerate((t for t in raw.splitlines() if t.strip()), start=1):
            parts = [p.strip() for p in text.split(";")]
            if len(parts) != 4:
                raise forms.ValidationError(f"line {number}: write SKU; description; quantity; unit price.")
            try:
                quantity, price = Decimal(parts[2]), Decimal(parts[3])
            except ArithmeticError:
                raise forms.ValidationError(f"line {number}: quantity and unit price must be numbers.") from None
            if not (quantity.is_finite() and price.is_finite()) or quantity <= 0 or price < 0:
                raise forms.ValidationError(f"line {number}: quantity above 0 and a unit price of 0 or more.")
            lines.append(LineInput(parts[0][:60], parts[1][:200], quantity, price))
        return lines or None

    def settlement_value(self) -> str | None:
        if self.cleaned_data["outcome"] == Outcome.REJECTED:
            return None
        return self.cleaned_data.get("settlement") or Settlement.CREDIT_MEMO.value


class DecisionForm(PageForm):
    key = "decision"

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")], label="Decision")
    note = forms.CharField(label="Note", required=False, max_length=MAX_NOTE)


class CloseForm(VersionedForm):
    key = "close"

    root_cause = forms.ModelChoiceField(queryset=RootCause.objects.filter(active=True), label="Root cause",
                                        to_field_name="code")
    responsible_department = forms.ChoiceField(choices=Department.choices, label="Department responsible")
    note = forms.CharField(label="Note", required=False, max_length=MAX_NOTE)


class ReopenForm(VersionedForm):
    key = "reopen"

    reason = forms.CharField(label="Why reopen", max_length=MAX_NOTE)


class RaiseForm(forms.Form):
    """What the raise page asks; the items come from the invoice or the account the page was opened on."""

    kind = forms.ChoiceField(choices=[("invoice", "Whole invoice"), ("lines", "Some lines"),
                                      ("account", "Account (several invoices)")], label="Dispute on")
    amount = forms.DecimalField(min_value=Decimal("0.001"), max_digits=18, decimal_places=3, required=False,
                                label="Amount", help_text="Empty: everything still collectible on the invoice.")
    invoices = forms.TypedMultipleChoiceField(coerce=int, required=False, label="Invoices",
                                              help_text="None ticked: every invoice with money collectible.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10_000,
                                  label="What the customer says")
    reason_code = forms.ModelChoiceField(queryset=ReasonCode.objects.filter(active=True), required=False,
                                         label="Reason code", to_field_name="code",
                                         empty_label="Use the suggestion")
    owner = _OwnerChoice(queryset=User.objects.none(), required=False, empty_label="Nobody yet")
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.NORMAL,
                                      label="Priority")
    confirm_duplicate = forms.BooleanField(required=False, label="Raise it anyway")

    def __init__(self, *args: Any, invoice_choices: list[tuple[int, str]] | None = None,
                 kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners()  # type: ignore[attr-defined]
        self.fields["invoices"].choices = invoice_choices or []  # type: ignore[attr-defined]
        if kinds:
            field = self.fields["kind"]
            field.choices = [c for c in field.choices if c[0] in kinds]  # type: ignore[attr-defined]
            field.initial = kinds[0]


def error_messages(form: forms.Form) -> list[str]:
    """One sentence per bad field, naming it as the page labels it."""
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.append(f"{label}: {error}" if label else str(error))
    return messages
