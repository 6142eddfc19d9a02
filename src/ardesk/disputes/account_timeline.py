"""Disputes on the account's activity timeline (ardesk.web.timeline): what happened to the customer's disputes,
in the words of the dispute page, each line linking to its dispute."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models.functions import Cast
from django.urls import reverse

from ardesk.audit.models import AuditEvent
from ardesk.disputes.models import Dispute
from ardesk.disputes.views.detail import event_detail, event_title
from ardesk.web.timeline import TimelineEntry, register

_DISPUTE = Dispute._meta.label_lower


@register("disputes")
def dispute_timeline(customer_ids: Sequence[int], limit: int) -> Iterable[TimelineEntry]:
    ids = (Dispute.objects.filter(customer_id__in=customer_ids).order_by()
           .annotate(text=Cast("pk", output_field=AuditEvent._meta.get_field("subject_id"))).values("text"))
    events = list(AuditEvent.objects.filter(subject_type=_DISPUTE, subject_id__in=ids).order_by("-seq")[:limit])
    numbers = dict(Dispute.objects.filter(pk__in=[int(e.subject_id) for e in events]).values_list("pk", "number"))
    return [TimelineEntry(at=e.created_at, kind="dispute",
                          title=f"{numbers.get(int(e.subject_id), '')}: {event_title(e)}",
                          detail=event_detail(e), actor=e.actor_label,
                          url=reverse("disputes:detail", args=[int(e.subject_id)]), sort_key=e.seq)
            for e in events]
