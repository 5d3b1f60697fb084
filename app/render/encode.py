"""Frames -> bytes: GIF, animated WebP, MP4 (H.264), one PNG frame, one SVG frame.

Every encoder is deterministic (no timestamps, fixed settings), so the same
scene always gives the same bytes and ETags stay true.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from functools import reduce

import numpy as np
from PIL import Image

from . import gif as gif_writer
from .raster import draw_frame, rasterize
from .svg import scene_svg



def encode(scene: dict, fmt: str, frame: int | None = None) -> bytes:
    if fmt == "gif":
        return gif(scene)
    if fmt == "webp":
        return webp(scene)
    if fmt == "mp4":
        return mp4(scene)
    index = _frame_index(scene, frame)
    if fmt == "png":
        return png(scene, index)
    if fmt == "svg":
        return scene_svg(scene, index).encode()
    raise ValueError(f"unknown format {fmt!r}")


def _frame_index(scene: dict, frame: int | None) -> int:
    from app.engine import SpecError

    n = len(scene["frames"])
    index = frame or 0
    if index >= max(n, 1):
        raise SpecError("frame", "too_large", f"must be at most {n - 1}: this animation has {n} frames (got {index})", got=index, high=n - 1)
    return index


def _durations(scene: dict) -> list[int]:
    return [int(f["ms"]) for f in scene["frames"]] or [1000]


def gif(scene: dict) -> bytes:
    frames = list(rasterize(scene))
    samples = [frames[i].pixels for i in sorted({0, len(frames) // 2})]
    palette = gif_writer.palette_for(samples)

    def indices():
        current = None
        for f in frames:
            if current is None:
                current = gif_writer.to_indices(f.pixels, palette)
            elif f.changed is not None:  # only the changed box is re-quantised
                x0, y0, x1, y1 = f.changed
                current = current.copy()
                current[y0:y1, x0:x1] = gif_writer.to_indices(f.pixels[y0:y1, x0:x1], palette)
            yield current, f.changed

    return gif_writer.write(indices(), _durations(scene), scene["width"], scene["height"], palette)


def webp(scene: dict) -> bytes:
    images = [Image.fromarray(f.pixels) for f in rasterize(scene)]
    out = io.BytesIO()
    images[0].save(out, format="WEBP", save_all=True, append_images=images[1:], duration=_durations(scene),
                   loop=0, lossless=True, method=4, minimize_size=False)
    return out.getvalue()


def png(scene: dict, index: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(draw_frame(scene, index)).save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


def mp4(scene: dict) -> bytes:
    """H.264 in MP4. Durations become frame repeats at a fixed rate of at least 5 fps."""
    import imageio_ffmpeg

    durations = _durations(scene)
    step = reduce(math.gcd, durations)
    while 1000 / step < 5 and step % 2 == 0:
        step //= 2
    fps = 1000 / step
    w, h = scene["width"], scene["height"]
    W, H = w + w % 2, h + h % 2
    fd, path = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        writer = imageio_ffmpeg.write_frames(
            path, (W, H), fps=fps, codec="libx264", pix_fmt_in="rgb24", pix_fmt_out="yuv420p",
            quality=None, bitrate=None, macro_block_size=1, ffmpeg_log_level="error",
            output_params=["-crf", "18", "-preset", "medium", "-tune", "animation", "-threads", "1",
                           "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1", "-movflags", "+faststart"],
        )
        writer.send(None)
        for f, ms in zip(rasterize(scene), durations):
            pixels = f.pixels
            if (W, H) != (w, h):
                pixels = np.pad(pixels, ((0, H - h), (0, W - w), (0, 0)), constant_values=255)
            data = np.ascontiguousarray(pixels).tobytes()
            for _ in range(max(1, round(ms / step))):
                writer.send(data)
        writer.close()
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        os.unlink(path)
