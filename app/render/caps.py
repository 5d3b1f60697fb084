"""Caps on what one picture may cost, with the way to stay under them in the message.

Two kinds, by who draws: a raster writer (GIF, WebP, MP4, PNG) pays per frame and per
pixel, so it has frame and pixel caps (and may add its own, see writers.py); a scene
drawn by the browser (the playground, and SVG) pays per item and per byte it receives.
"""

from __future__ import annotations

from app.engine import SpecError, Trace
from app.engine.contract import Text

from .options import RenderOptions
from .scene import frame_steps

MAX_FRAMES = 600               # frames in one raster animation
MAX_FRAME_PIXELS = 4_000_000   # width x height of one frame
MAX_TOTAL_PIXELS = 200_000_000  # frames x width x height
MAX_SCENE_ITEMS = 50_000       # scene items the browser is sent (base, timed and frame items)
MAX_SCENE_BYTES = 4_000_000    # the scene as JSON


def check_frames(trace: Trace, options: RenderOptions) -> int:
    frames = len(frame_steps(trace, options.granularity))
    if frames > MAX_FRAMES:
        rows = len(frame_steps(trace, "row"))
        hint = (Text(f"use granularity=row ({rows:,} frames)", f"请使用 granularity=row（{rows:,} 帧）") if options.granularity == "step" and rows <= MAX_FRAMES
                else Text("use a smaller input or fewer channels", "请使用更小的输入或更少的通道"))
        raise SpecError("granularity", "too_many_frames", frames=frames, high=MAX_FRAMES, hint=hint)
    return frames


def total_pixels(scene: dict) -> int:
    """Pixels drawn over the whole animation (a scene without frames is one still)."""
    return scene["width"] * scene["height"] * max(len(scene["frames"]), 1)


def check_pixels(scene: dict, options: RenderOptions) -> None:
    w, h, total = scene["width"], scene["height"], total_pixels(scene)
    if w * h > MAX_FRAME_PIXELS:
        raise SpecError("scale", "frame_too_large", size=f"{w}x{h}", high=MAX_FRAME_PIXELS)
    if total > MAX_TOTAL_PIXELS:
        raise SpecError("scale", "animation_too_large", total=total, high=MAX_TOTAL_PIXELS)


def scene_items(scene: dict) -> int:
    return len(scene["base"]) + len(scene["timed"]) + sum(len(f["items"]) for f in scene["frames"])


def check_scene(scene: dict) -> None:
    """The browser's cap on items to draw."""
    items = scene_items(scene)
    if items > MAX_SCENE_ITEMS:
        raise SpecError("granularity", "scene_too_large", items=items, high=MAX_SCENE_ITEMS)


def check_scene_bytes(size: int) -> None:
    """The browser's cap on the scene's JSON."""
    if size > MAX_SCENE_BYTES:
        raise SpecError("granularity", "scene_too_many_bytes", size=size, high=MAX_SCENE_BYTES)
