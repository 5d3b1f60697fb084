"""Serving in production: uvicorn with uvloop and httptools, several workers, bounded connections.

uvicorn times out idle keep-alive connections but not a request whose headers never
finish (a slow-loris client holds a connection forever), and httptools takes headers
of any size: HeaderTimeout closes a connection whose request line and headers take
longer than HEADER_SECONDS or pass HEADER_BYTES.
"""

from __future__ import annotations

import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_SECONDS = 10
HEADER_BYTES = 64 * 1024
KEEP_ALIVE_SECONDS = 5


class HeaderTimeout(HttpToolsProtocol):
    """httptools, with a deadline for each request's head (from connection or first byte to the blank line)."""

    _head_timer = None
    _head_bytes = 0

    def _arm(self) -> None:
        self._disarm()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(HEADER_SECONDS, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value))
        super().on_header(name, value)

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > HEADER_BYTES and not self.transport.is_closing():
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)


def serve(host: str, port: int, workers: int, public_url: str | None, reload: bool = False) -> None:
    import uvicorn

    # read by every worker process (pages.public_url, work.Pool)
    os.environ["CONVPLAY_PUBLIC_URL"] = public_url or os.environ.get("CONVPLAY_PUBLIC_URL") or f"http://{host}:{port}"
    os.environ["CONVPLAY_WORKERS"] = str(workers)
    uvicorn.run("app.web.app:app", host=host, port=port, workers=None if reload else workers, reload=reload,
                loop="uvloop", http=HeaderTimeout, timeout_keep_alive=KEEP_ALIVE_SECONDS, timeout_graceful_shutdown=10,
                limit_concurrency=2048, backlog=2048, server_header=False, log_level="warning", access_log=False)
