"""Temporary passwords: the next sign-in must replace them, after the second factor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ardesk.audit.models import AuditEvent
from ardesk.identity import mfa
from ardesk.identity.services import create_user, set_temporary_password
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPORARY = "Handed-over-2026"
OWN = "My-own-secret-phrase"
CHANGE = reverse("identity:password_change")


def test_a_temporary_password_must_be_replaced_before_any_page(client, admin_user):
    # given a collector created with a temporary password
    create_user(username="nina", password=TEMPORARY, password_is_temporary=True, role="collector", by=admin_user)
    # when she signs in
    response = client.post("/login/", {"username": "nina", "password": TEMPORARY})
    # then the password change comes first, and pages wait for it
    assert response["Location"] == CHANGE
    assert client.get(reverse("identity:tokens"))["Location"].startswith(CHANGE)
    assert "temporary password" in client.get(CHANGE).content.decode()
    # when she chooses her own
    response = client.post(CHANGE, {"old_password": TEMPORARY, "new_password1": OWN, "new_password2": OWN})
    # then she stays signed in and may work
    assert response["Location"] == reverse("web:home")
    assert client.get(reverse("identity:tokens")).status_code == 200
    nina = type(admin_user).objects.get(username="nina")
    assert not nina.must_change_password and nina.check_password(OWN)
    assert AuditEvent.objects.get(verb="user.password_changed").actor_id == nina.pk


def test_the_new_password_must_differ_and_be_strong(client, admin_user):
    user = UserFactory(username="nina")
    set_temporary_password(user=user, password=TEMPORARY, by=admin_user)
    client.post("/login/", {"username": "nina", "password": TEMPORARY})
    same = client.post(CHANGE, {"old_password": TEMPORARY, "new_password1": TEMPORARY, "new_password2": TEMPORARY})
    assert "different from the current one" in same.content.decode()
    weak = client.post(CHANGE, {"old_password": TEMPORARY, "new_password1": "abc", "new_password2": "abc"})
    assert "too short" in weak.content.decode()
    user.refresh_from_db()
    assert user.must_change_password


def test_the_second_factor_comes_before_the_password_change(client, admin_user):
    # given a manager with an authenticator and a temporary password
    max_ = UserFactory(username="max", role="ar_manager")
    device = mfa.enrol_totp(user=max_, by=admin_user)
    set_temporary_password(user=max_, password=TEMPORARY, by=admin_user)
    # when the password is right
    assert client.post("/login/", {"username": "max", "password": TEMPORARY})["Location"] == reverse(
        "identity:mfa_verify")
    # then the password page itself is out of reach until the code is in
    assert client.get(CHANGE)["Location"].startswith(reverse("identity:mfa_verify"))
    assert client.post(reverse("identity:mfa_verify"), {"code": mfa.current_code(device)})["Location"] == CHANGE


def test_any_user_may_change_their_password(client, collector, login_as):
    login_as(collector)
    response = client.post(CHANGE, {"old_password": "correct horse battery", "new_password1": OWN,
                                    "new_password2": OWN})
    assert response.status_code == 302
    collector.refresh_from_db()
    assert collector.check_password(OWN)


def test_a_wrong_old_password_changes_nothing(client, collector, login_as):
    login_as(collector)
    response = client.post(CHANGE, {"old_password": "nope", "new_password1": OWN, "new_password2": OWN})
    assert response.status_code == 200
    collector.refresh_from_db()
    assert collector.check_password("correct horse battery")
