"""Every refusal is a 422 that names the parameter and the rule.

Engine errors (SpecError) and FastAPI's own request validation both end up in
the same shape, so the browser can put the message next to the right control:
    {"detail": [{"loc": [...], "param": "stride", "code": "...", "msg": "stride: ..."}]}
A full render queue is the same shape with 503 and Retry-After.
"""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from app.engine import SpecError

from . import i18n
from .work import Busy


def problem(request: Request, param: str, code: str, message: str, args: dict | None = None, where: str = "query",
            status: int = 422, headers: dict | None = None) -> Response:
    lang = i18n.language(request)
    detail = {"loc": [where, param], "param": param, "code": code, "msg": i18n.error_message(lang, param, code, message, args or {})}
    try:
        data = json.dumps({"detail": [detail]}, ensure_ascii=False).encode()
    except UnicodeEncodeError:   # a lone surrogate (say, in an unknown key) is sent as a JSON escape
        data = json.dumps({"detail": [detail]}).encode()
    return Response(data, status_code=status, media_type="application/json", headers=headers)


async def spec_error(request: Request, exc: SpecError) -> Response:
    where = "body" if request.method == "POST" else "query"
    return problem(request, exc.param, exc.code, exc.message, exc.args_, where)


async def busy(request: Request, exc: Busy) -> Response:
    return problem(request, "request", exc.code, "request: " + exc.message, {"retry": exc.retry, **exc.args_}, "server", 503,
                   {"Retry-After": str(exc.retry)})


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    first = exc.errors()[0]
    loc = [str(p) for p in first.get("loc", ("body",))]
    param = loc[-1] if len(loc) > 1 else loc[0]
    text = first.get("msg", "is not valid")
    if first.get("type") == "json_invalid":
        param, text = "body", "is not valid JSON"
    return problem(request, param, "invalid", f"{param}: {text}", {}, loc[0])


HANDLERS = {SpecError: spec_error, RequestValidationError: validation_error, Busy: busy}
