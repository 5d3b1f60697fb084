"""`convplay serve` as in production: workers, the public URL, and connections that never finish their headers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from app.web import server
from tests.conftest import ROOT, free_port, wait_until_healthy


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "2",
                                 "--public-url", "https://convplay.example.org"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(proc, base, log_path, timeout=60)
            yield port
        finally:
            proc.terminate()
            proc.wait(30)


def test_oembed_names_the_public_url(served):
    r = httpx.get(f"http://127.0.0.1:{served}/oembed", params={"url": "https://convplay.example.org/?input_size=4"}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["provider_url"] == "https://convplay.example.org/"
    assert 'src="https://convplay.example.org/embed?input_size=4"' in r.json()["html"]


def test_headers_that_never_finish_are_dropped(served):
    with socket.create_connection(("127.0.0.1", served)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")   # and never the blank line
        s.settimeout(server.HEADER_SECONDS + 10)
        started = time.monotonic()
        assert s.recv(100) == b""                              # closed by the server, no answer
        assert server.HEADER_SECONDS - 1 < time.monotonic() - started < server.HEADER_SECONDS + 5


def test_huge_headers_are_dropped(served):
    with socket.create_connection(("127.0.0.1", served)) as s:
        s.settimeout(10)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Junk: " + b"a" * (server.HEADER_BYTES + 1024) + b"\r\n\r\n")
        except OSError:
            pass   # closed while we were still sending: dropped
        else:
            assert not s.recv(100).startswith(b"HTTP/1.1 200")
