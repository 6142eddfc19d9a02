"""`ardesk users …` on the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from ardesk.audit.models import AuditEvent
from ardesk.identity import mfa
from ardesk.identity.models import ApiToken, Team, User
from ardesk.identity.services import authenticate_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Command-line-pass-1"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("users", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_with_a_password_flag_and_a_new_team():
    out, _ = run("create", "--username", "ada", "--role", "admin", "--team", "Core", "--email", "ada@example.com",
                 "--password", PASSWORD)
    ada = User.objects.get(username="ada")
    assert ada.role == "admin" and ada.team == Team.objects.get(name="Core") and ada.email == "ada@example.com"
    assert ada.check_password(PASSWORD) and not ada.must_change_password
    assert "created ada" in out and "second factor" in out
    assert AuditEvent.objects.get(verb="user.created").actor_label.startswith("cli:")


def test_create_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("ARDESK_PASSWORD", PASSWORD)
    run("create", "--username", "colin", "--role", "collector", "--temporary")
    colin = User.objects.get(username="colin")
    assert colin.check_password(PASSWORD) and colin.must_change_password


def test_create_asks_on_a_terminal(monkeypatch):
    monkeypatch.delenv("ARDESK_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run("create", "--username", "colin", "--role", "collector")
    assert User.objects.get(username="colin").check_password(PASSWORD)


def test_create_without_any_password_source_fails_clearly(monkeypatch):
    monkeypatch.delenv("ARDESK_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="no password"):
        run("create", "--username", "colin", "--role", "collector")
    assert not User.objects.exists()


def test_create_refuses_a_weak_password_and_a_taken_name():
    with pytest.raises(CommandError, match="too short"):
        run("create", "--username", "colin", "--role", "collector", "--password", "abc")
    UserFactory(username="colin")
    with pytest.raises(CommandError, match="already exists"):
        run("create", "--username", "colin", "--role", "collector", "--password", PASSWORD)


def test_list_shows_active_users_with_role_and_second_factor():
    max_ = UserFactory(username="max", role="ar_manager")
    mfa.enrol_totp(user=max_, by=max_)
    UserFactory(username="gone", is_active=False)
    out, _ = run("list")
    lines = out.splitlines()
    assert lines[0].split() == ["username", "role", "team", "mfa", "tokens", "status"]
    assert any(line.split()[:4] == ["max", "AR", "manager", "-"] and " on " in line for line in lines)
    assert "gone" not in out
    assert "gone" in run("list", "--all")[0]


def test_token_prints_the_secret_alone_and_once():
    UserFactory(username="colin")
    out, err = run("token", "colin", "--name", "export", "--scopes", "read,write")
    secret = out.strip()
    token = authenticate_token(secret)
    assert token is not None and token.scopes == ["read", "write"] and token.name == "export"
    assert "not shown again" in err and secret not in err


def test_token_with_an_unknown_scope_fails():
    UserFactory(username="colin")
    with pytest.raises(CommandError, match="scopes"):
        run("token", "colin", "--name", "x", "--scopes", "read,admin")
    assert not ApiToken.objects.exists()


def test_revoke_token_by_its_prefix():
    UserFactory(username="colin")
    secret = run("token", "colin", "--name", "export")[0].strip()
    out, _ = run("revoke-token", secret[:10])
    assert "revoked 'export' of colin" in out
    assert authenticate_token(secret) is None
    with pytest.raises(CommandError, match="no live token"):
        run("revoke-token", secret[:10])


def test_revoke_token_needs_enough_characters():
    with pytest.raises(CommandError, match="at least the first 8"):
        run("revoke-token", "ardk_")


def test_mfa_reset():
    max_ = UserFactory(username="max", role="ar_manager")
    mfa.enrol_totp(user=max_, by=max_)
    out, _ = run("mfa-reset", "max", "--reason", "new phone")
    assert "1 authenticator(s) removed" in out
    assert not mfa.has_confirmed_device(max_)
    assert AuditEvent.objects.get(verb="mfa.reset").reason == "new phone"


def test_an_unknown_user_is_a_clear_error():
    with pytest.raises(CommandError, match="no user 'nobody'"):
        run("mfa-reset", "nobody")
