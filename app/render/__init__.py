"""The renderer: trace -> scene -> frames -> encoded bytes. No web code here.

    from app.render import render
    data = render({"op": "conv2d", "input_size": 5, "padding": 1}, "gif", labels=False)
"""

from __future__ import annotations

from app.engine import Trace, build_spec, naming, run

from .caps import check_frames, check_pixels, check_scene
from .options import RenderOptions, build_options
from .scene import build_scene as _build_scene
from .writers import WRITERS, Writer, writer


def build_scene(trace: Trace, options: RenderOptions, drawer: Writer | None = None) -> dict:
    """The scene, within the caps of what will draw it: a raster writer's frame and
    pixel caps and its own, or (no writer, or one that is not raster) the browser's."""
    if drawer is not None and drawer.raster:
        check_frames(trace, options)
        scene = _build_scene(trace, options)
        check_pixels(scene, options)
        drawer.check(scene)
    else:
        scene = _build_scene(trace, options)
        check_scene(scene, options)
    return scene


def render(spec: dict | Trace, fmt: str, **options) -> bytes:
    """One call from a spec (dict) or a trace to the bytes of a GIF/WebP/MP4/PNG/SVG."""
    drawer = writer(fmt)
    trace = spec if isinstance(spec, Trace) else run(build_spec(spec))
    opts = build_options(options)
    return drawer.write(build_scene(trace, opts, drawer), opts.frame)


def file_name(spec, fmt: str, frame: int | None = None) -> str:
    """A descriptive download name: conv2d_5x5_k3_s2_p1.gif; a still's frame is named too
    (conv2d_5x5_k3_frame4.png), so stills of one animation do not overwrite each other."""
    return f"{naming.file_stem(spec)}{'' if frame is None else f'_frame{frame}'}.{fmt}"


__all__ = ["WRITERS", "RenderOptions", "Writer", "build_options", "build_scene", "file_name", "render", "writer"]
