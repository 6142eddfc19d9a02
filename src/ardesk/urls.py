from django.urls import include, path, re_path

from ardesk.api import api
from ardesk.apikit.base import unknown_route

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/", unknown_route),  # other API versions and paths: a JSON 404, not a page
    path("imports/", include("ardesk.imports.urls")),
    path("disputes/", include("ardesk.disputes.urls")),
    path("reports/", include("ardesk.insights.urls")),
    path("comms/", include("ardesk.comms.urls")),
    path("", include("ardesk.web.urls")),
    path("", include("ardesk.identity.urls")),
]
