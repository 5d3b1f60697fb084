"""What /api/v1/image answers for a form: the filtered picture as PNG or JSON, and its headers.

Pure work, no HTTP: it runs in a render worker process (work.py), so a large picture
is filtered under the pool's time limit and admission bound like any render.
"""

from __future__ import annotations

import json

from app.engine import SpecError, Text, fields, imagefilter
from app.engine.query import parse_value
from app.render import display

from . import imaging
from .work import json_bytes

FORMATS = ("png", "json")
EXPOSED = ("Convplay-Display", "Convplay-Input-Size", "Convplay-Original-Size", "Convplay-Output-Size", "Convplay-Geometry")
IMAGE = Text("the image filter", "图像滤波")

FIELD_DOCS = {
    "sample": "A sample photograph by name: " + ", ".join(imaging.SAMPLE_NAMES) + " (GET /api/v1/samples).",
    "kernel": "A preset's name (GET /api/v1/kernels) or a [kh][kw] array as JSON, sides up to 11. Default identity.",
    "stride": "conv2d's stride: a number or h,w. Default 1.",
    "padding": "conv2d's padding: a number, h,w, valid, same, full or top:1,bottom:1,left:1,right:1. Default 0.",
    "dilation": "conv2d's dilation: a number or h,w. Default 1.",
    "padding_mode": "zeros, reflect, replicate or circular. Default zeros.",
    "color": "gray (Pillow's L luma, one channel; default) or rgb (each channel filtered on its own).",
    "crop": "top,left,height,width: filter only this window of the working picture.",
    "display": "How the PNG shows the numbers: " + "; ".join(f"{k}: {v.en}" for k, v in display.MODES.items()) + ". Default auto.",
    "format": "png (default) or json (the exact input and output numbers).",
}
OPTIONS = tuple(FIELD_DOCS)


def unknown(key: str) -> SpecError:
    return SpecError(key, "unknown_field", op=IMAGE, listed=", ".join(("file",) + OPTIONS))


def answer(items: dict[str, str], data: bytes | None) -> tuple[bytes, str, dict]:
    """(body, media type, headers): the filtered picture for the form's text fields and the uploaded bytes (or None)."""
    for key in items:
        if key not in OPTIONS:
            raise unknown(key)
    raw = {k: parse_value(k, v) for k, v in items.items()}
    fmt = fields.choice(raw.pop("format", "png"), "format", FORMATS)
    color = fields.choice(raw.pop("color", "gray"), "color", imaging.COLORS)
    rule = fields.choice(raw.pop("display", "auto"), "display", tuple(display.MODES))
    name, weight = imagefilter.kernel_weight(raw.pop("kernel", "identity"))
    sample, crop = raw.pop("sample", None), raw.pop("crop", None)
    picture = _picture(sample, data, color)
    spec = imagefilter.build(_crop(picture.pixels, crop), weight, raw)
    out = imagefilter.apply(spec)
    mode = display.choose(rule, weight)
    pixels, numbers = display.to_pixels(out, mode)
    (h, w), (oh, ow) = spec.input.shape[1:], out.shape[1:]
    headers = {
        "Convplay-Display": display.header(mode, numbers),
        "Convplay-Input-Size": f"{h}x{w}",
        "Convplay-Original-Size": f"{picture.original[0]}x{picture.original[1]}",
        "Convplay-Output-Size": f"{oh}x{ow}",
        "Convplay-Geometry": json.dumps(_geometry(spec), separators=(",", ":")),
        "Access-Control-Expose-Headers": ", ".join(EXPOSED),
    }
    if fmt == "json":
        body = {
            "sample": sample, "color": color, "original_size": list(picture.original), "input_size": [h, w], "crop": crop,
            "kernel": {"name": name, "weight": weight.tolist()}, **_geometry(spec), "output_size": [oh, ow],
            "display": {"mode": mode, **numbers, "rule": display.MODES[mode].as_dict()},
            "input": spec.input.astype(int).tolist(), "output": out.tolist(),
        }
        return json_bytes(body), "application/json", headers
    stem = f"{sample or 'upload'}_{name or 'kernel'}_{color}"
    headers["Content-Disposition"] = f'inline; filename="{stem}.png"'
    return display.png(pixels), "image/png", headers


def _geometry(spec) -> dict:
    """conv2d's settings as resolved (padding per side: 'same' made numbers)."""
    p = spec.padding
    return {"kernel_size": list(spec.kernel_size), "stride": list(spec.stride), "dilation": list(spec.dilation),
            "padding": {"top": p.top, "bottom": p.bottom, "left": p.left, "right": p.right}, "padding_mode": spec.padding_mode}


def _picture(sample, data: bytes | None, color: str) -> imaging.Picture:
    if data is not None:
        if sample is not None:
            raise SpecError("sample", "one_of", first="file", second="sample")
        return imaging.upload(data, color)
    if sample is None:
        raise SpecError("file", "no_image", listed=", ".join(imaging.SAMPLE_NAMES))
    return imaging.sample(fields.choice(sample, "sample", imaging.SAMPLE_NAMES), color)


def _crop(pixels, crop):
    """The window top,left,height,width of the working picture (all of it when None)."""
    if crop is None:
        return pixels
    c, h, w = pixels.shape
    refused = SpecError("crop", "bad_crop", size=f"{h}x{w}", got=crop)
    if not isinstance(crop, list) or len(crop) != 4:
        raise refused
    top, left, height, width = (fields.whole(v, "crop") for v in crop)
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height > h or left + width > w:
        raise refused
    return pixels[:, top:top + height, left:left + width]
