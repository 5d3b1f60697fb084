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
    """Items the browser draws: each text of a group of texts counts (SCENE.md)."""
    count = lambda items: sum(len(i["text"]) if isinstance(i.get("text"), list) else 1 for i in items)  # noqa: E731
    return count(scene["base"]) + count(scene["timed"]) + sum(count(f["items"]) for f in scene["frames"])


def check_scene(scene: dict, options) -> None:
    """The browser's cap on items to draw. The refusal names what to change: the granularity, or
    numbers when the frames are rows already."""
    items = scene_items(scene)
    if items > MAX_SCENE_ITEMS:
        param = "numbers" if options.numbers and options.granularity == "row" else "granularity"
        raise SpecError(param, "scene_too_large", items=items, high=MAX_SCENE_ITEMS)


def check_scene_bytes(size: int) -> None:
    """The browser's cap on the scene's JSON."""
    if size > MAX_SCENE_BYTES:
        raise SpecError("granularity", "scene_too_many_bytes", size=size, high=MAX_SCENE_BYTES)


MAX_RENDER_SECONDS = 10   # estimated encoder time one request may use (render_seconds)
# Encoder seconds per pixel it writes, measured on this project's scenes (bench/bench_render.py, 2 shared cores),
# rounded up: GIF and WebP write every frame once, MP4 writes frames at its output rate, PNG and SVG one frame.
SECONDS_PER_PIXEL = {"gif": 16e-9, "webp": 160e-9, "mp4": 18e-9, "png": 40e-9, "svg": 20e-9}


def render_seconds(scene: dict, fmt: str) -> float:
    """Estimated encoder time for the scene in `fmt`, before any encoding starts."""
    from .encode import durations
    from .mp4 import encoded_frames

    frame = scene["width"] * scene["height"]
    pixels = {"mp4": frame * encoded_frames(durations(scene)), "png": frame, "svg": frame}.get(fmt, total_pixels(scene))
    return pixels * SECONDS_PER_PIXEL.get(fmt, max(SECONDS_PER_PIXEL.values()))


def check_cost(scene: dict, fmt: str) -> None:
    """One request may not ask for more than MAX_RENDER_SECONDS of encoding (the GIF of anything allowed fits)."""
    seconds = render_seconds(scene, fmt)
    if seconds > MAX_RENDER_SECONDS:
        raise SpecError("format", "too_costly", seconds=round(seconds), high=MAX_RENDER_SECONDS, fmt=fmt.upper())
