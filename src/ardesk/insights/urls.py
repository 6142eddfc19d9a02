"""Report pages under /reports/: the dispute reports and the prevention view (the aging stays at web:aging)."""

from django.urls import path

from ardesk.insights import dispute_views, prevention_views

app_name = "insights"

urlpatterns = [
    path("disputes/", dispute_views.dispute_reports, name="disputes"),
    path("prevention/", prevention_views.prevention, name="prevention"),
    path("prevention/actions/", prevention_views.action_create, name="action_create"),
    path("prevention/actions/<int:pk>/", prevention_views.action_update, name="action_update"),
    path("prevention/disputes/<int:pk>/sales-notes/", prevention_views.sales_note_create, name="sales_note_create"),
]
