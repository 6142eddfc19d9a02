"""The schema and the docs page are served by ardesk itself: no CDN, nothing fetched from elsewhere."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.api.conftest import API

pytestmark = pytest.mark.django_db


def test_the_docs_page_references_no_external_host(clerk):
    # given
    browser = Client()
    browser.force_login(clerk)
    # when
    html = browser.get(f"{API}/docs").content.decode()
    # then
    referenced = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert referenced, "the page should load its scripts and styles"
    assert [ref for ref in referenced if "//" in ref or not ref.startswith("/")] == []
    assert not re.search(r"https?://", html)
    assert '"validatorUrl": null' in html  # Swagger UI's badge would call swagger.io


def test_every_asset_of_the_docs_page_is_a_local_static_file():
    # given
    html = Client().get(f"{API}/docs").content.decode()
    # when
    assets = re.findall(r"""(?:src|href)="/static/([^"]+)\"""", html)
    # then
    assert {"ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"} <= set(assets)
    for asset in assets:
        assert finders.find(asset), asset


def test_the_schema_describes_every_area_and_both_ways_in():
    # when
    schema = Client().get(f"{API}/openapi.json").json()
    # then
    paths = set(schema["paths"])
    for area in ("customers", "contacts", "invoices", "credit-memos", "payments", "applications", "write-offs"):
        assert any(p.startswith(f"{API}/{area}") for p in paths), area
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    amount = schema["components"]["schemas"]["PaymentIn"]["properties"]["amount"]
    assert amount["type"] == "string"
    assert schema["components"]["schemas"]["PaymentIn"]["additionalProperties"] is False
