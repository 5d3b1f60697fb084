"""The /image page: a photograph, a kernel, the result, and the window on a patch."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.engine.kernels import KERNELS
from app.render import display

from . import imaging
from .pages import page_context, templates

router = APIRouter(include_in_schema=False)


@router.get("/image", response_class=HTMLResponse)
def image_page(request: Request) -> HTMLResponse:
    context = page_context(request)
    lang = context["lang"]
    data = {
        "kernels": [k.describe() for k in KERNELS],
        "samples": [s.describe() for s in imaging.SAMPLES],
        "displays": {k: v(lang) for k, v in display.MODES.items()},
    }
    return templates.TemplateResponse(request, "image.html", {
        **context, "kernels": KERNELS, "samples": imaging.SAMPLES, "modes": display.MODES,
        "limits": {"mb": imaging.MAX_UPLOAD_BYTES // 2**20, "side": imaging.MAX_SIDE_DECODED, "work": imaging.WORK_SIDE},
        "image_json": json.dumps(data, ensure_ascii=False),
    })
