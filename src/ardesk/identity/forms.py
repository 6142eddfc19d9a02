"""Forms for sign-in, the second factor, tokens and administration. They validate input; services write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from ardesk.errors import DomainError
from ardesk.identity.models import Team, TokenScope, User
from ardesk.identity.roles import Role
from ardesk.identity.services import TEAM_MANAGER_ROLES, check_password_strength

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class Form(forms.Form):
    """A form whose labels read "Name", not "Name:" (the pages' own style)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignInForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class CodeForm(Form):
    code = forms.CharField(
        label="Six-digit code", max_length=12, help_text="The code your authenticator app shows now.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class TokenForm(Form):
    name = forms.CharField(label="Name", max_length=100,
                           help_text="What the token is for, e.g. “ERP nightly export”.")
    scopes = forms.MultipleChoiceField(label="Scopes", widget=forms.CheckboxSelectMultiple,
                                       help_text="A token never does more than your role allows.")
    expires_on = forms.DateField(label="Valid until (optional)", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="The last day the token works. Leave empty for no expiry.")

    def __init__(self, *args: Any, allowed_scopes: tuple[str, ...] = ("read",), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(TokenScope.choices)
        scopes = cast(forms.MultipleChoiceField, self.fields["scopes"])
        scopes.choices = [(s, labels[s]) for s in allowed_scopes]
        self.fields["scopes"].initial = ["read"]

    def clean_expires_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("choose today or a later day")
        return value


def _manager_choices() -> Any:
    return User.objects.filter(is_active=True, role__in=[r.value for r in TEAM_MANAGER_ROLES]).order_by("username")


class UserCreateForm(Form):
    username = forms.CharField(label="Username", max_length=150)
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(label="Email", required=False)
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.all(), required=False, empty_label="(no team)")
    approval_limit = forms.DecimalField(label="Approval limit", min_value=Decimal(0), max_digits=18,
                                        decimal_places=3, initial=Decimal(0),
                                        help_text="The largest write-off the user may book without approval.")
    password = forms.CharField(label="Temporary password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="Give it to the user in person; they must replace it at first sign-in.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            probe = User(username=data.get("username", ""), email=data.get("email", ""),
                         first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
            try:
                check_password_strength(password, user=probe)
            except DomainError as exc:
                self.add_error("password", exc.message)
        return data


class UserEditForm(Form):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.all(), required=False, empty_label="(no team)")
    approval_limit = forms.DecimalField(label="Approval limit", min_value=Decimal(0), max_digits=18,
                                        decimal_places=3)


class TemporaryPasswordForm(Form):
    password = forms.CharField(label="New temporary password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class ReasonForm(Form):
    reason = forms.CharField(label="Reason (for the audit log)", max_length=500, required=False)


class TeamForm(Form):
    name = forms.CharField(label="Team name", max_length=100)
    manager = forms.ModelChoiceField(label="Manager", queryset=User.objects.none(), required=False,
                                     empty_label="(no manager)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = _manager_choices()  # type: ignore[attr-defined]


class TeamManagerForm(Form):
    manager = forms.ModelChoiceField(label="Manager", queryset=User.objects.none(), required=False,
                                     empty_label="(no manager)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = _manager_choices()  # type: ignore[attr-defined]
