"""Caps on what one render may cost, with the way to stay under them in the message."""

from __future__ import annotations

from app.engine import SpecError, Trace

from .options import MAX_FRAME_PIXELS, MAX_FRAMES, MAX_RENDER_SECONDS, MAX_TOTAL_PIXELS, MAX_WEBP_PIXELS, RenderOptions
from .scene import frame_steps


def check_frames(trace: Trace, options: RenderOptions) -> int:
    frames = len(frame_steps(trace, options.granularity))
    if frames > MAX_FRAMES:
        rows = len(frame_steps(trace, "row"))
        hint = f"use granularity=row ({rows:,} frames)" if options.granularity == "step" and rows <= MAX_FRAMES else "use a smaller input or fewer channels"
        raise SpecError("granularity", "too_many_frames", f"this animation would have {frames:,} frames, more than the {MAX_FRAMES} allowed; {hint}", frames=frames, high=MAX_FRAMES)
    return frames


def total_pixels(scene: dict) -> int:
    """Pixels drawn over the whole animation (a scene without frames is one still)."""
    return scene["width"] * scene["height"] * max(len(scene["frames"]), 1)


def check_pixels(scene: dict, options: RenderOptions) -> None:
    w, h, total = scene["width"], scene["height"], total_pixels(scene)
    if w * h > MAX_FRAME_PIXELS:
        raise SpecError("scale", "frame_too_large", f"one frame would be {w}x{h} pixels, more than {MAX_FRAME_PIXELS:,}; use a smaller scale", size=f"{w}x{h}", high=MAX_FRAME_PIXELS)
    if total > MAX_TOTAL_PIXELS:
        raise SpecError("scale", "animation_too_large", f"the animation would draw {total:,} pixels, more than {MAX_TOTAL_PIXELS:,}; use a smaller scale or granularity=row", high=MAX_TOTAL_PIXELS)


def check_format(scene: dict, fmt: str) -> None:
    """Caps that depend on the format: animated WebP is encoded from all frames at once."""
    total = total_pixels(scene)
    if fmt == "webp" and total > MAX_WEBP_PIXELS:
        raise SpecError("format", "webp_too_large", f"an animated WebP of {total:,} pixels is more than the {MAX_WEBP_PIXELS:,} allowed; "
                        "download the GIF or MP4, or use granularity=row or a smaller scale", total=total, high=MAX_WEBP_PIXELS)


# Encoder seconds per pixel it writes, measured on this project's scenes (bench/bench_render.py, 2 shared cores),
# rounded up: GIF and WebP write every frame once, MP4 writes frames at its output rate, PNG and SVG one frame.
SECONDS_PER_PIXEL = {"gif": 16e-9, "webp": 160e-9, "mp4": 18e-9, "png": 40e-9, "svg": 20e-9}


def render_seconds(scene: dict, fmt: str) -> float:
    """Estimated encoder time for the scene in `fmt`, before any encoding starts."""
    from .encode import durations
    from .mp4 import encoded_frames

    frame = scene["width"] * scene["height"]
    pixels = {"mp4": frame * encoded_frames(durations(scene)), "png": frame, "svg": frame}.get(fmt, total_pixels(scene))
    return pixels * SECONDS_PER_PIXEL[fmt]


def check_cost(scene: dict, fmt: str) -> None:
    """One request may not ask for more than MAX_RENDER_SECONDS of encoding (the GIF of anything allowed fits)."""
    seconds = render_seconds(scene, fmt)
    if seconds > MAX_RENDER_SECONDS:
        raise SpecError("format", "too_costly", seconds=round(seconds), high=MAX_RENDER_SECONDS, fmt=fmt.upper())
