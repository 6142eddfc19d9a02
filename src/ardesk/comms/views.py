"""Mail pages: send from the dispute page, the unmatched mail an analyst files by hand, the templates managers word.

Thin: each view checks permission and scope, validates its form and calls one service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ardesk.comms import forms, queries, services
from ardesk.comms.models import MessageTemplate
from ardesk.comms.rendering import VARIABLES
from ardesk.disputes.models import Dispute
from ardesk.disputes.queries import visible_disputes
from ardesk.disputes.queue import dispute_or_404
from ardesk.disputes.views.actions import perform, refusal
from ardesk.errors import DomainError, StaleVersion
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.roles import Permission
from ardesk.web.paging import paginate

UNMATCHED_PAGE = 25


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a message from the dispute page; a refusal shows the page again with the form as typed."""
    dispute = dispute_or_404(request.user, pk)
    form = forms.SendForm(request.POST, dispute=dispute)

    def run(d: Dispute, data: dict[str, Any]) -> str:
        message = services.send_dispute_message(
            dispute=d, to_contact=data["contact"], template_code=data["template_code"] or None,
            subject=data["subject"] or None, body=data["body"] or None, note=data["note"], by=acting_user(request))
        return f"Message sent to {message.to_addresses}: {message.subject}"

    return perform(request, dispute, "mail", form, run, "dispute-messages")


@requires(Permission.HANDLE_DISPUTES)
def unmatched(request: HttpRequest) -> HttpResponse:
    """Mail that found no customer or dispute, newest first, each with the reason and a way to file it."""
    page = paginate(request, queries.unmatched_mail(), per_page=UNMATCHED_PAGE)
    return render(request, "comms/unmatched.html", {"page": page, "file_form": forms.FileForm()})


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def file_unmatched(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(queries.unmatched_mail(), pk=pk)
    form = forms.FileForm(request.POST)
    back = redirect(reverse("comms:unmatched"))
    if not form.is_valid():
        messages.error(request, " ".join(forms.error_messages(form)))
        return back
    number = form.cleaned_data["dispute"].strip().upper()
    dispute = visible_disputes(request.user).filter(number=number).first()
    if dispute is None:
        messages.error(request, f"No dispute {number} that you may see.")
        return back
    try:
        services.file_unmatched(message=message, dispute=dispute, by=acting_user(request))
    except DomainError as exc:
        messages.error(request, refusal(exc)[0])
        return back
    messages.success(request, f"The mail from {message.from_address} is now on dispute {dispute.number}.")
    return back


@requires(Permission.MANAGE_DISPUTE_RULES)
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "comms/templates.html", {"templates": MessageTemplate.objects.all()})


@requires(Permission.MANAGE_DISPUTE_RULES)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(MessageTemplate, pk=pk)
    status = 200
    if request.method == "POST":
        form = forms.TemplateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_template(template=template, name=data["name"], subject=data["subject"],
                                         body=data["body"], active=data["active"], version=data["version"],
                                         by=acting_user(request))
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, refusal(exc)[0])
                status = 409 if isinstance(exc, StaleVersion) else 400
            else:
                messages.success(request, f"Template {template.name} saved.")
                return redirect(reverse("comms:templates"))
        else:
            status = 400
    else:
        form = forms.TemplateForm(initial={"name": template.name, "subject": template.subject,
                                           "body": template.body, "active": template.active,
                                           "version": template.version})
    return render(request, "comms/template_edit.html",
                  {"template": template, "form": form, "variables": VARIABLES.items()}, status=status)
