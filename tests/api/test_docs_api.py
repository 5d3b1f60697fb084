"""/docs works offline: Swagger UI's files come from this server, not a CDN."""

from __future__ import annotations


def test_docs_page_loads_everything_from_this_server(live_server, docs_offline):
    urls = docs_offline(live_server)
    assert "/openapi.json" in urls
