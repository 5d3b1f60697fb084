"""What every answer passes through, as one pure ASGI middleware (no per-request task or body copy).

- a request body limit, enforced before anything reads the body (413);
- HEAD answered as GET without the body, and the CORS preflight of the API;
- safety headers on every answer, a script CSP on pages (any site may frame /embed only);
- open CORS on the API and the static files, errors included;
- a last catch: an unexpected exception is a JSON 500 with an id and one log line, not a traceback.
"""

from __future__ import annotations

import json
import logging
import uuid

from app.engine import SpecError

MAX_BODY_BYTES = 1 * 2**20   # a 64x64x8 input with weights as JSON is well under this
LARGER_BODIES: dict[str, int] = {}   # path -> its own limit, set by the route that reads such bodies


def allow_body(path: str, limit: int) -> None:
    """A route that takes larger bodies (an image upload) says so; it checks them itself."""
    LARGER_BODIES[path] = limit

log = logging.getLogger("convplay")

ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
]
CORS = [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", b"ETag, Server-Timing, Content-Disposition, Retry-After")]
PREFLIGHT = [(b"access-control-allow-origin", b"*"), (b"access-control-allow-methods", b"GET, HEAD, POST, OPTIONS"),
             (b"access-control-allow-headers", b"Content-Type, If-None-Match, Accept-Language"), (b"access-control-max-age", b"86400")]
_SCRIPTS = "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
PAGE_CSP = (_SCRIPTS + "; frame-ancestors 'self'").encode()
EMBED_CSP = _SCRIPTS.encode()
# Swagger UI (/docs, /redoc) initialises itself with an inline script: its pages keep only the framing rule
DOCS_CSP = b"object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
DOCS_PATHS = ("/docs", "/redoc")


class BodyTooLarge(Exception):
    pass


def _json(status: int, body: dict, extra: list | None = None):
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *(extra or [])]
    return {"type": "http.response.start", "status": status, "headers": headers}, {"type": "http.response.body", "body": data}


def _language(scope) -> str:
    query = scope.get("query_string", b"")
    if b"lang=zh" in query:
        return "zh"
    if b"lang=en" in query:
        return "en"
    for name, value in scope["headers"]:
        if name == b"accept-language":
            return "zh" if value.strip().lower().startswith(b"zh") else "en"
    return "en"


def too_large(scope) -> dict:
    msg = SpecError("body", "body_too_large", high=MAX_BODY_BYTES).text(_language(scope))
    return {"detail": [{"loc": ["body"], "param": "body", "code": "body_too_large", "type": "body_too_large", "msg": msg}]}


class Edge:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope["path"], scope["method"]
        api = path.startswith(("/api/", "/static/", "/oembed", "/healthz"))
        extra = ALWAYS + (CORS if api else [])

        if method == "OPTIONS":
            if api:
                await send({"type": "http.response.start", "status": 204, "headers": PREFLIGHT + ALWAYS})
                return await send({"type": "http.response.body", "body": b""})
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        limit = LARGER_BODIES.get(scope["path"], MAX_BODY_BYTES)
        if length is not None and (not length.isdigit() or int(length) > limit):
            start, body = _json(413, too_large(scope), extra + [(b"connection", b"close")])
            await send(start)
            return await send(body)

        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        started = False

        async def guarded_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", [])) + extra
                csp = _page_csp(path, message["headers"])
                if csp:
                    headers.append((b"content-security-policy", csp))
                message = {**message, "headers": headers}
            elif head and message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                start, body = _json(413, too_large(scope), extra + [(b"connection", b"close")])
                await send(start)
                await send(body)
        except Exception as exc:  # the last catch: whatever escaped every handler
            incident = uuid.uuid4().hex[:12]
            log.error("500 %s %s %s: %s: %s", incident, method, path, type(exc).__name__, str(exc)[:200])
            if not started:
                start, body = _json(500, {"detail": [{"loc": [], "param": "", "code": "internal", "type": "internal",
                                                      "msg": f"internal error {incident}: this is a bug in convplay, not in your request"}],
                                          "id": incident}, extra)
                await send(start)
                await send(body)


def _page_csp(path: str, headers) -> bytes | None:
    """The CSP for an HTML answer (None for everything else)."""
    if not any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
        return None
    if any(k == b"content-security-policy" for k, _ in headers):
        return None
    if path.startswith(DOCS_PATHS):
        return DOCS_CSP
    return EMBED_CSP if path in ("/embed", "/network/embed") else PAGE_CSP
