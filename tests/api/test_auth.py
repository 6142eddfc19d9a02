"""Who may call the API: live tokens with the right scope, or a signed-in session with CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ardesk.apikit.auth import TokenAuth
from ardesk.errors import PermissionDenied
from ardesk.identity.models import ApiToken
from ardesk.identity.services import issue_token, revoke_token
from ardesk.ledger.models import Payment
from tests.api.conftest import API, ApiClient, error_of
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def payment_body(customer_id: int, number: str = "P-1") -> dict[str, object]:
    return {"customer_id": customer_id, "number": number, "received_on": "2026-11-02", "amount": "10.00"}


def test_a_request_without_a_token_is_401_with_a_bearer_challenge(anonymous):
    # when
    response = anonymous.get("/customers")
    # then
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer ardk_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "ardk_x"])
def test_an_unknown_or_malformed_token_is_401(header, admin_user):
    # when
    response = Client().get(f"{API}/customers", headers={"Authorization": header})
    # then
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_a_revoked_token_is_401(admin_user):
    # given
    token, secret = issue_token(user=admin_user, name="ci", scopes=["read"], by=admin_user)
    assert ApiClient(secret).get("/customers").status_code == 200
    # when
    revoke_token(token=token, by=admin_user, reason="leaked")
    # then
    assert ApiClient(secret).get("/customers").status_code == 401


def test_an_expired_token_is_401(admin_user):
    # given
    token, secret = issue_token(user=admin_user, name="ci", scopes=["read"],
                                expires_at=timezone.now() + timedelta(hours=1), by=admin_user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))  # an hour later
    # when
    response = ApiClient(secret).get("/customers")
    # then
    assert response.status_code == 401


def test_the_token_of_a_deactivated_user_is_401(api_as, clerk):
    # given
    client = api_as(clerk, ["read"])
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    # when
    response = client.get("/customers")
    # then
    assert response.status_code == 401


def test_a_read_only_token_cannot_post_and_writes_nothing(api_as, clerk):
    # given
    customer = CustomerFactory()
    client = api_as(clerk, ["read"])
    # when
    response = client.post("/payments", payment_body(customer.pk))
    # then
    assert response.status_code == 403
    body = error_of(response)
    assert body["code"] == "permission_denied"
    assert "'write' scope" in body["message"]
    assert not Payment.objects.exists()


def test_a_write_only_token_cannot_read(api_as, clerk):
    # given
    client = api_as(clerk, ["write"])
    # when
    response = client.get("/customers")
    # then
    assert response.status_code == 403
    assert "'read' scope" in error_of(response)["message"]


def test_a_token_marks_when_it_was_last_used(api_as, clerk):
    # given
    client = api_as(clerk, ["read"])
    # when
    client.get("/payments")
    # then
    assert ApiToken.objects.get(user=clerk).last_used_at is not None


def test_a_token_never_exceeds_its_users_role(api_as, collector):
    # given: a collector may read the ledger but not record cash, whatever the token says
    customer = CustomerFactory(collector=collector)
    client = api_as(collector, ["read", "write"])
    # when
    response = client.post("/payments", payment_body(customer.pk))
    # then
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert not Payment.objects.exists()


def test_a_manager_token_needs_no_second_factor(api_as, manager, settings):
    # given: a manager without any TOTP device; the token is the credential
    settings.ARDESK_REQUIRE_MFA = True
    client = api_as(manager, ["read"])
    # when
    response = client.get("/customers")
    # then
    assert response.status_code == 200


class TestSession:
    def test_a_signed_in_user_reads_with_the_session(self, clerk):
        # given
        browser = Client()
        browser.force_login(clerk)
        # when
        response = browser.get(f"{API}/payments")
        # then
        assert response.status_code == 200

    def test_a_session_post_needs_the_csrf_token(self, clerk):
        # given
        customer = CustomerFactory()
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(clerk)
        # when
        refused = browser.post(f"{API}/payments", payment_body(customer.pk), content_type="application/json")
        browser.get(f"{API}/docs")  # renders the CSRF token, as the docs page does for its requests
        token = browser.cookies["csrftoken"].value
        accepted = browser.post(f"{API}/payments", payment_body(customer.pk), content_type="application/json",
                                headers={"X-CSRFToken": token})
        # then
        assert refused.status_code == 403
        assert "CSRF" in error_of(refused)["message"]
        assert accepted.status_code == 201, accepted.content
        assert Payment.objects.count() == 1

    def test_a_bad_token_is_not_rescued_by_a_session(self, clerk):
        # given
        browser = Client()
        browser.force_login(clerk)
        # when
        response = browser.get(f"{API}/payments", headers={"Authorization": "Bearer ardk_wrong"})
        # then
        assert response.status_code == 401

    def test_a_manager_session_without_the_second_factor_is_refused(self, settings):
        # given
        settings.ARDESK_REQUIRE_MFA = True
        manager = UserFactory(username="mona", role="ar_manager")
        browser = Client()
        browser.force_login(manager)
        # when
        response = browser.get(f"{API}/customers")
        # then
        assert response.status_code in {401, 403}
        assert response.json()["code"] in {"unauthenticated", "permission_denied"}


def test_a_handler_sees_the_user_and_the_token(rf, clerk):
    # given
    token, secret = issue_token(user=clerk, name="ci", scopes=["read"], by=clerk)
    request = rf.get("/api/v1/payments", headers={"Authorization": f"Bearer {secret}"})
    # when
    user = TokenAuth()(request)
    # then
    assert user == clerk
    assert request.api_token == token


def test_the_import_routes_ask_for_the_import_scope_on_writes_only(rf, admin_user):
    # given
    _, secret = issue_token(user=admin_user, name="ci", scopes=["read", "import"], by=admin_user)
    importing = TokenAuth(write_scope="import")
    # then
    assert importing(rf.get("/", headers={"Authorization": f"Bearer {secret}"})) == admin_user
    assert importing(rf.post("/", headers={"Authorization": f"Bearer {secret}"})) == admin_user
    with pytest.raises(PermissionDenied):
        TokenAuth()(rf.post("/", headers={"Authorization": f"Bearer {secret}"}))
