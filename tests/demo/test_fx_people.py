from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal

from django_otp.oath import totp

from ardesk.demo.fx import daily_rates
from ardesk.demo.people import USERS, base32_secret, totp_key_hex
from ardesk.demo.plan import DEMO_CURRENCIES
from ardesk.identity.roles import Role
from tests.demo.conftest import tiny_plan


def test_every_other_currency_has_a_rate_for_every_day():
    plan = tiny_plan()
    rates = list(daily_rates(plan.seed, plan.start, plan.today, "EUR"))
    days = (plan.today - plan.start).days + 1
    assert len(rates) == days * (len(DEMO_CURRENCIES) - 1)
    assert {c for c, _, _ in rates} == set(DEMO_CURRENCIES) - {"EUR"}
    assert {d for _, d, _ in rates} == {plan.start + timedelta(days=n) for n in range(days)}
    assert all(isinstance(r, Decimal) and r > 0 for _, _, r in rates)


def test_rates_move_but_stay_plausible():
    plan = tiny_plan()
    usd = [r for c, _, r in daily_rates(plan.seed, plan.start, plan.today, "EUR") if c == "USD"]
    assert len(set(usd)) > 100
    assert all(Decimal("0.6") < r < Decimal("1.3") for r in usd)


def test_rates_against_another_company_currency_are_crosses():
    plan = tiny_plan()
    in_eur = {(c, d): r for c, d, r in daily_rates(plan.seed, plan.start, plan.today, "EUR")}
    in_usd = {(c, d): r for c, d, r in daily_rates(plan.seed, plan.start, plan.today, "USD")}
    day = plan.today
    # GBP in USD = GBP in EUR / USD in EUR
    assert abs(in_usd[("GBP", day)] - in_eur[("GBP", day)] / in_eur[("USD", day)]) < Decimal("1E-8")
    assert abs(in_usd[("EUR", day)] * in_eur[("USD", day)] - 1) < Decimal("1E-8")


def test_totp_keys_are_reproducible_per_seed_and_user():
    assert totp_key_hex(1, "ada") == totp_key_hex(1, "ada")
    assert totp_key_hex(1, "ada") != totp_key_hex(2, "ada") != totp_key_hex(1, "marta")


def test_the_base32_secret_is_the_key_an_app_computes_codes_from():
    key = totp_key_hex(2026, "ada")
    secret = base32_secret(key)
    padded = secret + "=" * (-len(secret) % 8)
    assert base64.b32decode(padded) == bytes.fromhex(key)
    assert totp(bytes.fromhex(key), t0=0, step=30) == totp(base64.b32decode(padded), t0=0, step=30)


def test_the_staff_has_every_role_the_brief_names():
    roles = [u.role for u in USERS]
    assert roles.count(Role.ADMIN) == 1 and roles.count(Role.AR_MANAGER) == 2
    assert roles.count(Role.COLLECTOR) == 4 and roles.count(Role.DISPUTE_ANALYST) == 2
    assert roles.count(Role.CASH_CLERK) == 1 and roles.count(Role.AUDITOR) == 1
    managed = {u.manages for u in USERS if u.role == Role.AR_MANAGER}
    assert managed == {u.team for u in USERS if u.role == Role.COLLECTOR}
