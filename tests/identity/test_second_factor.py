"""TOTP second factor: enrolment, the code step, the middleware that holds everything until it is done."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ardesk.audit.models import AuditEvent
from ardesk.identity import mfa
from ardesk.identity.signin import PENDING_KEY_SESSION_KEY
from tests.factories import UserFactory
from tests.identity.helpers import sign_in_fully

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
HOME = reverse("web:home")
VERIFY = reverse("identity:mfa_verify")
ENROL = reverse("identity:mfa_enrol")


def sign_in(client, username):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def pending_key(client) -> str:
    return client.session[PENDING_KEY_SESSION_KEY]


def test_a_manager_without_an_authenticator_must_enrol_before_any_page(client, manager):
    # when the password is right
    response = sign_in(client, "max")
    # then the next stop is enrolment, and every page sends them back there
    assert response["Location"] == ENROL
    for url in (HOME, reverse("identity:tokens"), reverse("identity:account")):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith(ENROL)


def test_the_enrolment_page_draws_the_qr_code_itself_and_shows_the_secret(client, manager):
    sign_in(client, "max")
    html = client.get(ENROL).content.decode()
    # an inline SVG (no image fetched from a QR service) and the base32 key in groups of four
    assert re.search(r"<svg[^>]*class=\"qr\"", html)
    assert "<title>QR code to add ardesk to your authenticator app</title>" in html
    assert "https://" not in html.split('id="mfa-qr"')[1].split("</figure>")[0]
    secret = re.search(r'<code id="mfa-secret"[^>]*>([A-Z2-7 ]+)</code>', html)
    assert secret and secret.group(1) == mfa.base32_secret(pending_key(client))


def test_reloading_the_enrolment_page_keeps_the_same_secret(client, manager):
    sign_in(client, "max")
    client.get(ENROL)
    first = pending_key(client)
    client.get(ENROL)
    assert pending_key(client) == first
    assert not TOTPDevice.objects.filter(user=manager).exists()  # nothing stored before a code proves it


def test_a_wrong_enrolment_code_stores_nothing(client, manager):
    sign_in(client, "max")
    client.get(ENROL)
    wrong = f"{(int(mfa.code_for_key(pending_key(client))) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200 and "does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert client.get(HOME)["Location"].startswith(ENROL)


def test_a_right_enrolment_code_confirms_the_device_and_opens_the_desk(client, manager):
    sign_in(client, "max")
    client.get(ENROL)
    key = pending_key(client)
    # when
    response = client.post(ENROL, {"code": mfa.code_for_key(key)})
    # then
    assert response.status_code == 302 and response["Location"] == HOME
    device = TOTPDevice.objects.get(user=manager)
    assert device.confirmed and device.key == key
    assert client.get(reverse("identity:account")).status_code == 200
    assert AuditEvent.objects.filter(verb="mfa.enrolled", subject_id=str(manager.pk)).count() == 1
    assert PENDING_KEY_SESSION_KEY not in client.session


def test_the_enrolment_code_cannot_be_replayed_at_the_next_sign_in(client, manager):
    sign_in(client, "max")
    client.get(ENROL)
    code = mfa.code_for_key(pending_key(client))
    client.post(ENROL, {"code": code})
    client.post("/logout/")
    sign_in(client, "max")
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200 and "already used" in response.content.decode()


def test_a_manager_with_an_authenticator_enters_a_code(client, manager):
    device = mfa.enrol_totp(user=manager, by=manager)
    # when the password is right, the code step comes next
    assert sign_in(client, "max")["Location"] == VERIFY
    assert client.get(HOME)["Location"].startswith(VERIFY)
    # and a right code opens the desk
    response = client.post(VERIFY, {"code": mfa.current_code(device)})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(reverse("identity:account")).status_code == 200
    assert AuditEvent.objects.filter(verb="mfa.verified").count() == 1


def test_the_code_step_returns_to_the_page_first_asked_for(client, manager):
    device = mfa.enrol_totp(user=manager, by=manager)
    client.post("/login/?next=/account/tokens/", {"username": "max", "password": PASSWORD})
    response = client.post(VERIFY, {"code": mfa.current_code(device)})
    assert response["Location"] == "/account/tokens/"


def test_wrong_codes_are_refused_and_then_slowed_down(client, manager):
    device = mfa.enrol_totp(user=manager, by=manager)
    sign_in(client, "max")
    # a wrong code
    response = client.post(VERIFY, {"code": "000000" if mfa.current_code(device) != "000000" else "111111"})
    assert "not right" in response.content.decode()
    # an immediate next try, even the right code, must wait
    response = client.post(VERIFY, {"code": mfa.current_code(device)})
    assert "too many wrong codes" in response.content.decode()
    assert client.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(verb="mfa.code_rejected").count() == 1
    # after the pause the right code works
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    assert client.post(VERIFY, {"code": mfa.current_code(device)})["Location"] == HOME


def test_re_enrolling_is_no_way_around_an_existing_authenticator(client, manager):
    mfa.enrol_totp(user=manager, by=manager)
    sign_in(client, "max")
    # a session that has not passed the code may not set up a new authenticator
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"})["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_the_session_api_is_refused_until_the_second_factor_is_passed(client, manager, settings):
    settings.ROOT_URLCONF = "tests.identity.urls_probe"
    sign_in(client, "max")
    # a session alone
    response = client.get("/api/probe/whoami")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied" and response.json()["step"] == "enrol"
    # a request that brings its own credentials is judged on them alone: the half-done session is not used
    response = client.get("/api/probe/whoami", HTTP_AUTHORIZATION="Bearer ardk_x")
    assert response.status_code == 200 and response.json() == {"user": None}


def test_a_verified_session_reaches_the_api(client, manager, settings, login_as):
    settings.ROOT_URLCONF = "tests.identity.urls_probe"
    login_as(manager)
    assert client.get("/api/probe/whoami").json() == {"user": "max"}


def test_htmx_requests_are_told_to_load_the_step_as_a_whole_page(client, manager):
    sign_in(client, "max")
    response = client.get(HOME, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == ENROL


def test_without_the_setting_managers_sign_in_with_a_password_alone(client, manager, settings):
    settings.ARDESK_REQUIRE_MFA = False
    assert sign_in(client, "max")["Location"] == HOME
    assert client.get(reverse("identity:account")).status_code == 200


def test_a_collector_may_enrol_voluntarily_and_is_then_asked_for_codes(client, collector):
    # given a collector signed in with a password alone
    assert sign_in(client, "colin")["Location"] == HOME
    # when they set up an authenticator from their account page
    client.get(ENROL)
    client.post(ENROL, {"code": mfa.code_for_key(pending_key(client))})
    client.post("/logout/")
    # then their next sign-in asks for a code
    assert sign_in(client, "colin")["Location"] == VERIFY


def test_moving_to_a_new_phone_keeps_the_old_authenticator_until_the_new_one_works(client, manager, login_as):
    old = mfa.enrol_totp(user=manager, by=manager)
    login_as(manager)
    client.get(ENROL)
    client.post(ENROL, {"code": "000000"})  # wrong (or at worst right by chance, which the next check tolerates)
    assert TOTPDevice.objects.filter(user=manager).count() == 1
    client.post(ENROL, {"code": mfa.code_for_key(pending_key(client))})
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.get(user=manager).confirmed


def test_an_mfa_reset_sends_the_user_back_to_enrolment(client, manager, admin_user, login_as):
    mfa.enrol_totp(user=manager, by=manager)
    login_as(manager)
    # when an administrator resets it (a lost phone)
    removed = mfa.reset_mfa(user=manager, by=admin_user, reason="lost phone")
    # then the open session is held at enrolment
    assert removed == 1
    assert client.get(HOME)["Location"].startswith(ENROL)
    event = AuditEvent.objects.get(verb="mfa.reset")
    assert event.actor_id == admin_user.pk and event.reason == "lost phone"


def test_an_administrator_is_held_at_the_second_factor_too(client):
    UserFactory(username="ada", role="admin")
    assert sign_in(client, "ada")["Location"] == ENROL


def test_the_middleware_costs_at_most_one_query_a_request(collector, settings):
    # given the same page for a signed-in collector, in a client with and one without the steps middleware
    url = reverse("identity:account")
    with_client = sign_in_fully(Client(), collector)
    with_client.get(url)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("SignInStepsMiddleware")]
    without_client = sign_in_fully(Client(), collector)  # a new client loads the middleware afresh
    without_client.get(url)
    # when each asks for the page
    with CaptureQueriesContext(connection) as with_steps:
        assert with_client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as without_steps:
        assert without_client.get(url).status_code == 200
    # then the step check is a single indexed lookup (does this user have an authenticator?)
    assert len(with_steps) - len(without_steps) == 1
