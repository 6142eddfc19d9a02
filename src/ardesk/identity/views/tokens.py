"""Personal API tokens: every signed-in user lists, creates and revokes their own."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ardesk.errors import DomainError
from ardesk.identity import services
from ardesk.identity.forms import TokenForm
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.models import ApiToken
from ardesk.identity.queries import tokens_of
from ardesk.identity.roles import Permission, token_scopes_for


def _end_of(day: date | None) -> datetime | None:
    """A token "valid until" a day works through that whole day in the server's time zone."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@never_cache
@requires()
def tokens(request: HttpRequest) -> HttpResponse:
    """The list and the create form; after a create, the secret is in this one response and nowhere else."""
    user = acting_user(request)
    allowed = token_scopes_for(user.role)
    form = TokenForm(request.POST if request.method == "POST" else None, allowed_scopes=allowed)
    created: tuple[ApiToken, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.issue_token(user=user, name=form.cleaned_data["name"],
                                           scopes=list(form.cleaned_data["scopes"]),
                                           expires_at=_end_of(form.cleaned_data["expires_on"]), by=user)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = TokenForm(allowed_scopes=allowed)
    # never_cache marks it no-store: the page with a fresh secret must not linger in a cache.
    return render(request, "identity/tokens.html", {
        "form": form,
        "tokens": tokens_of(user),
        "new_token": created[0] if created else None,
        "new_secret": created[1] if created else None,
        "now": timezone.now(),
    }, status=201 if created else 200)


@require_POST
@requires()
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one's own token; an administrator may revoke anybody's. Any other token is a 404."""
    user = acting_user(request)
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None or (token.user_id != user.pk and not user.may(Permission.MANAGE_USERS)):
        raise Http404("no such token")
    services.revoke_token(token=token, by=user, reason=request.POST.get("reason", ""))
    messages.success(request, f"Token “{token.name}” ({token.key_prefix}…) is revoked.")
    if token.user_id != user.pk:
        return redirect("identity:user_detail", pk=token.user_id)
    return redirect("identity:tokens")
