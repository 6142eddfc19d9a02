"""The pure policy: role grants, token scopes, sign-in steps, client address. No database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ardesk.identity.client_ip import address_from
from ardesk.identity.roles import GRANTS, Permission, Role, Scope, may, needs_mfa, scope_of, token_scopes_for
from ardesk.identity.steps import Step, mfa_required, next_step

WRITES = set(Permission) - {Permission.VIEW_LEDGER, Permission.VIEW_REPORTS, Permission.VIEW_AUDIT}


def test_auditor_is_read_only():
    # given the auditor's grants / when looking for any write / then there is none
    assert not (GRANTS[Role.AUDITOR] & WRITES)
    assert may(Role.AUDITOR, Permission.VIEW_AUDIT)


def test_only_administrators_manage_users():
    allowed = {role for role in Role if may(role, Permission.MANAGE_USERS)}
    assert allowed == {Role.ADMIN}


def test_each_role_does_its_own_job_and_not_the_others():
    assert may(Role.CASH_CLERK, Permission.APPLY_CASH) and not may(Role.CASH_CLERK, Permission.WRITE_OFF)
    assert may(Role.DISPUTE_ANALYST, Permission.WRITE_OFF) and not may(Role.DISPUTE_ANALYST, Permission.APPLY_CASH)
    assert not may(Role.COLLECTOR, Permission.WRITE_OFF) and not may(Role.COLLECTOR, Permission.APPLY_CASH)
    assert may(Role.AR_MANAGER, Permission.EDIT_CUSTOMERS) and not may(Role.AR_MANAGER, Permission.MANAGE_USERS)


def test_scopes_follow_the_role_unless_everyone_sees_everything():
    assert scope_of(Role.COLLECTOR) is Scope.PORTFOLIO
    assert scope_of(Role.AR_MANAGER) is Scope.TEAM
    assert scope_of(Role.ADMIN) is Scope.ALL
    assert all(scope_of(role, see_all=True) is Scope.ALL for role in Role)


def test_managers_and_administrators_need_a_second_factor():
    assert {role for role in Role if needs_mfa(role)} == {Role.AR_MANAGER, Role.ADMIN}


def test_token_scopes_offered_match_the_role():
    assert token_scopes_for(Role.AUDITOR) == ("read",)
    assert token_scopes_for(Role.CASH_CLERK) == ("read", "write")
    assert token_scopes_for(Role.ADMIN) == ("read", "write", "import")


@given(role=st.sampled_from(list(Role)), setting=st.booleans(), has_device=st.booleans(), verified=st.booleans(),
       must_change=st.booleans())
def test_no_page_before_the_second_factor(role, setting, has_device, verified, must_change):
    # given any user and session
    required = mfa_required(role=role, require_mfa_setting=setting, has_device=has_device)
    # when the next step is decided
    step = next_step(mfa_required=required, has_device=has_device, verified=verified, must_change_password=must_change)
    # then a required, unpassed second factor always comes first, and DONE means nothing is left
    if required and not verified:
        assert step is (Step.VERIFY if has_device else Step.ENROL)
    elif must_change:
        assert step is Step.CHANGE_PASSWORD
    else:
        assert step is Step.DONE


def test_a_voluntary_authenticator_is_asked_for_even_when_the_role_does_not_need_one():
    assert mfa_required(role=Role.COLLECTOR, require_mfa_setting=True, has_device=True)
    assert not mfa_required(role=Role.COLLECTOR, require_mfa_setting=True, has_device=False)
    assert not mfa_required(role=Role.ADMIN, require_mfa_setting=False, has_device=False)


def test_client_address_trusts_only_our_own_proxies():
    # a client forging X-Forwarded-For behind one proxy: the proxy appended the real address last
    assert address_from("10.0.0.1", "6.6.6.6, 203.0.113.9", 1) == "203.0.113.9"
    assert address_from("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", 2) == "203.0.113.9"
    # no trusted proxy: the header is ignored
    assert address_from("198.51.100.7", "6.6.6.6", 0) == "198.51.100.7"
    # a header shorter than the proxy chain cannot be trusted
    assert address_from("198.51.100.7", "", 1) == "198.51.100.7"


@given(remote=st.ip_addresses().map(str), hops=st.lists(st.ip_addresses().map(str), max_size=5),
       proxies=st.integers(min_value=0, max_value=6))
def test_client_address_is_always_one_we_were_given(remote, hops, proxies):
    address = address_from(remote, ", ".join(hops), proxies)
    assert address == remote or address in hops
    if proxies == 0:
        assert address == remote
