"""Administration pages: only administrators; every change through a service, with its audit event."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ardesk.audit.models import AuditEvent
from ardesk.identity import mfa
from ardesk.identity.models import Team, User
from ardesk.identity.services import authenticate_token, issue_token
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

USERS = reverse("identity:user_list")
TEAMS = reverse("identity:team_list")
NEW_USER = reverse("identity:user_create")
GOOD_PASSWORD = "Temporary-pass-2026"


@pytest.fixture
def admin_client(client, admin_user, login_as):
    login_as(admin_user)
    return client


@pytest.mark.parametrize("role", ["collector", "dispute_analyst", "cash_clerk", "ar_manager", "auditor"])
def test_other_roles_get_a_403_page(client, login_as, role):
    login_as(UserFactory(username=f"u-{role}", role=role))
    for url in (USERS, NEW_USER, TEAMS):
        response = client.get(url)
        assert response.status_code == 403 and "does not allow this page" in response.content.decode()


def test_the_user_list_shows_role_team_and_second_factor(admin_client):
    team = TeamFactory(name="North")
    colin = UserFactory(username="colin", role="collector", team=team)
    mfa.enrol_totp(user=colin, by=colin)
    UserFactory(username="gone", is_active=False)
    html = admin_client.get(USERS).content.decode()
    assert "colin" in html and "North" in html and "Collector" in html
    assert "gone" not in html  # deactivated users are behind the status filter
    assert "gone" in admin_client.get(USERS, {"status": "inactive"}).content.decode()
    assert "colin" not in admin_client.get(USERS, {"q": "ada"}).content.decode()


def test_an_administrator_creates_a_user_with_a_temporary_password(admin_client, admin_user):
    team = TeamFactory(name="North")
    # when
    response = admin_client.post(NEW_USER, {
        "username": "nina", "first_name": "Nina", "last_name": "Novak", "email": "nina@example.com",
        "role": "dispute_analyst", "team": team.pk, "approval_limit": "2500.00", "password": GOOD_PASSWORD,
    })
    # then
    nina = User.objects.get(username="nina")
    assert response["Location"] == reverse("identity:user_detail", args=[nina.pk])
    assert (nina.role, nina.team, nina.approval_limit) == ("dispute_analyst", team, Decimal("2500.000"))
    assert nina.must_change_password and nina.check_password(GOOD_PASSWORD)
    event = AuditEvent.objects.get(verb="user.created", subject_id=str(nina.pk))
    assert event.actor_id == admin_user.pk and GOOD_PASSWORD not in str(event.after)


def test_a_weak_temporary_password_is_refused(admin_client):
    response = admin_client.post(NEW_USER, {"username": "nina", "role": "collector", "approval_limit": "0",
                                            "password": "nina12345"})
    assert response.status_code == 200 and "too short" in response.content.decode()
    assert not User.objects.filter(username="nina").exists()


def test_a_username_is_taken_whatever_its_case(admin_client):
    UserFactory(username="nina")
    response = admin_client.post(NEW_USER, {"username": "NINA", "role": "collector", "approval_limit": "0",
                                            "password": GOOD_PASSWORD})
    assert "already exists" in response.content.decode()


def test_role_team_and_approval_limit_change_each_with_its_event(admin_client):
    colin = UserFactory(username="colin", role="collector")
    team = TeamFactory(name="South")
    response = admin_client.post(reverse("identity:user_detail", args=[colin.pk]),
                                 {"role": "ar_manager", "team": team.pk, "approval_limit": "10000"})
    assert response.status_code == 302
    colin.refresh_from_db()
    assert (colin.role, colin.team, colin.approval_limit) == ("ar_manager", team, Decimal("10000"))
    verbs = set(AuditEvent.objects.filter(subject_id=str(colin.pk)).values_list("verb", flat=True))
    assert {"user.role_changed", "user.team_changed", "user.approval_limit_set"} <= verbs
    role_event = AuditEvent.objects.get(verb="user.role_changed")
    assert role_event.before == {"role": "collector"} and role_event.after == {"role": "ar_manager"}


def test_a_negative_approval_limit_is_refused(admin_client):
    colin = UserFactory(username="colin")
    response = admin_client.post(reverse("identity:user_detail", args=[colin.pk]),
                                 {"role": "collector", "team": "", "approval_limit": "-1"})
    assert response.status_code == 400
    colin.refresh_from_db()
    assert colin.approval_limit == 0


def test_deactivation_ends_sessions_and_revokes_tokens(admin_client):
    colin = UserFactory(username="colin")
    _, secret = issue_token(user=colin, name="script", scopes=["read"], by=colin)
    colins_browser = Client()
    colins_browser.force_login(colin)
    # when
    admin_client.post(reverse("identity:user_deactivate", args=[colin.pk]), {"reason": "left the company"})
    # then
    colin.refresh_from_db()
    assert not colin.is_active
    assert colins_browser.get(reverse("identity:account"))["Location"].startswith("/login/")
    assert authenticate_token(secret) is None
    event = AuditEvent.objects.get(verb="user.deactivated")
    assert event.reason == "left the company"


def test_reactivation(admin_client):
    gone = UserFactory(username="gone", is_active=False)
    admin_client.post(reverse("identity:user_reactivate", args=[gone.pk]))
    gone.refresh_from_db()
    assert gone.is_active


def test_an_administrator_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(reverse("identity:user_deactivate", args=[admin_user.pk]), follow=True)
    admin_user.refresh_from_db()
    assert admin_user.is_active and "cannot deactivate yourself" in response.content.decode()


def test_the_last_administrator_cannot_be_demoted(admin_client, admin_user):
    response = admin_client.post(reverse("identity:user_detail", args=[admin_user.pk]),
                                 {"role": "collector", "team": "", "approval_limit": "0"})
    assert response.status_code == 400 and "at least one active administrator" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"


def test_reset_mfa_from_the_user_page(admin_client, manager, admin_user):
    mfa.enrol_totp(user=manager, by=manager)
    admin_client.post(reverse("identity:user_reset_mfa", args=[manager.pk]))
    assert not mfa.has_confirmed_device(manager)
    assert AuditEvent.objects.get(verb="mfa.reset").actor_id == admin_user.pk


def test_a_temporary_password_from_the_user_page(admin_client, collector):
    admin_client.post(reverse("identity:user_password", args=[collector.pk]), {"password": GOOD_PASSWORD})
    collector.refresh_from_db()
    assert collector.must_change_password and collector.check_password(GOOD_PASSWORD)


def test_the_user_page_shows_a_lockout_and_lifts_it(admin_client, collector):
    browser = Client()
    for _ in range(5):
        browser.post("/login/", {"username": "colin", "password": "nope"})
    page = admin_client.get(reverse("identity:user_detail", args=[collector.pk])).content.decode()
    assert "Sign-in is paused" in page
    admin_client.post(reverse("identity:user_unlock", args=[collector.pk]))
    assert browser.post("/login/", {"username": "colin", "password": "correct horse battery"}).status_code == 302


def test_teams_are_created_and_given_a_manager(admin_client, manager):
    response = admin_client.post(TEAMS, {"name": "Benelux", "manager": manager.pk})
    assert response["Location"] == TEAMS
    team = Team.objects.get(name="Benelux")
    assert team.manager == manager
    assert "Benelux" in admin_client.get(TEAMS).content.decode()
    # the manager changes
    other = UserFactory(username="mia", role="ar_manager")
    admin_client.post(reverse("identity:team_detail", args=[team.pk]), {"manager": other.pk})
    team.refresh_from_db()
    assert team.manager == other
    assert AuditEvent.objects.filter(verb="team.manager_set").count() == 1


def test_a_collector_cannot_manage_a_team(admin_client, collector):
    team = TeamFactory(name="North")
    response = admin_client.post(reverse("identity:team_detail", args=[team.pk]), {"manager": collector.pk})
    assert response.status_code == 400
    team.refresh_from_db()
    assert team.manager is None


def test_a_duplicate_team_name_is_refused(admin_client):
    TeamFactory(name="North")
    response = admin_client.post(TEAMS, {"name": "north"})
    assert response.status_code == 400 and "already exists" in response.content.decode()
