"""Customers and contacts over the API, with versions that stop lost updates."""

from __future__ import annotations

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.customers.models import Contact, Customer
from tests.api.conftest import error_of
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api_as, admin_user):
    return api_as(admin_user)


def test_a_customer_is_created_and_read_back(admin_api, admin_user):
    # given
    collector = UserFactory(username="colette", role="collector")
    body = {"number": "C-100", "name": "Acme GmbH", "currency": "eur", "country": "DE", "time_zone": "Europe/Berlin",
            "credit_limit": "50000", "collector_id": collector.pk, "segment": "enterprise"}
    # when
    created = admin_api.post("/customers", body)
    read = admin_api.get(f"/customers/{created.json()['id']}")
    # then
    assert created.status_code == 201, created.content
    assert read.json() == created.json()
    assert (read.json()["currency"], read.json()["credit_limit"], read.json()["version"]) == ("EUR", "50000.00", 1)
    assert read["ETag"] == '"1"'
    assert AuditEvent.objects.get(verb="customer.created").actor_id == admin_user.pk


@pytest.mark.parametrize(("changes", "field"), [({"credit_limit": "-1"}, "credit_limit"),
                                                ({"credit_limit": "1.001"}, "credit_limit"),
                                                ({"time_zone": "Mars/Olympus"}, "time_zone"),
                                                ({"time_zone": "x" * 300}, "time_zone"),  # once a 500
                                                ({"time_zone": "../../etc/passwd"}, "time_zone"),
                                                ({"country": "Germany"}, "country"),
                                                ({"number": ""}, "number")])
def test_bad_master_data_is_refused(admin_api, changes, field):
    # when
    response = admin_api.post("/customers", {"number": "C-1", "name": "Acme", "currency": "EUR", **changes})
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == field
    assert not Customer.objects.exists()


def test_a_reference_to_an_unknown_row_is_404_naming_the_field(admin_api):
    # when
    response = admin_api.post("/customers", {"number": "C-1", "name": "Acme", "currency": "EUR", "parent_id": 999})
    # then
    assert response.status_code == 404
    assert error_of(response)["field"] == "parent_id"


def test_customer_filters(admin_api):
    # given
    team = TeamFactory(name="North")
    collector = UserFactory(username="colette", role="collector")
    a = CustomerFactory(name="Alpha Tools", segment="retail", country="FR", collector=collector)
    b = CustomerFactory(name="Beta Tools", team=team)
    CustomerFactory(name="Gamma Foods")

    def ids(**params: object) -> set[int]:
        return {row["id"] for row in admin_api.get("/customers", params).json()["items"]}

    # then
    assert ids(q="tools") == {a.pk, b.pk}
    assert ids(q=a.number) == {a.pk}
    assert ids(segment="retail") == {a.pk}
    assert ids(country="fr") == {a.pk}
    assert ids(collector=collector.pk) == {a.pk}
    assert ids(team=team.pk) == {b.pk}


def test_a_patch_with_the_current_version_changes_the_customer(admin_api):
    # given
    customer = CustomerFactory(name="Acme")
    # when
    response = admin_api.patch(f"/customers/{customer.pk}", {"name": "Acme Ltd", "payment_terms_days": 45},
                               headers={"If-Match": '"1"'})
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["version"]) == ("Acme Ltd", 2)
    assert response["ETag"] == '"2"'
    customer.refresh_from_db()
    assert customer.payment_terms_days == 45


def test_a_stale_version_is_409_and_changes_nothing(admin_api):
    # given: two clients read version 1; the first one saves
    customer = CustomerFactory(name="Acme")
    admin_api.patch(f"/customers/{customer.pk}", {"name": "Acme Ltd", "version": 1})
    # when: the second one saves what it read
    response = admin_api.patch(f"/customers/{customer.pk}", {"segment": "retail"}, headers={"If-Match": "1"})
    # then
    assert response.status_code == 409
    assert error_of(response)["code"] == "stale_version"
    customer.refresh_from_db()
    assert (customer.name, customer.segment, customer.version) == ("Acme Ltd", "", 2)


@pytest.mark.parametrize(("body", "headers"), [({"name": "x"}, {}), ({"name": "x"}, {"If-Match": "*"}),
                                               ({"name": "x", "version": 2}, {"If-Match": "1"})])
def test_a_patch_without_one_clear_version_is_refused(admin_api, body, headers):
    # given
    customer = CustomerFactory(name="Acme")
    # when
    response = admin_api.patch(f"/customers/{customer.pk}", body, headers=headers)
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] in {"version", "If-Match"}
    customer.refresh_from_db()
    assert customer.name == "Acme"


def test_a_patch_cannot_change_the_number_or_null_the_name(admin_api):
    # given
    customer = CustomerFactory()
    # when
    number = admin_api.patch(f"/customers/{customer.pk}", {"number": "X", "version": 1})
    name = admin_api.patch(f"/customers/{customer.pk}", {"name": None, "version": 1})
    # then
    assert (number.status_code, error_of(number)["field"]) == (422, "number")
    assert (name.status_code, error_of(name)["field"]) == (422, "name")


def test_contacts_are_added_listed_and_changed(admin_api):
    # given
    customer = CustomerFactory()
    added = admin_api.post(f"/customers/{customer.pk}/contacts",
                           {"name": "Ann Payable", "email": "ann@example.com", "role": "accounts_payable"})
    # when
    listed = admin_api.get(f"/customers/{customer.pk}/contacts").json()["items"]
    changed = admin_api.patch(f"/contacts/{added.json()['id']}", {"phone": "+49 30 1234"},
                              headers={"If-Match": '"1"'})
    stale = admin_api.patch(f"/contacts/{added.json()['id']}", {"phone": "+49 30 9999", "version": 1})
    # then
    assert added.status_code == 201
    assert [c["email"] for c in listed] == ["ann@example.com"]
    assert (changed.status_code, changed.json()["phone"], changed.json()["version"]) == (200, "+49 30 1234", 2)
    assert stale.status_code == 409
    assert Contact.objects.get().phone == "+49 30 1234"


@pytest.mark.parametrize(("body", "field"), [({"name": "A", "email": "not-an-email"}, "email"),
                                             ({"name": "A", "email": "a@example.com", "role": "boss"}, "role")])
def test_bad_contacts_are_refused(admin_api, body, field):
    # given
    customer = CustomerFactory()
    # when
    response = admin_api.post(f"/customers/{customer.pk}/contacts", body)
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == field
    assert not Contact.objects.exists()


def test_a_collector_may_read_but_not_edit_customers(api_as, collector):
    # given
    customer = CustomerFactory(collector=collector)
    client = api_as(collector)
    # when
    response = client.patch(f"/customers/{customer.pk}", {"name": "Mine now", "version": 1})
    # then
    assert client.get(f"/customers/{customer.pk}").status_code == 200
    assert response.status_code == 403
