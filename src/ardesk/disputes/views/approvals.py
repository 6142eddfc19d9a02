"""Write-offs waiting for a manager: the list a decider works through (the decision is on the dispute page).

Only requests on disputes of customers in the user's scope, never the user's own requests (nobody approves
what they asked for), oldest first.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ardesk.disputes.models import ApprovalRequest, ApprovalStatus
from ardesk.disputes.queries import visible_disputes
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.models import User
from ardesk.identity.roles import Permission
from ardesk.web.paging import paginate


def waiting_for(user: User) -> QuerySet[ApprovalRequest]:
    return (ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING, dispute__in=visible_disputes(user))
            .exclude(requested_by=user).select_related("dispute", "dispute__customer", "requested_by")
            .order_by("created_at", "pk"))


@requires(Permission.RESOLVE_DISPUTES, Permission.WRITE_OFF)
def approvals(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = paginate(request, waiting_for(user), per_page=50)
    return render(request, "disputes/approvals.html", {"page": page, "limit": user.approval_limit})
