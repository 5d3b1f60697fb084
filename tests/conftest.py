"""Shared fixtures: a real uvicorn server for API and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def free_port() -> int:
    """A port the OS says is free now (tiny race with uvicorn's bind, acceptable in tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log, **env: str) -> subprocess.Popen:
    """uvicorn from the repo root, so `app` imports from this checkout; stdout+stderr go to `log`.

    The public URL is the server's own address (oEmbed answers name it); `env` adds settings.
    """
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CONVPLAY_PUBLIC_URL": f"http://127.0.0.1:{port}", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.web.app:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
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


@contextmanager
def running_server(log_dir: Path, **env: str) -> Iterator[str]:
    """A real uvicorn server (settings in `env`) for the duration of the block; its base URL.

    Stopped with SIGTERM (SIGKILL after 10 s) whatever happens.
    """
    port = free_port()
    log_path = log_dir / "uvicorn.log"
    with open(log_path, "wb") as log:
        proc = start_server(port, log, **env)
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
    with running_server(tmp_path_factory.mktemp("server")) as base:
        yield base


@pytest.fixture(scope="session")
def reference():
    """The reference data in ../shared/reference (fails, not skips, when it is missing)."""
    import json

    path = SHARED / "reference" / "conv_arithmetic.json"
    if not path.exists():
        pytest.fail(f"reference data not found at {path}; the repository is expected beside shared/")
    return json.loads(path.read_text())
