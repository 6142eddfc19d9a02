from django.urls import include, path

from ardesk.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("imports/", include("ardesk.imports.urls")),
    path("", include("ardesk.web.urls")),
    path("", include("ardesk.identity.urls")),
]
