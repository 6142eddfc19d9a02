"""Error pages are friendly and never leak: 404 inside the layout, 500 standalone."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string


@pytest.mark.django_db
def test_unknown_path_is_the_friendly_404_in_the_layout(world):
    response = world.client_for(world.colin).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="not-found"' in html and 'class="skip-link"' in html


def test_500_page_renders_without_request_or_database():
    html = render_to_string("500.html")
    assert "Something went wrong" in html and "/static/web/ardesk.css" in html
