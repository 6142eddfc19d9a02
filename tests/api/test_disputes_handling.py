"""Working a dispute over the API: status, owner, priority, reason; comments, tasks, offers; its timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.disputes.models import Dispute
from tests.api.conftest import error_of
from tests.api.dispute_support import *  # noqa: F403  (the fixtures)
from tests.api.dispute_support import book, raised
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_status_moves_through_the_workflow_and_refuses_an_illegal_move(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = raised(api, invoice)
    # when it goes to review, then to waiting on the customer
    moved = api.post(f"/disputes/{dispute['id']}/status", {"to": "in_review", "note": "looking at it"})
    assert moved.status_code == 200 and moved.json()["status"] == "in_review"
    waiting = api.post(f"/disputes/{dispute['id']}/status", {"to": "waiting_on_customer"}).json()
    assert waiting["status"] == "waiting_on_customer" and waiting["version"] == dispute["version"] + 2
    # then resolving through the status route is an illegal transition, named as such
    response = api.post(f"/disputes/{dispute['id']}/status", {"to": "resolved"})
    assert response.status_code == 422 and error_of(response)["field"] == "to"


def test_an_illegal_transition_is_a_conflict_naming_the_status(api_as, analyst, invoice):
    # given a dispute resolved and then moved again
    api = api_as(analyst)
    dispute = raised(api, invoice, reason_code="pricing")
    api.post(f"/disputes/{dispute['id']}/status", {"to": "in_review"})
    assert api.post(f"/disputes/{dispute['id']}/resolve", {"outcome": "rejected"}).status_code == 200
    response = api.post(f"/disputes/{dispute['id']}/status", {"to": "escalated"})
    assert response.status_code == 409
    assert error_of(response)["field"] == "status" and "reopen it first" in error_of(response)["message"]


def test_a_stale_version_is_refused(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = raised(api, invoice)
    api.post(f"/disputes/{dispute['id']}/status", {"to": "in_review"})
    response = api.post(f"/disputes/{dispute['id']}/status", {"to": "escalated"},
                        headers={"If-Match": f'"{dispute["version"]}"'})
    assert response.status_code == 409 and error_of(response)["code"] == "stale_version"
    assert Dispute.objects.get().status == "in_review"


@pytest.mark.parametrize(("action", "body"), [
    ("assign", {"owner_id": None, "department": "logistics"}),
    ("priority", {"priority": "urgent"}),
    ("reason-code", {"reason_code": "damaged_goods"}),
])
def test_owner_priority_and_reason_changed_on_a_stale_read_are_refused(api_as, analyst, invoice, action, body):
    # given a dispute read at one version, then moved on by someone else
    api = api_as(analyst)
    dispute = raised(api, invoice, reason_code="pricing")
    assert api.post(f"/disputes/{dispute['id']}/status", {"to": "in_review"}).status_code == 200
    # when a change is sent with the version first read (body or If-Match), it is refused and nothing changes
    stale = api.post(f"/disputes/{dispute['id']}/{action}", {**body, "version": dispute["version"]})
    assert stale.status_code == 409 and error_of(stale)["code"] == "stale_version"
    by_header = api.post(f"/disputes/{dispute['id']}/{action}", body,
                         headers={"If-Match": f'"{dispute["version"]}"'})
    assert by_header.status_code == 409
    after = api.get(f"/disputes/{dispute['id']}").json()
    assert (after["priority"], after["reason_code"], after["department"]) == (
        dispute["priority"], "pricing", dispute["department"])
    # and with the current version it goes through
    assert api.post(f"/disputes/{dispute['id']}/{action}", {**body, "version": after["version"]}).status_code == 200


def test_assign_one_and_many(api_as, analyst, second_analyst, customer):
    api = api_as(analyst)
    first = raised(api, book(customer, "N-A-1"))
    second = raised(api, book(customer, "N-A-2"))
    one = api.post(f"/disputes/{first['id']}/assign", {"owner_id": second_analyst.pk, "department": "logistics"})
    assert one.status_code == 200 and (one.json()["owner"], one.json()["department"]) == ("dirk", "logistics")
    many = api.post("/disputes/assign", {"ids": [first["id"], second["id"]], "owner_id": analyst.pk})
    assert many.status_code == 200
    assert [(row["id"], row["owner_id"]) for row in many.json()["items"]] == [
        (first["id"], analyst.pk), (second["id"], analyst.pk)]


def test_bulk_assign_with_one_unseen_dispute_changes_nothing(api_as, analyst, second_analyst, customer, stranger):
    admin = UserFactory(username="ada", role="admin")
    hidden = raised(api_as(admin), book(stranger, "S-A-1"))
    api = api_as(analyst)
    mine = raised(api, book(customer, "N-A-3"))
    response = api.post("/disputes/assign", {"ids": [mine["id"], hidden["id"]], "owner_id": second_analyst.pk})
    assert response.status_code == 404 and error_of(response)["field"] == "ids.1"
    assert Dispute.objects.get(pk=mine["id"]).owner_id is None


def test_a_collector_may_not_reassign(api_as, analyst, customer, invoice):
    collector: Any = UserFactory(username="colin", role="collector")
    customer.collector = collector
    customer.save()
    dispute = raised(api_as(analyst), invoice)
    response = api_as(collector).post(f"/disputes/{dispute['id']}/assign", {"owner_id": collector.pk})
    assert response.status_code == 403


def test_priority_and_reason_code(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = raised(api, invoice)
    assert api.post(f"/disputes/{dispute['id']}/priority", {"priority": "urgent"}).json()["priority"] == "urgent"
    chosen = api.post(f"/disputes/{dispute['id']}/reason-code", {"reason_code": "quantity_short", "reroute": True})
    assert chosen.status_code == 200
    assert (chosen.json()["reason_code"], chosen.json()["department"]) == ("quantity_short", "logistics")
    unknown = api.post(f"/disputes/{dispute['id']}/reason-code", {"reason_code": "nonsense"})
    assert unknown.status_code == 404 and error_of(unknown)["field"] == "reason_code"


def test_comments_with_mentions(api_as, analyst, second_analyst, invoice):
    api = api_as(analyst)
    dispute = raised(api, invoice)
    created = api.post(f"/disputes/{dispute['id']}/comments", {"body": "@dirk can you check the price list?"})
    assert created.status_code == 201 and created.json()["mentions"] == ["dirk"]
    listed = api.get(f"/disputes/{dispute['id']}/comments").json()["items"]
    assert [(c["author"], c["body"]) for c in listed] == [("dana", "@dirk can you check the price list?")]
    empty = api.post(f"/disputes/{dispute['id']}/comments", {"body": "   "})
    assert empty.status_code == 422 and error_of(empty)["field"] == "body"


def test_tasks_are_added_and_completed_once(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = raised(api, invoice)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    task = api.post(f"/disputes/{dispute['id']}/tasks", {"title": "Confirm the price list", "department": "pricing",
                                                         "due_date": due})
    assert task.status_code == 201 and task.json()["done"] is False
    path = f"/disputes/{dispute['id']}/tasks/{task.json()['id']}/complete"
    done = api.post(path, {"note": "list says 12.00"})
    again = api.post(path, {"note": "again"})
    assert done.json()["done"] is True and again.json()["outcome_note"] == "list says 12.00"
    assert AuditEvent.objects.filter(verb="dispute.task_completed").count() == 1
    past = api.post(f"/disputes/{dispute['id']}/tasks", {"title": "x", "department": "sales",
                                                         "due_date": "2000-01-01"})
    assert past.status_code == 422 and error_of(past)["field"] == "due_date"


def test_a_task_of_another_dispute_is_not_found(api_as, analyst, customer):
    api = api_as(analyst)
    first, second = raised(api, book(customer, "N-T-1")), raised(api, book(customer, "N-T-2"))
    task = api.post(f"/disputes/{first['id']}/tasks", {"title": "x", "department": "sales"}).json()
    assert api.post(f"/disputes/{second['id']}/tasks/{task['id']}/complete", {}).status_code == 404


def test_offers_stay_within_the_amount_in_dispute(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = raised(api, invoice, "100.00")
    offer = api.post(f"/disputes/{dispute['id']}/offers", {"party": "company", "amount": "40.00", "note": "half?"})
    counter = api.post(f"/disputes/{dispute['id']}/offers", {"kind": "counter_offer", "party": "customer",
                                                             "amount": "70.00"})
    assert offer.status_code == counter.status_code == 201
    assert [o["amount"] for o in api.get(f"/disputes/{dispute['id']}/offers").json()["items"]] == ["40.00", "70.00"]
    too_much = api.post(f"/disputes/{dispute['id']}/offers", {"party": "customer", "amount": "100.01"})
    assert too_much.status_code == 422 and error_of(too_much)["field"] == "amount"


def test_the_timeline_lists_everything_newest_first(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = raised(api, invoice)
    api.post(f"/disputes/{dispute['id']}/status", {"to": "in_review"})
    api.post(f"/disputes/{dispute['id']}/comments", {"body": "noted"})
    events = api.get(f"/disputes/{dispute['id']}/timeline").json()["items"]
    assert [e["verb"] for e in events] == ["dispute.commented", "dispute.status_changed", "dispute.raised"]
    assert events[1]["after"] == {"status": "in_review"} and events[0]["actor"] == "dana"


def test_an_auditor_reads_but_may_not_comment(api_as, analyst, invoice):
    dispute = raised(api_as(analyst), invoice)
    auditor = api_as(UserFactory(username="aude", role="auditor"))
    assert auditor.get(f"/disputes/{dispute['id']}").status_code == 200
    assert auditor.post(f"/disputes/{dispute['id']}/comments", {"body": "hi"}).status_code == 403
