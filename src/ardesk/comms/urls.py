"""Mail pages under /comms/."""

from django.urls import path

from ardesk.comms import views

app_name = "comms"

urlpatterns = [
    path("disputes/<int:pk>/send/", views.send, name="send"),
    path("unmatched/", views.unmatched, name="unmatched"),
    path("unmatched/<int:pk>/file/", views.file_unmatched, name="file_unmatched"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
]
