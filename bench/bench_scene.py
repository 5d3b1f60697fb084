"""Numbers mode at size: the scene the playground fetches and the GIF of the same picture.

    python bench/bench_scene.py

Prints, over a real uvicorn server, a cold `GET /api/v1/scene` (a new `ms` each
request, so nothing is cached) for a 32x32 input with numbers: status, bytes,
client time; then in-process the 576-frame numbers animation (24x24 input,
k3 p1): the playground's scene (items, JSON bytes, build time) and the GIF at
scale 0.35, the largest the raster caps accept for 576 frames (at scale 1 a
frame is 1348x1786 px), through `render` as the endpoint does it, and what its
LZW step alone costs (see bench_render).
Targets (issue 13): that GIF under 1 s, its scene under 1 MB.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's `app`, not an installed one

import httpx  # noqa: E402
import live  # noqa: E402
from bench_render import lzw_floor  # noqa: E402

from app.engine import build_spec, run  # noqa: E402
from app.render import build_options, render  # noqa: E402
from app.render.scene import build_scene  # noqa: E402

QUERY = "input_size=32&numbers=true"
GIF_SCALE = 0.35


def items(scene: dict) -> int:
    return len(scene["base"]) + len(scene.get("timed", ())) + sum(len(f["items"]) for f in scene["frames"])


def bench_endpoint(repeats: int) -> None:
    with live.server() as base, httpx.Client(base_url=base, timeout=120) as client:
        times, r = [], None
        for i in range(repeats):
            start = time.perf_counter()
            r = client.get(f"/api/v1/scene?{QUERY}&ms={1000 + i}", headers={"Accept-Encoding": "identity"})
            times.append((time.perf_counter() - start) * 1000)
        print(f"cold GET /api/v1/scene?{QUERY}: HTTP {r.status_code}, {len(r.content):,} bytes, "
              f"median {statistics.median(times):.0f} ms over {repeats} requests")
        if r.status_code != 200:
            print("   " + r.text[:200])


def bench_numbers_gif(repeats: int) -> None:
    trace = run(build_spec({"input_size": 24, "kernel_size": 3, "padding": 1}))
    options = build_options({"numbers": True})
    scene_ms, gif_ms = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        scene = build_scene(trace, options)
        scene_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        data = render(trace, "gif", numbers=True, scale=GIF_SCALE)
        gif_ms.append((time.perf_counter() - start) * 1000)
    size = len(json.dumps(scene, separators=(",", ":"), ensure_ascii=False).encode())
    pixels, lzw_ms = lzw_floor(lambda: render(trace, "gif", numbers=True, scale=GIF_SCALE), repeats)
    print(f"576-frame numbers (24x24 k3 p1): scene {items(scene):,} items, {size / 1e6:.2f} MB JSON (target < 1 MB), built in "
          f"{statistics.median(scene_ms):.0f} ms; GIF at scale {GIF_SCALE} (trace to bytes) {statistics.median(gif_ms):.0f} ms "
          f"(target < 1000), {len(data):,} bytes, of which LZW alone {lzw_ms:.0f} ms on {pixels / 1e6:.1f} Mpx (medians of {repeats})")


if __name__ == "__main__":
    bench_endpoint(5)
    bench_numbers_gif(3)
