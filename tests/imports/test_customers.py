"""Importing customers: upsert on the customer number, parents within the file, nothing written twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.audit.queries import verify_chain
from ardesk.customers.models import Customer
from ardesk.imports.models import ImportBatch
from ardesk.imports.report import Status
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.imports.conftest import csv

pytestmark = pytest.mark.django_db

HEADER = "customer_number,name,currency,parent_number,country,credit_limit,collector,team,do_not_contact"


def test_new_customers_are_created_with_parents_named_later_in_the_file(run, write, admin_user):
    # given a child listed before its parent, and a collector and team that exist
    UserFactory(username="colin", role="collector")
    TeamFactory(name="North")
    path = write("customers.csv", csv(HEADER,
                                      "C2,Beta GmbH,EUR,C1,DE,\"5.000,00\",colin,North,yes",
                                      "C1,Alpha AG,EUR,,DE,,,,"))
    # when
    report = run("customers", path)
    # then
    assert (report.status, report.created, report.updated, report.unchanged, report.rejected) == (
        Status.APPLIED, 2, 0, 0, 0)
    beta = Customer.objects.select_related("parent", "collector", "team").get(number="C2")
    assert beta.parent.number == "C1" and beta.collector.username == "colin" and beta.team.name == "North"
    assert beta.credit_limit == Decimal("5000") and beta.do_not_contact is True
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.file_name, batch.created, batch.by, batch.status) == (
        "customers", "customers.csv", 2, admin_user, "applied")
    event = AuditEvent.objects.get()
    assert event.verb == "import.applied" and event.after["created"] == 2
    assert event.after["sha256"] == report.sha256 and event.actor_id == admin_user.pk


def test_importing_the_same_file_twice_writes_nothing_the_second_time(run, write):
    # given a file already imported
    path = write("customers.csv", csv(HEADER, "C1,Alpha AG,EUR,,DE,100,,,no", "C2,Beta,EUR,C1,FR,0,,,"))
    run("customers", path)
    events, batches = AuditEvent.objects.count(), ImportBatch.objects.count()
    versions = dict(Customer.objects.values_list("number", "version"))
    # when
    report = run("customers", path)
    # then
    assert (report.status, report.created, report.updated, report.unchanged) == (Status.UNCHANGED, 0, 0, 2)
    assert report.batch_id is None
    assert AuditEvent.objects.count() == events and ImportBatch.objects.count() == batches
    assert dict(Customer.objects.values_list("number", "version")) == versions


def test_a_changed_row_is_updated_and_audited_with_only_what_changed(run, write, admin_user):
    # given
    alpha = CustomerFactory(number="C1", name="Alpha", currency="EUR", country="DE", segment="smb")
    parent = CustomerFactory(number="P1")
    # when the file renames it and hangs it under P1; the segment column is absent and stays as it is
    report = run("customers", write("c.csv", csv("customer_number,name,currency,parent_number,country",
                                                 "C1,Alpha AG,EUR,P1,DE")))
    # then
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    alpha.refresh_from_db()
    assert (alpha.name, alpha.parent_id, alpha.segment, alpha.version) == ("Alpha AG", parent.pk, "smb", 2)
    changed = AuditEvent.objects.get(verb="customer.changed")
    assert changed.subject_id == str(alpha.pk)
    assert changed.before == {"name": "Alpha", "parent_id": None}
    assert changed.after == {"name": "Alpha AG", "parent_id": parent.pk}
    assert changed.reason == f"import #{report.batch_id} c.csv"
    assert AuditEvent.objects.get(verb="import.applied").after["updated"] == 1
    assert verify_chain()[1] == []


def test_an_existing_customer_may_get_a_parent_created_by_the_same_file(run, write):
    CustomerFactory(number="C1", name="Alpha", currency="EUR")
    report = run("customers", write("c.csv", csv("customer_number,name,currency,parent_number",
                                                 "C1,Alpha,EUR,G1", "G1,Group,EUR,")))
    assert (report.created, report.updated) == (1, 1)
    assert Customer.objects.get(number="C1").parent.number == "G1"
    assert AuditEvent.objects.get(verb="customer.changed").after == {
        "parent_id": Customer.objects.get(number="G1").pk}


@pytest.mark.parametrize(("rows", "expected"), [
    (["C1,A,EUR,C2", "C2,B,EUR,C1"], [(2, "parent_number", "would make a loop in the customer group: C1 → C2 → C1"),
                                       (3, "parent_number", "would make a loop in the customer group: C2 → C1 → C2")]),
    (["C1,A,EUR,C1"], [(2, "parent_number", "a customer cannot be its own parent")]),
    (["C1,A,EUR,NOPE"], [(2, "parent_number", "no customer NOPE in ardesk or in this file")]),
])
def test_parents_that_loop_or_do_not_exist_are_refused(run, write, rows, expected):
    report = run("customers", write("c.csv", csv("customer_number,name,currency,parent_number", *rows)))
    assert [(r.row, r.column, r.reason) for r in report.rejections] == expected
    assert not Customer.objects.exists()


def test_a_loop_through_customers_already_in_ardesk_is_found(run, write):
    top = CustomerFactory(number="T")
    CustomerFactory(number="M", parent=top)
    report = run("customers", write("c.csv", csv("customer_number,name,currency,parent_number", "T,Top,EUR,M")))
    assert [r.reason for r in report.rejections] == ["would make a loop in the customer group: T → M → T"]


def test_unknown_collectors_and_teams_are_refused(run, write):
    report = run("customers", write("c.csv", csv("customer_number,name,currency,collector,team",
                                                 "C1,A,EUR,nobody,Nowhere")))
    assert [(r.column, r.value, r.reason) for r in report.rejections] == [
        ("collector", "nobody", "no user nobody in ardesk"), ("team", "Nowhere", "no team Nowhere in ardesk")]
