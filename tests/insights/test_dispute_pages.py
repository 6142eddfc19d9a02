"""The dispute reports as a page, downloads, API route and command: the same figures everywhere."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.insights.dispute_world import DisputeWorld, build_dispute_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> DisputeWorld:  # type: ignore[no-untyped-def]
    return build_dispute_world()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_chosen_report_for_the_users_customers(world: DisputeWorld):
    response = _client(world.manager).get(reverse("insights:disputes"), {"report": "by_customer"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "C-ALPHA Alpha GmbH" in text and "C-SOUTH" not in text
    assert "870.00" in text  # the total of the manager's team, in EUR
    assert 'href="/reports/disputes/"' in _client(world.manager).get("/").content.decode()  # in the navigation


def test_bad_input_is_a_message_not_an_error(world: DisputeWorld):
    client = _client(world.manager)
    response = client.get(reverse("insights:disputes"), {"report": "by_moon"})
    assert response.status_code == 400 and "report: unknown value" in response.content.decode()
    response = client.get(reverse("insights:disputes"), {"raised_from": "2026-13-01"})
    assert response.status_code == 400 and "raised_from" in response.content.decode()


def test_downloads_csv_and_xlsx(world: DisputeWorld, tmp_path: Any):
    client = _client(world.manager)
    csv_text = client.get(reverse("insights:disputes"), {"report": "sla", "format": "csv"}).content.decode()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert rows[-1]["label"] == "Total" and rows[-1]["breach_rate"] == "0.6000"
    xlsx = client.get(reverse("insights:disputes"), {"report": "by_reason", "format": "xlsx"})
    (tmp_path / "r.xlsx").write_bytes(xlsx.content)
    sheet = load_workbook(tmp_path / "r.xlsx")["Report"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][3] == "Disputed (EUR)" and values[-1][1] == "Total" and float(values[-1][3]) == 870.0


def test_the_api_answers_json_and_csv(world: DisputeWorld):
    client = _client(world.manager)
    data = client.get("/api/v1/reports/disputes/cycle_time").json()
    assert data["totals"]["p90_days"] == "32.0" and data["currency"] == "EUR"
    assert {r["key"] for r in data["rows"]} == {"partly_accepted", "rejected", "accepted"}
    bad = client.get("/api/v1/reports/disputes/by_reason?as_of=2026-02-30")
    assert bad.status_code == 422 and bad.json()["field"] == "as_of"
    assert client.get("/api/v1/reports/disputes/nonsense").status_code == 422
    text = client.get("/api/v1/reports/disputes/pareto?format=csv").content.decode()
    assert text.splitlines()[0].startswith("key,label,disputes,amount,share,cumulative_share")


def test_the_command_sees_every_customer(world: DisputeWorld, tmp_path: Any):
    out = io.StringIO()
    call_command("report", "disputes", "by_customer", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert "C-SOUTH Southern Ltd" in [r["label"] for r in data["rows"]] and data["totals"]["amount"] == "970.00"
    table = io.StringIO()
    call_command("report", "disputes", "trends", stdout=table)
    assert table.getvalue().startswith("Month by month") and "Total" in table.getvalue()
    with pytest.raises(CommandError, match="name the report"):
        call_command("report", "disputes", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--output"):
        call_command("report", "disputes", "sla", "--format", "xlsx", stdout=io.StringIO())
