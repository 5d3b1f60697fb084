"""Smoke: the real server starts and answers its health check (what Docker's HEALTHCHECK asks)."""

from __future__ import annotations

import httpx


def test_healthz_answers_ok_as_json(live_server):
    r = httpx.get(f"{live_server}/healthz", timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"status": "ok"}
