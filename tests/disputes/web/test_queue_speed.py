"""What keeps the queue and the dispute page fast at 100,000 disputes, held to account on a small world.

The page's summary stops counting at a cap (and says so), a page runs as many queries for many rows as for
few, each queue order is read from its index instead of sorting the table, and the dispute page shows the
latest comments with a way to all of them. The figures themselves come from benchmarks/bench_disputes.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ardesk.apikit.pagination import PageQuery
from ardesk.disputes import queue as queue_module
from ardesk.disputes import services
from ardesk.disputes.api.reads import page_queue
from ardesk.disputes.queue import page_summary, parse_filter, queue, queue_summary
from ardesk.disputes.views.detail import COMMENTS_SHOWN
from tests.disputes.web.test_queue import TODAY, _dispute, world  # noqa: F401  (the queue tests' world)
from tests.factories import UserFactory
from tests.web.html import Page

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plans")


def test_below_the_cap_the_page_summary_is_the_exact_one(world):  # noqa: F811
    analyst, *_ = world
    for params in ({}, {"status": "all"}, {"sla": "breached"}):
        f = parse_filter(params)
        exact = queue_summary(analyst, f, TODAY)
        assert page_summary(queue(analyst, f, TODAY), TODAY) == {**exact, "capped": False}
    everything = queue(analyst, parse_filter({"status": "all"}), TODAY)
    assert page_summary(everything, TODAY, cap=5)["capped"] is False  # five in scope: at the cap is exact


def test_above_the_cap_the_summary_stops_counting_but_still_counts_breaches(world):  # noqa: F811
    analyst, *_ = world
    everything = queue(analyst, parse_filter({"status": "all"}), TODAY)
    assert page_summary(everything, TODAY, cap=3) == {"count": 3, "capped": True, "outstanding": {},
                                                       "sla_breached": 1}


def test_the_queue_page_says_more_than_the_cap_and_offers_pages_up_to_it(world, client, monkeypatch):  # noqa: F811
    analyst, *_ = world
    client.force_login(analyst)
    monkeypatch.setattr(queue_module, "PAGE_COUNT_CAP", 2)
    monkeypatch.setattr("ardesk.disputes.views.queue.PAGE_SIZE", 1)
    page = Page(client.get(reverse("disputes:queue"), {"status": "all"}).content)
    assert page.text("queue-count") == "2+"
    assert "narrow the filter" in page.text("queue-capped")
    assert "page 1 of 2+" in page.text("dispute-queue")
    monkeypatch.setattr(queue_module, "PAGE_COUNT_CAP", 10)
    page = Page(client.get(reverse("disputes:queue"), {"status": "all"}).content)
    assert page.text("queue-count") == "5"
    assert page.by_id("queue-capped") is None


def _queries(client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


def test_the_queue_page_runs_as_many_queries_for_many_rows_as_for_few(world, client):  # noqa: F811
    analyst, _colleague, _team, acme, bolt, _rows = world
    client.force_login(analyst)
    url = reverse("disputes:queue")
    few = {sort: _queries(client, url, sort=sort) for sort in ("sla_due", "-amount", "customer")}
    for k in range(12):
        _dispute(f"DSP-{100 + k}", acme if k % 2 else bolt, owner=analyst if k % 3 else None, sla_in_days=k)
    assert {sort: _queries(client, url, sort=sort) for sort in few} == few


def test_the_api_pages_in_the_queue_order_by_keys_then_rows(world):  # noqa: F811
    """The API's page picks its keys sorted on the bare table, then loads those rows: same rows, same order."""
    analyst, *_ = world

    for sort in ("sla_due", "-amount", "amount", "-age", "customer"):
        f = parse_filter({"status": "all", "sort": sort})
        expected = [d.number for d in queue(analyst, f, TODAY)]
        seen: list[str] = []
        cursor: str | None = None
        while True:
            page = page_queue(queue(analyst, f, TODAY), sort=sort, page=PageQuery(cursor=cursor, limit=2))
            seen += [d.number for d in page.items]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert seen == expected, sort


@postgres_only
@pytest.mark.parametrize(("params", "index"), [
    ({}, "dispute_open_queue_idx"),
    ({"owner": "none"}, "dispute_open_queue_idx"),
    ({"status": "all"}, "dispute_sla_order_idx"),
    ({"sort": "-amount"}, "dispute_open_outstanding_idx"),
    ({"status": "all", "sort": "amount"}, "dispute_outstanding_idx"),
    ({"sort": "-age"}, "dispute_open_age_idx"),
])
def test_each_queue_order_is_read_from_its_index(world, params, index):  # noqa: F811
    """With sorting and table scans priced out, the page's key query still has a plan: its index, in order.
    (A change to the sorts, the open states or the outstanding expression that no index fits fails here.)"""
    admin = UserFactory(role="admin")
    keys = queue(admin, parse_filter(params), TODAY).values_list("pk", flat=True)[:50]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = keys.explain()
    assert index in plan, plan
    assert "Sort" not in plan, plan


def _dispute_page_queries(client, desk, dispute) -> int:
    client.force_login(desk.analyst)
    return _queries(client, reverse("disputes:detail", args=[dispute.pk]))


def _work_on(desk, dispute, times: int) -> None:
    for k in range(times):
        services.add_comment(dispute=dispute, body=f"note {k} for @{desk.colleague.username}", by=desk.analyst)
        task = services.add_task(dispute=dispute, title=f"check {k}", department="logistics",
                                 assignee=desk.colleague, by=desk.analyst)
        if k % 2:
            services.complete_task(task=task, by=desk.colleague)
        services.record_offer(dispute=dispute, kind="offer", party="company", amount=Decimal("1.00"),
                              by=desk.analyst)


def test_the_dispute_page_runs_as_many_queries_for_a_long_history_as_for_a_short_one(desk, client):
    short = desk.in_review(desk.raise_on(amount="40.00"))
    long = desk.in_review(desk.raise_on(amount="50.00", confirm_duplicate=True))
    _work_on(desk, short, 2)
    _work_on(desk, long, 8)
    assert _dispute_page_queries(client, desk, long) == _dispute_page_queries(client, desk, short)


def test_the_dispute_page_shows_the_latest_comments_and_links_to_all(desk, client):
    dispute = desk.in_review(desk.raise_on())
    for k in range(COMMENTS_SHOWN + 2):
        services.add_comment(dispute=dispute, body=f"comment number {k}", by=desk.analyst)
    client.force_login(desk.analyst)
    url = reverse("disputes:detail", args=[dispute.pk])
    page = Page(client.get(url).content)
    shown = [n.text() for n in page.by_id("comment-list").iter("li")]  # type: ignore[union-attr]
    assert len(shown) == COMMENTS_SHOWN
    assert f"comment number {COMMENTS_SHOWN + 1}" in shown[0]  # newest first
    assert page.text("all-comments") == f"Show all {COMMENTS_SHOWN + 2} comments"
    everything = Page(client.get(url, {"comments": "all"}).content)
    assert len(everything.by_id("comment-list").iter("li")) == COMMENTS_SHOWN + 2  # type: ignore[union-attr]
    assert everything.by_id("all-comments") is None
