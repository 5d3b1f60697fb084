"""Shared fixtures: a real uvicorn server for API and browser tests."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "conv_arithmetic.json"   # see tests/data/README.md


@pytest.fixture(scope="session", autouse=True)
def cjk_font() -> None:
    """Chinese figure labels need a CJK font: the one the Dockerfile installs, installed here too if missing."""
    from app.render.text import CJK_FONTS, cjk_font_path
    from tests.debian import ensure_package

    if not any(Path(p).exists() for p in CJK_FONTS):
        ensure_package("fonts-wqy-microhei", CJK_FONTS[0])
        cjk_font_path.cache_clear()   # looked for (and not found) while the tests were collected


def free_port() -> int:
    """A port the OS says is free now (tiny race with uvicorn's bind, acceptable in tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log, python: str = sys.executable, cwd: Path = ROOT, **settings: str) -> subprocess.Popen:
    """uvicorn from the repo root, so `app` imports from this checkout (or with another
    Python from another folder, to run an installed app); stdout+stderr go to `log`.
    Its public URL is its own address (oEmbed answers name it); `settings` add environment variables."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env = {**env, "PYTHONUNBUFFERED": "1", "CONVPLAY_PUBLIC_URL": f"http://127.0.0.1:{port}", **settings}
    return subprocess.Popen(
        [python, "-m", "uvicorn", "app.web.app:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env,
    )


def wait_until_healthy(proc: subprocess.Popen, base: str, log_path: Path, timeout: float = 30) -> None:
    """Poll /healthz; fail (with the server's own output) if it dies or stays silent."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"uvicorn exited with {proc.returncode} before answering /healthz:\n{log_path.read_text()}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"uvicorn did not answer /healthz within {timeout:g} s:\n{log_path.read_text()}")
        time.sleep(0.1)


@contextlib.contextmanager
def running_server(log_path: Path, python: str = sys.executable, cwd: Path = ROOT, **settings: str) -> Iterator[str]:
    """A uvicorn server answering /healthz; yields its base URL. Stopped with SIGTERM
    (SIGKILL after 10 s) whatever happens."""
    port = free_port()
    with open(log_path, "wb") as log:
        proc = start_server(port, log, python, cwd, **settings)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(proc, base, log_path)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of a real uvicorn server running the app, for the whole session.

    A subprocess, not TestClient, so tests see what users see: real sockets, real
    middleware order, real startup.
    """
    with running_server(tmp_path_factory.mktemp("server") / "uvicorn.log") as base:
        yield base


@pytest.fixture(scope="session")
def serve():
    """running_server, for tests that start their own (an installed wheel's, say)."""
    return running_server


@pytest.fixture(scope="session")
def reference():
    """The reference data in tests/data (fails, not skips, when it is missing)."""
    import json

    if not REFERENCE.exists():
        pytest.fail(f"reference data not found at {REFERENCE}")
    return json.loads(REFERENCE.read_text())


ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*['"]([^'"]+)['"]""")


def check_docs_offline(base: str) -> list[str]:
    """/docs answers 200 and every script, style, icon and the OpenAPI document it
    names is on this server (a relative URL) and answers 200 there. Returns the URLs."""
    page = httpx.get(base + "/docs", timeout=30)
    assert page.status_code == 200, page.text[:300]
    found = [a or b for a, b in ASSET.findall(page.text)]
    assert any(u.endswith(".js") for u in found) and any(u.endswith(".css") for u in found), found
    origin = urlsplit(base).netloc
    for url in found:
        full = urljoin(base + "/docs", url)
        assert urlsplit(full).netloc == origin, f"/docs loads {url} from another origin"
        r = httpx.get(full, timeout=30)
        assert r.status_code == 200 and r.content, f"{full}: HTTP {r.status_code}"
    return found


@pytest.fixture(scope="session")
def docs_offline():
    """check_docs_offline, for tests in any folder."""
    return check_docs_offline
