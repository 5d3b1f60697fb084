"""Real pictures through the engine's conv2d: /api/v1/image, the kernels, the samples.

`POST /api/v1/image` takes a form (an upload as multipart/form-data, or a sample's
name url-encoded); `GET` takes the same fields as a query, for the samples. The
picture is decoded by `imaging` (caps, bombs, working size), the kernel and conv2d's
fields are read by `app.engine.imagefilter` (the same 422s as a trace), and the
numbers are the engine's conv2d. The answer is a PNG (its display rule in the
`Convplay-Display` header) or, with `format=json`, the exact numbers.
"""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from python_multipart.multipart import parse_options_header
from starlette.datastructures import UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from app.engine import SpecError
from app.engine.kernels import KERNELS
from app.render import display

from . import edge, imaging, work
from .image_answer import FIELD_DOCS, FORMATS, OPTIONS, unknown

router = APIRouter(tags=["image"])

BODY_CAP = imaging.MAX_UPLOAD_BYTES + 64 * 1024   # the file, the other fields and the form's framing
# the edge lets twice that through so that an upload just over the cap is refused here, naming `file`
edge.allow_body("/api/v1/image", 2 * BODY_CAP)

FILE_DOC = (f"A PNG or JPEG of at most {imaging.MAX_UPLOAD_BYTES // 2**20} MB and {imaging.MAX_PIXELS:,} pixels "
            f"({imaging.MAX_SIDE_DECODED}x{imaging.MAX_SIDE_DECODED}); a larger one is refused with 413.")

IMAGE_DOC = f"""Filter a photograph with conv2d, exactly as the engine computes it.

The picture: `file` (an upload) or `sample`. It is decoded to 8-bit values 0..255 (gray: Pillow's
"L" luma; rgb: three channels, each filtered on its own with the same kernel), turned upright by its
EXIF orientation, and resized down with Pillow's LANCZOS filter when its longer side is over
{imaging.WORK_SIDE} px (the working picture: `Convplay-Input-Size`; as decoded: `Convplay-Original-Size`). `Convplay-Geometry`
holds kernel_size, stride, dilation, padding per side (as resolved) and padding_mode as JSON.
The output is conv2d of the working picture with the kernel (cross-correlation, no flip), the same
numbers as `/api/v1/trace` gives for the same input.

`format=png` shows it with one display rule, stated in `Convplay-Display` (for example
`abs; max=1020`: |y| x 255 / 1020): {"; ".join(f"`{k}`: {v.en}" for k, v in display.MODES.items())}.
`format=json` gives the exact numbers: `input` ([C][H][W], the working picture), `output`
([C][OH][OW]) and the display rule PNG would use.

Refusals: 413 for an upload over {imaging.MAX_UPLOAD_BYTES // 2**20} MB or a picture over
{imaging.MAX_PIXELS:,} pixels (decompression bombs included); 422 naming the parameter for anything
else (not a PNG or JPEG, a damaged file, an unknown sample or kernel, a kernel that does not fit).
"""


class _InMemoryParts(MultiPartParser):
    spool_max_size = BODY_CAP   # bodies are read under BODY_CAP first: no part ever rolls over to a file on disk


@router.get("/api/v1/kernels", summary="Kernels of image processing")
def kernels() -> dict:
    """Each preset: its name, label (English and 简体中文), whole `numbers` over a `divisor`, and `weight` = numbers / divisor."""
    return {"kernels": [k.describe() for k in KERNELS]}


@router.get("/api/v1/samples", summary="The sample photographs")
def samples() -> dict:
    """Each sample: its name, label, file, photographer and licence."""
    return {"samples": [s.describe() for s in imaging.SAMPLES], "work_side": imaging.WORK_SIDE}


def _query_schemas() -> dict[str, dict]:
    """The fields with a fixed set of values, typed (the others are text the engine reads)."""
    enum = lambda values: {"type": "string", "enum": list(values)}  # noqa: E731
    return {"sample": enum(imaging.SAMPLE_NAMES), "color": enum(imaging.COLORS), "display": enum(display.MODES),
            "format": enum(FORMATS), "kernel": {"type": "string", "examples": [k.name for k in KERNELS]}}


def _query_parameters() -> list[dict]:
    typed = _query_schemas()
    return [{"name": k, "in": "query", "required": False, "description": v, "schema": typed.get(k, {"type": "string"})}
            for k, v in {**FIELD_DOCS, "lang": "Language of error messages: en or zh."}.items()]


def _form_schema(with_file: bool) -> dict:
    typed = _query_schemas()
    props = {k: {**typed.get(k, {"type": "string"}), "description": v} for k, v in FIELD_DOCS.items()}
    if with_file:
        props = {"file": {"type": "string", "format": "binary", "description": FILE_DOC}, **props}
    return {"schema": {"type": "object", "properties": props}}


@router.get("/api/v1/image", summary="Filter a sample photograph (query)", description=IMAGE_DOC,
            openapi_extra={"parameters": _query_parameters()},
            responses={200: {"content": {"image/png": {}, "application/json": {}}}})
async def image_get(request: Request) -> Response:
    items = {k: v for k, v in request.query_params.multi_items() if k != "lang"}
    response = await _filtered(items, None)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@router.post("/api/v1/image", summary="Filter an uploaded picture or a sample (form)", description=IMAGE_DOC,
             openapi_extra={"requestBody": {"content": {"multipart/form-data": _form_schema(True),
                                                        "application/x-www-form-urlencoded": _form_schema(False)}}},
             responses={200: {"content": {"image/png": {}, "application/json": {}}}, 413: {"description": "Upload too large"}})
async def image_post(request: Request) -> Response:
    items, data = await _form(request, await _body(request))
    return await _filtered(items, data)


async def _filtered(items: dict[str, str], data: bytes | None) -> Response:
    """The answer made in a worker process (time limit, admission bound); identical requests share one job."""
    digest = hashlib.sha256(json.dumps(sorted(items.items())).encode() + b"\0" + (data or b"")).hexdigest()
    body, media_type, headers = await work.pool.run("image:" + digest, work.image_job, items, data)
    return Response(body, media_type=media_type, headers=headers)


async def _body(request: Request) -> bytes:
    """The request body, read into memory and refused (413) as soon as it passes BODY_CAP."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > BODY_CAP:
        raise imaging.too_large_upload()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_CAP:
            raise imaging.too_large_upload()
        chunks.append(chunk)
    return b"".join(chunks)


async def _form(request: Request, body: bytes) -> tuple[dict, bytes | None]:
    """(text fields, the uploaded file's bytes or None) from a multipart or url-encoded body."""
    kind, _ = parse_options_header(request.headers.get("content-type", ""))

    async def stream():
        yield body

    if kind == b"multipart/form-data":
        parser = _InMemoryParts(request.headers, stream(), max_files=1, max_fields=len(OPTIONS) + 1, max_part_size=64 * 1024)
    elif kind == b"application/x-www-form-urlencoded":
        parser = FormParser(request.headers, stream(), max_fields=len(OPTIONS) + 1, max_part_size=64 * 1024)
    else:
        raise SpecError("body", "not_form", got=kind.decode("latin-1") or "no Content-Type")
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise SpecError("body", "bad_form", reason=exc.message) from None
    items, data = {}, None
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if key != "file":
                raise unknown(key)
            data = await value.read()
        elif key == "file":          # text where a file belongs: judged as the file's bytes
            data = value.encode()
        elif key != "lang":
            items[key] = value
    return items, data


__all__ = ["router"]
