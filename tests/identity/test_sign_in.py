"""Sign-in, sign-out, password hashing, throttling and session expiry, through the real pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from ardesk import settings as configured
from ardesk.audit.models import AuditEvent
from ardesk.identity.services import unlock_sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LOGIN = "/login/"


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_the_sign_in_page_is_labelled_for_screen_readers(client):
    # when
    response = client.get(LOGIN)
    # then every input has a visible label tied to it
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'autocomplete="current-password"' in html
    assert "<h1>Sign in</h1>" in html


def test_urls_are_the_agreed_names():
    assert reverse("web:login") == LOGIN
    assert reverse("web:logout") == "/logout/"


def test_a_collector_signs_in_and_lands_on_home(client, collector):
    response = sign_in(client, "colin")
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert client.get(reverse("identity:account")).status_code == 200


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client, collector):
    response = client.post(f"{LOGIN}?next=/account/tokens/", {"username": "colin", "password": PASSWORD})
    assert response["Location"] == "/account/tokens/"
    client.logout()
    response = client.post(f"{LOGIN}?next=https://evil.example/", {"username": "colin", "password": PASSWORD})
    assert response["Location"] == reverse("web:home")


def test_a_wrong_password_is_refused_with_an_announced_message(client, collector):
    response = sign_in(client, "colin", "wrong password")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and "correct username and password" in html
    assert 'aria-invalid="true"' in html
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_cannot_sign_in(client):
    UserFactory(username="gone", is_active=False)
    response = sign_in(client, "gone")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2(real_hashers, settings):
    # the configured hashers, not a test's: argon2 first, PBKDF2 kept only to read older hashes
    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # when a user is created
    collector = UserFactory(username="colin")
    # then the stored hash is argon2 and the password checks
    assert collector.password.startswith("argon2$")
    assert collector.check_password(PASSWORD)


def test_an_older_hash_is_upgraded_to_argon2_at_sign_in(real_hashers, client):
    # given a user whose password was stored by PBKDF2 (e.g. imported from an older system)
    user = UserFactory(username="olga")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    # when they sign in
    assert sign_in(client, "olga").status_code == 302
    # then the stored hash is argon2
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_five_wrong_passwords_pause_that_username_from_that_address(client, collector, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    # given four wrong passwords: each one only shows the form again
    for _ in range(4):
        assert sign_in(client, "colin", "nope").status_code == 200
    # when the fifth and sixth are wrong
    fifth = sign_in(client, "colin", "nope")
    sixth = sign_in(client, "colin", "nope")
    # then both get the clear lockout page (not a 500), and even the right password is refused
    for response in (fifth, sixth):
        assert response.status_code == 429
        assert "Sign-in paused" in response.content.decode()
        assert "5 wrong passwords" in response.content.decode()
        assert response["Retry-After"] == "900"
    assert sign_in(client, "colin").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_pause_is_for_the_username_and_address_together(client, collector):
    UserFactory(username="other")
    for _ in range(5):
        sign_in(client, "colin", "nope")
    # the same username from another address still signs in
    assert sign_in(client, "colin", REMOTE_ADDR="192.0.2.44").status_code == 302
    client.logout()
    # another username from the same address still signs in
    assert sign_in(client, "other").status_code == 302


def test_an_administrator_can_lift_the_pause(client, collector, admin_user):
    for _ in range(5):
        sign_in(client, "colin", "nope")
    # when
    unlock_sign_in(user=collector, by=admin_user)
    # then
    assert sign_in(client, "colin").status_code == 302
    assert not AccessAttempt.objects.filter(username="colin").exists()
    assert AuditEvent.objects.get(verb="user.sign_in_unlocked").actor_id == admin_user.pk


def test_a_success_clears_earlier_failures(client, collector):
    for _ in range(4):
        sign_in(client, "colin", "nope")
    assert sign_in(client, "colin").status_code == 302
    client.logout()
    # four more failures do not lock (the counter restarted)
    for _ in range(4):
        assert sign_in(client, "colin", "nope").status_code == 200


def test_sign_out_needs_a_post(client, collector):
    sign_in(client, "colin")
    # a GET only asks
    response = client.get("/logout/")
    assert response.status_code == 200 and "_auth_user_id" in client.session
    # a POST signs out
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_the_session_ends_when_the_browser_closes(client, collector):
    response = sign_in(client, "colin")
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"


def test_each_request_restarts_the_idle_clock(client, collector, settings):
    sign_in(client, "colin")
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))
    # when the user does something
    client.get(reverse("identity:account"))
    # then the session lives another full idle period
    renewed = Session.objects.get(session_key=client.session.session_key).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_expired_session_redirects_to_sign_in(client, collector):
    # given a signed-in user who stayed idle past the timeout
    sign_in(client, "colin")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    # when they open a page
    response = client.get(reverse("identity:account"))
    # then they are asked to sign in again, and come back to that page
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/account/"
