"""/docs in Chromium: Swagger UI draws the API, and the page asks no other origin for anything."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def test_docs_render_offline(page, live_server):
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    response = page.goto(f"{live_server}/docs")
    assert response is not None and response.status == 200
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "convplay" in page.inner_text(".swagger-ui .info .title")
    page.locator(".opblock-summary-path", has_text="/api/v1/trace").first.wait_for(timeout=20_000)
    page.wait_for_load_state("networkidle")
    origin = urlsplit(live_server).netloc
    elsewhere = [u for u in asked if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != origin]
    assert not elsewhere, elsewhere
    assert not page.problems, page.problems
