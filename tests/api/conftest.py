"""API test helpers: a client that speaks JSON with a personal token of a given role and scope."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from ardesk.identity.models import User
from ardesk.identity.services import issue_token

API = "/api/v1"


@dataclass
class ApiClient:
    """A JSON client for /api/v1 that sends one user's token on every request."""

    secret: str | None
    user: User | None = None
    client: Client = field(default_factory=Client)

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        sent = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**sent, **(headers or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(API + path, params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, *, raw: str | None = None,
             headers: dict[str, str] | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body)
        call = getattr(self.client, method.lower())
        return call(API + path, data=data, content_type="application/json", headers=self._headers(headers))

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("PATCH", path, body, **kwargs)


@pytest.fixture
def api_as(db) -> Callable[..., ApiClient]:  # type: ignore[no-untyped-def]
    """`api_as(user, scopes=["read", "write"])`: a client holding a fresh token of that user."""

    def make(user: User, scopes: list[str] | None = None) -> ApiClient:
        _, secret = issue_token(user=user, name="tests", scopes=scopes or ["read", "write", "import"], by=user)
        return ApiClient(secret=secret, user=user)

    return make


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(secret=None)


def error_of(response: Any) -> dict[str, Any]:
    """The error body, after checking it has exactly the one shape every error has."""
    body = response.json()
    assert set(body) == {"code", "message", "field"}, body
    return body
