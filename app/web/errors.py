"""Every refusal is a 422 that names the parameter and the rule.

Engine errors (SpecError) and FastAPI's own request validation both end up in
the same shape, so the browser can put the message next to the right control:
    {"detail": [{"loc": [...], "param": "stride", "code": "...", "msg": "stride: ..."}]}
A refusal of size (an upload too large to take) has the same shape with status 413.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.engine import SpecError

from . import i18n


def problem(request: Request, error: SpecError, where: str = "query") -> JSONResponse:
    detail = {"loc": [where, error.param], "param": error.param, "code": error.code, "msg": error.text(i18n.language(request))}
    return JSONResponse({"detail": [detail]}, status_code=getattr(error, "status", 422))   # 413 for a refusal of size


async def spec_error(request: Request, exc: SpecError) -> JSONResponse:
    return problem(request, exc, "body" if request.method == "POST" else "query")


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0]
    loc = [str(p) for p in first.get("loc", ("body",))]
    param = loc[-1] if len(loc) > 1 else loc[0]
    text = first.get("msg", "is not valid")
    if first.get("type") == "json_invalid":
        param, text = "body", "is not valid JSON"
    return problem(request, SpecError(param, "invalid", text=text), loc[0])


HANDLERS = {SpecError: spec_error, RequestValidationError: validation_error}
