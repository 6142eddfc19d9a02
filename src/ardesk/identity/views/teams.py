"""Administration of teams: list, create, set the manager."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from ardesk.errors import DomainError
from ardesk.identity import services
from ardesk.identity.forms import TeamForm, TeamManagerForm
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.models import Team
from ardesk.identity.queries import teams_overview
from ardesk.identity.roles import Permission


@never_cache
@requires(Permission.MANAGE_USERS)
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams; POST creates one."""
    form = TeamForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                team = services.create_team(name=form.cleaned_data["name"], manager=form.cleaned_data["manager"],
                                            by=acting_user(request))
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Team {team.name} is created.")
                return redirect("identity:team_list")
        status = 400
    return render(request, "identity/team_list.html", {"teams": teams_overview(), "form": form}, status=status)


@never_cache
@requires(Permission.MANAGE_USERS)
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A team, its members; POST sets the manager."""
    team = get_object_or_404(Team.objects.select_related("manager"), pk=pk)
    form = TeamManagerForm(request.POST if request.method == "POST" else None, initial={"manager": team.manager})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_team_manager(team=team, manager=form.cleaned_data["manager"], by=acting_user(request))
            except DomainError as exc:
                form.add_error("manager", exc.message)
            else:
                messages.success(request, f"Team {team.name} is saved.")
                return redirect("identity:team_detail", pk=team.pk)
        status = 400
    members = team.members.order_by("username")
    return render(request, "identity/team_detail.html", {"team": team, "form": form, "members": members},
                  status=status)
