from __future__ import annotations

from datetime import date

import pytest

from ardesk.demo.plan import SIZES, months_before, plan_for
from ardesk.errors import DomainError
from tests.demo.conftest import TODAY


def test_named_sizes_give_their_customers_and_invoices():
    # when
    small = plan_for(size="small", invoices=None, customers=None, seed=1, today=TODAY, company_currency="EUR")
    large = plan_for(size="large", invoices=None, customers=None, seed=1, today=TODAY, company_currency="EUR")
    # then
    assert (small.customers, small.invoices) == SIZES["small"] == (200, 8_000)
    assert (large.customers, large.invoices) == (100_000, 1_000_000)


def test_no_size_means_small():
    plan = plan_for(size=None, invoices=None, customers=None, seed=1, today=TODAY, company_currency="EUR")
    assert plan.invoices == 8_000


def test_an_invoice_count_gets_a_tenth_as_many_customers_unless_told():
    assert plan_for(size=None, invoices=1_000_000, customers=None, seed=1, today=TODAY,
                    company_currency="EUR").customers == 100_000
    assert plan_for(size=None, invoices=300, customers=None, seed=1, today=TODAY,
                    company_currency="EUR").customers == 30
    assert plan_for(size=None, invoices=300, customers=50, seed=1, today=TODAY,
                    company_currency="EUR").customers == 50
    assert plan_for(size=None, invoices=5, customers=None, seed=1, today=TODAY,
                    company_currency="EUR").customers == 5


@pytest.mark.parametrize(("options", "field"), [
    ({"size": "huge"}, "size"),
    ({"invoices": 0}, "invoices"),
    ({"invoices": 10, "customers": 11}, "customers"),
    ({"size": "small", "invoices": 10}, "invoices"),
    ({"invoices": 100, "company_currency": "AUD"}, "company_currency"),
    ({"invoices": 100, "company_currency": "XXY"}, "company_currency"),
])
def test_impossible_plans_are_refused_naming_the_option(options, field):
    arguments = {"size": None, "invoices": None, "customers": None, "seed": 1, "today": TODAY,
                 "company_currency": "EUR", **options}
    with pytest.raises(DomainError) as refused:
        plan_for(**arguments)
    assert refused.value.field == field


def test_history_starts_eighteen_months_back_even_from_a_month_end():
    plan = plan_for(size=None, invoices=100, customers=None, seed=1, today=date(2026, 11, 26),
                    company_currency="EUR")
    assert plan.start == date(2025, 5, 26)
    assert months_before(date(2026, 8, 31), 18) == date(2025, 2, 28)
