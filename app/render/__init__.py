"""The renderer: trace -> scene -> frames -> encoded bytes. No web code here.

    from app.render import render
    data = render({"op": "conv2d", "input_size": 5, "padding": 1}, "gif", labels=False)
"""

from __future__ import annotations

from app.engine import Trace, build_spec, naming, run

from .caps import check_cost, check_format, check_frames, check_pixels
from .options import FORMATS, RenderOptions, build_options
from .scene import build_scene as _build_scene

MEDIA_TYPES = {"gif": "image/gif", "webp": "image/webp", "mp4": "video/mp4", "png": "image/png", "svg": "image/svg+xml"}
assert tuple(MEDIA_TYPES) == FORMATS


def build_scene(trace: Trace, options: RenderOptions) -> dict:
    """The scene, after checking the frame and pixel caps."""
    check_frames(trace, options)
    scene = _build_scene(trace, options)
    check_pixels(scene, options)
    return scene


def encode_scene(scene: dict, fmt: str, frame: int | None = None) -> bytes:
    from .encode import encode

    check_format(scene, fmt)
    check_cost(scene, fmt)
    return encode(scene, fmt, frame=frame)


def render(spec: dict | Trace, fmt: str, **options) -> bytes:
    """One call from a spec (dict) or a trace to the bytes of a GIF/WebP/MP4/PNG/SVG."""
    trace = spec if isinstance(spec, Trace) else run(build_spec(spec))
    opts = build_options(options)
    return encode_scene(build_scene(trace, opts), fmt, opts.frame)


def file_name(spec, fmt: str) -> str:
    """A descriptive download name: conv2d_5x5_k3_s2_p1.gif."""
    return f"{naming.file_stem(spec)}.{fmt}"


__all__ = ["MEDIA_TYPES", "RenderOptions", "build_options", "build_scene", "encode_scene", "file_name", "render"]
