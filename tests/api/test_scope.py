"""A user sees their own portfolio or team only: anything else is a 404 that reveals nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ardesk.ledger.models import Application
from tests.api.conftest import error_of
from tests.factories import (
    CreditMemoFactory,
    CustomerFactory,
    InvoiceFactory,
    PaymentFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolios(collector):
    """The collector's customer and a colleague's, each with an invoice, a payment and an application."""
    colleague = UserFactory(username="carla", role="collector")
    mine, theirs = CustomerFactory(collector=collector), CustomerFactory(collector=colleague)
    rows = {}
    for owner, customer in (("mine", mine), ("theirs", theirs)):
        invoice = InvoiceFactory(customer=customer)
        payment = PaymentFactory(customer=customer)
        application = Application.objects.create(payment=payment, invoice=invoice, amount=Decimal("1.00"),
                                                  applied_on=invoice.issue_date)
        rows[owner] = {"customers": customer, "invoices": invoice, "payments": payment,
                       "applications": application, "credit-memos": CreditMemoFactory(customer=customer)}
    return rows


@pytest.mark.parametrize("resource", ["customers", "invoices", "payments", "applications", "credit-memos"])
def test_another_portfolios_row_is_404_and_the_own_is_200(api_as, collector, portfolios, resource):
    # given
    client = api_as(collector, ["read"])
    # when
    own = client.get(f"/{resource}/{portfolios['mine'][resource].pk}")
    foreign = client.get(f"/{resource}/{portfolios['theirs'][resource].pk}")
    missing = client.get(f"/{resource}/987654")
    # then
    assert own.status_code == 200
    assert foreign.status_code == 404
    assert error_of(foreign) == error_of(missing)  # the same answer as for a row that does not exist


@pytest.mark.parametrize("resource", ["customers", "invoices", "payments", "applications", "credit-memos"])
def test_lists_hold_only_the_own_portfolio(api_as, collector, portfolios, resource):
    # given
    client = api_as(collector, ["read"])
    # when
    ids = {row["id"] for row in client.get(f"/{resource}").json()["items"]}
    # then
    assert ids == {portfolios["mine"][resource].pk}


def test_a_foreign_contact_list_is_404(api_as, collector, portfolios):
    # when
    response = api_as(collector, ["read"]).get(f"/customers/{portfolios['theirs']['customers'].pk}/contacts")
    # then
    assert response.status_code == 404


def test_a_team_manager_sees_the_team_only(api_as, manager):
    # given
    team, other_team = TeamFactory(name="North"), TeamFactory(name="South")
    manager.team = team
    manager.save()
    ours, theirs = CustomerFactory(team=team), CustomerFactory(team=other_team)
    client = api_as(manager, ["read"])
    # when
    ids = {row["id"] for row in client.get("/customers").json()["items"]}
    # then
    assert ids == {ours.pk}
    assert client.get(f"/customers/{theirs.pk}").status_code == 404


def test_writes_cannot_reach_an_invoice_outside_the_scope(api_as, manager, admin_user):
    # given: a manager of team North may apply cash, but only within North
    north = TeamFactory(name="North")
    manager.team = north
    manager.save()
    ours = CustomerFactory(team=north)
    foreign_invoice = InvoiceFactory(customer=CustomerFactory(team=TeamFactory(name="South")))
    payment = PaymentFactory(customer=ours)
    client = api_as(manager)
    # when
    response = client.post("/applications", {"invoice_id": foreign_invoice.pk, "payment_id": payment.pk,
                                             "amount": "1.00"})
    write_off = client.post("/write-offs", {"invoice_id": foreign_invoice.pk, "amount": "1", "reason_code": "x"})
    # then
    assert response.status_code == 404
    assert error_of(response)["field"] == "invoice_id"
    assert write_off.status_code == 404
    assert not Application.objects.exists()


def test_a_manager_cannot_create_a_customer_outside_the_team(api_as, manager):
    # given
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    manager.team = north
    manager.save()
    client = api_as(manager)
    # when
    outside = client.post("/customers", {"number": "C-1", "name": "Acme", "currency": "EUR", "team_id": south.pk})
    inside = client.post("/customers", {"number": "C-2", "name": "Acme", "currency": "EUR"})
    # then
    assert outside.status_code == 403
    assert error_of(outside)["field"] == "team_id"
    assert inside.status_code == 201
    assert inside.json()["team_id"] == north.pk
