"""Every refusal is a 422 that names the parameter and the rule.

Engine errors (SpecError) and FastAPI's own request validation both end up in
the same shape, so the browser can put the message next to the right control:
    {"detail": [{"loc": [...], "param": "stride", "code": "...", "msg": "stride: ..."}]}
A full render queue or a render past its time limit is the same shape with 503 and Retry-After;
a refusal of size (an upload too large to take) with 413.
"""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from app.engine import SpecError

from . import i18n
from .work import Busy


def problem(request: Request, error: SpecError, where: str = "query", status: int | None = None, headers: dict | None = None) -> Response:
    status = status or getattr(error, "status", 422)   # 413 for a refusal of size
    # `type` repeats `code`, so the body also matches FastAPI's documented ValidationError schema
    detail = {"loc": [where, error.param], "param": error.param, "code": error.code, "type": error.code,
              "msg": error.text(i18n.language(request))}
    try:
        data = json.dumps({"detail": [detail]}, ensure_ascii=False).encode()
    except UnicodeEncodeError:   # a lone surrogate (say, in an unknown key) is sent as a JSON escape
        data = json.dumps({"detail": [detail]}).encode()
    return Response(data, status_code=status, media_type="application/json", headers=headers)


async def spec_error(request: Request, exc: SpecError) -> Response:
    return problem(request, exc, "body" if request.method == "POST" else "query")


async def busy(request: Request, exc: Busy) -> Response:
    return problem(request, SpecError(exc.param, exc.code, retry=exc.retry, **exc.args_), "server", 503, {"Retry-After": str(exc.retry)})


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    first = exc.errors()[0]
    loc = [str(p) for p in first.get("loc", ("body",))]
    param = loc[-1] if len(loc) > 1 else loc[0]
    text = first.get("msg", "is not valid")
    if first.get("type") == "json_invalid":
        param, text = "body", "is not valid JSON"
    return problem(request, SpecError(param, "invalid", text=text), loc[0])


HANDLERS = {SpecError: spec_error, RequestValidationError: validation_error, Busy: busy}
