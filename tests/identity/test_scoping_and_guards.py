"""Who sees which customer, and the view guards other apps build on."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from ardesk.identity.guards import customer_or_404, requires, scoped_or_404
from ardesk.identity.roles import Permission
from ardesk.identity.scoping import visible_customers
from ardesk.ledger.models import Invoice
from tests.factories import CustomerFactory, InvoiceFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    """Two teams; north has a collector with one customer of his own; south has one customer."""
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    colin = UserFactory(username="colin", role="collector", team=north)
    mine = CustomerFactory(number="C-MINE", team=north, collector=colin)
    north_other = CustomerFactory(number="C-NORTH", team=north)
    south_one = CustomerFactory(number="C-SOUTH", team=south)
    return {"north": north, "south": south, "colin": colin, "mine": mine, "north_other": north_other,
            "south_one": south_one}


def numbers(user) -> set[str]:
    return set(visible_customers(user).values_list("number", flat=True))


def test_a_collector_sees_only_their_portfolio(book):
    assert numbers(book["colin"]) == {"C-MINE"}


def test_a_manager_sees_their_own_team_and_every_team_they_manage(book):
    # given a manager in North who also manages South
    max_ = UserFactory(username="max", role="ar_manager", team=book["north"])
    book["south"].manager = max_
    book["south"].save()
    # then / when
    assert numbers(max_) == {"C-MINE", "C-NORTH", "C-SOUTH"}


def test_a_manager_without_teams_sees_nothing(book):
    assert numbers(UserFactory(username="lonely", role="ar_manager")) == set()


def test_a_dispute_analyst_sees_their_team(book):
    assert numbers(UserFactory(username="dana", role="dispute_analyst", team=book["south"])) == {"C-SOUTH"}


def test_administrators_clerks_and_auditors_see_everything(book):
    for role in ("admin", "cash_clerk", "auditor"):
        assert numbers(UserFactory(username=f"u-{role}", role=role)) == {"C-MINE", "C-NORTH", "C-SOUTH"}


def test_a_small_team_may_let_everybody_see_everything(book, settings):
    settings.ARDESK_SEE_ALL_CUSTOMERS = True
    assert numbers(book["colin"]) == {"C-MINE", "C-NORTH", "C-SOUTH"}


def test_a_deactivated_user_sees_nothing(book):
    book["colin"].is_active = False
    book["colin"].save()
    assert numbers(book["colin"]) == set()


def test_customer_or_404_hides_what_is_out_of_scope(book):
    assert customer_or_404(book["colin"], book["mine"].pk) == book["mine"]
    with pytest.raises(Http404):
        customer_or_404(book["colin"], book["south_one"].pk)
    with pytest.raises(Http404):
        customer_or_404(book["colin"], "not-a-number")
    with pytest.raises(Http404):
        customer_or_404(AnonymousUser(), book["mine"].pk)


def test_scoped_or_404_follows_the_customer_of_a_row(book):
    mine = InvoiceFactory(customer=book["mine"])
    theirs = InvoiceFactory(customer=book["south_one"])
    assert scoped_or_404(Invoice.objects.all(), book["colin"], pk=mine.pk) == mine
    with pytest.raises(Http404):
        scoped_or_404(Invoice.objects.all(), book["colin"], pk=theirs.pk)


@requires(Permission.WRITE_OFF)
def write_off_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("write-off form")


def _get(user) -> HttpResponse:
    request = RequestFactory().get("/write-off/?x=1")
    request.user = user
    response = write_off_page(request)
    if hasattr(response, "render"):
        response.render()
    return response


def test_requires_sends_anonymous_visitors_to_sign_in():
    response = _get(AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/write-off/%3Fx%3D1"


def test_requires_shows_a_403_page_to_a_role_without_the_permission():
    response = _get(UserFactory(username="colin", role="collector"))
    assert response.status_code == 403
    assert b"does not allow this page" in response.content


def test_requires_lets_a_permitted_role_through():
    response = _get(UserFactory(username="dana", role="dispute_analyst"))
    assert response.status_code == 200 and response.content == b"write-off form"


def test_requires_refuses_a_deactivated_user():
    response = _get(UserFactory(username="gone", role="admin", is_active=False))
    assert response.status_code == 302
