"""The NinjaAPI class ardesk uses: its unknown paths and wrong methods answer in the error shape too."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from ardesk.apikit.errors import ApiErrorCode, json_error
from ardesk.errors import ErrorCode


@csrf_exempt
def unknown_route(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    return json_error(404, ErrorCode.NOT_FOUND, f"no route {request.method} {request.path}")


def _errors_as_json(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja's own 405 (and the 404 of its bare root) are plain text: give them the error shape."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return json_error(404, ErrorCode.NOT_FOUND, f"no route {request.method} {request.path}; "
                                                        "the API is described at openapi.json and docs")
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        replaced = json_error(405, ApiErrorCode.METHOD_NOT_ALLOWED,
                              f"{request.method} is not allowed here; allowed: {response.get('Allow', '')}")
        replaced["Allow"] = response.get("Allow", "")
        return replaced

    return wrapped


class ArdeskAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _errors_as_json(pattern.callback)
        return [*urls, re_path(r"^.*$", unknown_route, name="unknown-route")]
