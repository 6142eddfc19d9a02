"""Identity services called directly: the invariants and the exact audit rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.errors import Conflict, DomainError
from ardesk.identity import mfa, services
from ardesk.identity.models import ApiToken, User
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_user_records_who_did_it(admin_user):
    user = services.create_user(username="nina", password="Long-enough-pass-1", role="cash_clerk", by=admin_user,
                                approval_limit=Decimal("12.5"))
    event = AuditEvent.objects.get(verb="user.created")
    assert event.actor_id == admin_user.pk and event.subject_id == str(user.pk)
    assert event.after == {"username": "nina", "role": "cash_clerk", "team": None, "approval_limit": "12.500",
                           "temporary_password": False}


def test_an_administrator_is_staff_and_loses_it_with_the_role(admin_user):
    other = services.create_user(username="ava", password=None, role="admin", by=admin_user)
    assert other.is_staff and not other.has_usable_password()
    demoted = services.change_role(user=other, role="auditor", by=admin_user)
    assert not demoted.is_staff


def test_an_unknown_role_is_refused(admin_user):
    with pytest.raises(ValueError):
        services.create_user(username="x", password=None, role="superhero", by=admin_user)


def test_the_last_active_administrator_stays(admin_user):
    # given a second, deactivated administrator: does not count
    UserFactory(username="old-admin", role="admin", is_active=False)
    with pytest.raises(Conflict):
        services.change_role(user=admin_user, role="ar_manager", by=admin_user)
    # once another active administrator exists, the demotion goes through
    UserFactory(username="ava", role="admin")
    assert services.change_role(user=admin_user, role="ar_manager", by=admin_user).role == "ar_manager"


def test_deactivating_the_last_administrator_is_refused(admin_user):
    by = UserFactory(username="ava", role="admin")
    services.deactivate_user(user=by, by=admin_user)
    with pytest.raises(Conflict):
        services.deactivate_user(user=admin_user, by=UserFactory(username="clerk", role="cash_clerk"))


def test_deactivation_revokes_only_live_tokens_and_is_idempotent(admin_user, collector):
    live, _ = services.issue_token(user=collector, name="live", scopes=["read"], by=collector)
    old, _ = services.issue_token(user=collector, name="old", scopes=["read"], by=collector)
    services.revoke_token(token=old, by=collector)
    services.deactivate_user(user=collector, by=admin_user)
    services.deactivate_user(user=collector, by=admin_user)
    assert ApiToken.objects.get(pk=live.pk).revoked_at is not None
    assert AuditEvent.objects.filter(verb="user.deactivated").count() == 1
    assert AuditEvent.objects.filter(verb="api_token.revoked", reason="user deactivated").count() == 1


def test_approval_limits_are_never_negative(admin_user, collector):
    with pytest.raises(DomainError) as error:
        services.set_approval_limit(user=collector, limit=Decimal("-0.01"), by=admin_user)
    assert error.value.field == "approval_limit"
    # and the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=collector.pk).update(approval_limit=Decimal("-1"))


def test_setting_the_same_value_writes_no_event(admin_user, collector):
    services.change_team(user=collector, team=None, by=admin_user)
    services.set_approval_limit(user=collector, limit=Decimal(0), by=admin_user)
    services.change_role(user=collector, role="collector", by=admin_user)
    assert not AuditEvent.objects.exists()


def test_a_team_manager_must_be_a_manager_or_administrator(admin_user, collector, manager):
    team = TeamFactory(name="North")
    with pytest.raises(DomainError):
        services.set_team_manager(team=team, manager=collector, by=admin_user)
    with pytest.raises(DomainError):
        services.create_team(name="South", manager=collector, by=admin_user)
    assert services.set_team_manager(team=team, manager=manager, by=admin_user).manager == manager


def test_a_team_needs_a_name(admin_user):
    with pytest.raises(DomainError):
        services.create_team(name="  ", by=admin_user)


def test_a_temporary_password_is_never_written_to_the_audit_log(admin_user, collector):
    services.set_temporary_password(user=collector, password="Secret-handover-1", by=admin_user)
    event = AuditEvent.objects.get(verb="user.temporary_password_set")
    assert "Secret-handover-1" not in str(event.after) and event.after == {"must_change_password": True}


def test_a_token_cannot_expire_in_the_past(collector):
    with pytest.raises(DomainError):
        services.issue_token(user=collector, name="t", scopes=["read"], by=collector,
                             expires_at=timezone.now() - timedelta(minutes=1))


def test_an_expired_token_no_longer_authenticates(collector):
    token, secret = services.issue_token(user=collector, name="t", scopes=["read"], by=collector,
                                         expires_at=timezone.now() + timedelta(hours=1))
    assert services.authenticate_token(secret) is not None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.authenticate_token(secret) is None


def test_a_wrong_code_is_counted_even_though_it_is_refused(manager):
    device = mfa.enrol_totp(user=manager, by=manager)
    wrong = "000000" if mfa.current_code(device) != "000000" else "111111"
    with pytest.raises(mfa.CodeRejected):
        mfa.verify_code(user=manager, code=wrong, by=manager)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert AuditEvent.objects.get(verb="mfa.code_rejected").after["failures"] == 1


def test_codes_with_spaces_are_accepted_and_garbage_is_not(manager):
    device = mfa.enrol_totp(user=manager, by=manager)
    code = mfa.current_code(device)
    assert mfa.verify_code(user=manager, code=f" {code[:3]} {code[3:]} ", by=manager) == device
    assert mfa.normalise_code("12345") is None and mfa.normalise_code("12a456") is None


def test_confirming_with_an_invalid_key_is_refused(manager):
    with pytest.raises(DomainError) as error:
        mfa.confirm_enrolment(user=manager, key_hex="zz", code="123456", by=manager)
    assert error.value.field == "key"
