"""The "API tokens" page: list, create (secret shown once), revoke."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.identity.models import ApiToken
from ardesk.identity.services import authenticate_token, issue_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKENS = reverse("identity:tokens")


def test_the_page_asks_anonymous_visitors_to_sign_in(client):
    assert client.get(TOKENS)["Location"] == f"/login/?next={TOKENS}"


def test_a_created_token_is_shown_once_and_works(client, collector, login_as):
    login_as(collector)
    # when
    response = client.post(TOKENS, {"name": "nightly export", "scopes": ["read"]})
    # then the secret is on this page
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    secret = response.context["new_secret"]
    assert secret.startswith("ardk_") and secret in response.content.decode()
    # and it authenticates as the collector with the chosen scope
    token = authenticate_token(secret)
    assert token is not None and token.user == collector and token.scopes == ["read"]
    # and it is never shown again
    assert secret not in client.get(TOKENS).content.decode()
    assert AuditEvent.objects.get(verb="api_token.issued").actor_id == collector.pk


def test_the_list_shows_only_ones_own_tokens(client, collector, login_as):
    issue_token(user=collector, name="mine", scopes=["read"], by=collector)
    other = UserFactory(username="olga")
    issue_token(user=other, name="hers", scopes=["read"], by=other)
    login_as(collector)
    html = client.get(TOKENS).content.decode()
    assert "mine" in html and "hers" not in html


def test_an_expiry_must_not_be_in_the_past(client, collector, login_as):
    login_as(collector)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(TOKENS, {"name": "old", "scopes": ["read"], "expires_on": yesterday})
    assert response.status_code == 200 and "today or a later day" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_valid_until_a_day_works_through_that_day(client, collector, login_as):
    login_as(collector)
    today = timezone.localdate()
    client.post(TOKENS, {"name": "short", "scopes": ["read", "write"], "expires_on": today.isoformat()})
    token = ApiToken.objects.get()
    assert timezone.localtime(token.expires_at).date() == today + timedelta(days=1)
    assert token.scopes == ["read", "write"]


def test_an_auditor_is_offered_read_tokens_only(client, login_as):
    auditor = UserFactory(username="audrey", role="auditor")
    login_as(auditor)
    response = client.post(TOKENS, {"name": "sneaky", "scopes": ["write"]})
    assert response.status_code == 200 and "not one of the available choices" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_own_token(client, collector, login_as):
    token, secret = issue_token(user=collector, name="mine", scopes=["read"], by=collector)
    login_as(collector)
    response = client.post(reverse("identity:token_revoke", args=[token.pk]))
    assert response["Location"] == TOKENS
    assert authenticate_token(secret) is None
    assert AuditEvent.objects.get(verb="api_token.revoked").actor_id == collector.pk


def test_someone_elses_token_is_a_404(client, collector, login_as):
    other = UserFactory(username="olga")
    token, secret = issue_token(user=other, name="hers", scopes=["read"], by=other)
    login_as(collector)
    assert client.post(reverse("identity:token_revoke", args=[token.pk])).status_code == 404
    assert authenticate_token(secret) is not None


def test_revoking_needs_a_post(client, collector, login_as):
    token, _ = issue_token(user=collector, name="mine", scopes=["read"], by=collector)
    login_as(collector)
    assert client.get(reverse("identity:token_revoke", args=[token.pk])).status_code == 405


def test_an_administrator_revokes_anybodys_token(client, admin_user, collector, login_as):
    token, secret = issue_token(user=collector, name="leaked", scopes=["read"], by=collector)
    login_as(admin_user)
    response = client.post(reverse("identity:token_revoke", args=[token.pk]))
    assert response["Location"] == reverse("identity:user_detail", args=[collector.pk])
    assert authenticate_token(secret) is None
