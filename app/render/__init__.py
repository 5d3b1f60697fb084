"""The renderer: trace -> scene -> frames -> encoded bytes. No web code here.

    from app.render import render
    data = render({"op": "conv2d", "input_size": 5, "padding": 1}, "gif", labels=False)
"""

from __future__ import annotations

from app.engine import Trace, build_spec, run

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
    def pair(v):
        return str(v[0]) if v[0] == v[1] else f"{v[0]}x{v[1]}"
    p = spec.padding_arg
    pad = p if isinstance(p, str) else (pair(p) if isinstance(p, tuple) else f"{p.top}-{p.bottom}-{p.left}-{p.right}")
    parts = [spec.op, f"{spec.input_size[0]}x{spec.input_size[1]}", f"k{pair(spec.kernel_size)}", f"s{pair(spec.stride)}", f"p{pad}"]
    if spec.dilation != (1, 1):
        parts.append(f"d{pair(spec.dilation)}")
    if spec.output_padding != (0, 0):
        parts.append(f"op{pair(spec.output_padding)}")
    if spec.in_channels > 1 or spec.out_channels > 1:
        parts.append(f"c{spec.in_channels}-{spec.out_channels}")
    if spec.groups > 1:
        parts.append(f"g{spec.groups}")
    if spec.padding_mode != "zeros":
        parts.append(spec.padding_mode)
    if spec.view == "scatter":
        parts.append("scatter")
    return "_".join(parts) + "." + fmt


__all__ = ["MEDIA_TYPES", "RenderOptions", "build_options", "build_scene", "encode_scene", "file_name", "render"]
