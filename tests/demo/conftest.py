"""Fixtures for the demo tests: a plan, a staffing of made-up ids, and a fast password hasher."""

from __future__ import annotations

from datetime import date

import pytest

from ardesk.demo.context import DemoContext, Staffing
from ardesk.demo.plan import DemoPlan, plan_for
from ardesk.demo.records import Ids

TODAY = date(2026, 11, 26)
STAFF = Staffing(teams={"emea": 1, "amer_apac": 2}, collectors={"emea": (3, 4), "amer_apac": (5, 6)},
                 analysts={"emea": 7, "amer_apac": 8}, managers={"emea": 9, "amer_apac": 10}, cash_clerk=11)


def tiny_plan(seed: int = 7, invoices: int = 300, currency: str = "EUR") -> DemoPlan:
    return plan_for(size=None, invoices=invoices, customers=None, seed=seed, today=TODAY, company_currency=currency)


def context(plan: DemoPlan) -> DemoContext:
    return DemoContext(plan=plan, staffing=STAFF, ids=Ids({}))


@pytest.fixture
def fast_hasher(settings):  # type: ignore[no-untyped-def]
    """Argon2 takes about a second by design; tests that do not sign in use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

