"""Dispute pages under /disputes/. Views live in ardesk.disputes.views, one module per topic."""

from django.urls import path

from ardesk.disputes.views import actions, approvals, catalogues, detail, documents, queue, raising
from ardesk.disputes.views import rules as rule_views

app_name = "disputes"

urlpatterns: list = [
    path("", queue.queue_page, name="queue"),
    path("bulk-assign/", queue.bulk_assign, name="bulk_assign"),
    path("export/", queue.queue_export_file, name="export"),
    path("approvals/", approvals.approvals, name="approvals"),
    path("raise/", raising.raise_dispute, name="raise"),
    path("suggest/", raising.suggest, name="suggest"),
    path("<int:pk>/", detail.dispute_detail, name="detail"),
    path("<int:pk>/status/", actions.change_status, name="status"),
    path("<int:pk>/assign/", actions.assign, name="assign"),
    path("<int:pk>/priority/", actions.set_priority, name="priority"),
    path("<int:pk>/reason/", actions.set_reason, name="reason"),
    path("<int:pk>/comments/", actions.comment, name="comment"),
    path("<int:pk>/tasks/", actions.add_task, name="task_add"),
    path("<int:pk>/tasks/<int:task_pk>/done/", actions.complete_task, name="task_done"),
    path("<int:pk>/offers/", actions.record_offer, name="offer"),
    path("<int:pk>/resolve/", actions.resolve, name="resolve"),
    path("<int:pk>/approvals/<int:approval_pk>/", actions.decide_approval, name="approval"),
    path("<int:pk>/close/", actions.close, name="close"),
    path("<int:pk>/reopen/", actions.reopen, name="reopen"),
    # Other topics add their paths below.
    path("<int:pk>/documents/", documents.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:doc_pk>/", documents.document, name="document"),
    path("<int:pk>/documents/<int:doc_pk>/remove/", documents.document_remove, name="document_remove"),
    path("<int:pk>/escalate/", rule_views.escalate, name="escalate"),
    path("rules/", rule_views.rules_page, name="rules"),
    path("catalogues/", catalogues.catalogues, name="catalogues"),
    path("catalogues/reasons/new/", catalogues.reason_code_create, name="reason_code_create"),
    path("catalogues/reasons/<int:pk>/", catalogues.reason_code_edit, name="reason_code_edit"),
    path("catalogues/root-causes/new/", catalogues.root_cause_create, name="root_cause_create"),
    path("catalogues/root-causes/<int:pk>/", catalogues.root_cause_edit, name="root_cause_edit"),
    path("rules/escalation/new/", rule_views.escalation_rule_create, name="escalation_rule_create"),
    path("rules/escalation/<int:pk>/", rule_views.escalation_rule_edit, name="escalation_rule_edit"),
    path("rules/escalation/<int:pk>/deactivate/", rule_views.escalation_rule_deactivate,
         name="escalation_rule_deactivate"),
    path("rules/auto/new/", rule_views.auto_rule_create, name="auto_rule_create"),
    path("rules/auto/<int:pk>/", rule_views.auto_rule_edit, name="auto_rule_edit"),
    path("rules/auto/<int:pk>/deactivate/", rule_views.auto_rule_deactivate, name="auto_rule_deactivate"),
    path("auto-resolved/", rule_views.auto_resolutions, name="auto_resolutions"),
    path("auto-resolved/<int:pk>/review/", rule_views.auto_resolution_review, name="auto_resolution_review"),
]
