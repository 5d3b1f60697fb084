"""Scene -> H.264 MP4 (yuv420p, even size), through imageio-ffmpeg.

MP4 players want a constant frame rate, so each frame is shown for a whole
number of ticks at a rate that divides all durations: we send each frame once
per tick of the slowest such rate and ffmpeg repeats it up to the output rate
(at least 5 fps, so players seek and loop smoothly, unless that would encode more
than MAX_REPEAT frames per scene frame). Odd durations whose rate
would pass 60 fps are rounded to 25 fps on the running total. Everything that
could vary between runs is pinned: one encoder thread, bitexact muxing and
coding, no metadata.
"""

from __future__ import annotations

import math
import os
import tempfile
from fractions import Fraction
from functools import reduce

import numpy as np

from .raster import rasterize

MIN_FPS, MAX_FPS, FALLBACK_FPS = 5, 60, 25
MAX_REPEAT = 10   # encoded frames per scene frame, on average: slow frames must not multiply the work


def frame_rates(durations: list[int]) -> tuple[Fraction, Fraction]:
    """(input rate, output rate): the slowest rate at which every duration is a whole
    number of frames, and that rate doubled until smooth enough, unless that would
    encode more than MAX_REPEAT frames per scene frame (long `ms`: a slower rate)."""
    unit = Fraction(1000, reduce(math.gcd, durations))
    if unit > MAX_FPS:
        return Fraction(FALLBACK_FPS), Fraction(FALLBACK_FPS)
    fps, cap = unit, MAX_REPEAT * len(durations)
    while fps < MIN_FPS and encoded_frames(durations, fps * 2) <= cap:
        fps *= 2
    return unit, fps


def encoded_frames(durations: list[int], fps: Fraction | None = None) -> int:
    """Frames the encoder writes for these durations (at the output rate chosen for them)."""
    fps = frame_rates(durations)[1] if fps is None else fps
    return math.ceil(sum(durations) * fps / 1000)


def repeats(durations: list[int], fps: Fraction) -> list[int]:
    """Frames per scene frame at `fps`, rounded on the running total (at least one each)."""
    ends = np.cumsum(durations).tolist()
    starts = [0] + ends[:-1]
    return [max(1, round(e * fps / 1000) - round(s * fps / 1000)) for s, e in zip(starts, ends)]


def encode(scene: dict, durations: list[int]) -> bytes:
    import imageio_ffmpeg

    w, h = scene["width"], scene["height"]
    W, H = w + w % 2, h + h % 2                       # yuv420p needs even sides
    rate_in, rate_out = frame_rates(durations)
    fd, path = tempfile.mkstemp(suffix=".mp4")        # the MP4 muxer needs a seekable file
    os.close(fd)
    try:
        writer = imageio_ffmpeg.write_frames(
            path, (W, H), fps=rate_in, codec="libx264", pix_fmt_in="rgb24", pix_fmt_out="yuv420p",
            quality=None, bitrate=None, macro_block_size=1, ffmpeg_log_level="error",
            output_params=["-r", str(rate_out), "-crf", "18", "-preset", "veryfast", "-tune", "animation",
                           "-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
                           "-map_metadata", "-1", "-movflags", "+faststart"],
        )
        writer.send(None)
        for frame, n in zip(rasterize(scene), repeats(durations, rate_in)):
            pixels = frame.pixels
            if (W, H) != (w, h):   # repeat the edge pixels (the background), never stretch
                pixels = np.pad(pixels, ((0, H - h), (0, W - w), (0, 0)), mode="edge")
            data = pixels.tobytes()
            for _ in range(n):
                writer.send(data)
        writer.close()
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        os.unlink(path)
