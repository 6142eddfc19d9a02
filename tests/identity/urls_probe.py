"""A URLconf for tests: the project's URLs plus an API probe that says who the request is."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from ardesk.urls import urlpatterns as project_urlpatterns


def whoami(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"user": request.user.get_username() if request.user.is_authenticated else None})


urlpatterns = [path("api/probe/whoami", whoami), *project_urlpatterns]
