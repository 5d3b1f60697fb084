"""Render the 15 reference animations and compare with the reference GIFs.

    python bench/bench_render.py [--reference tests/data/conv_arithmetic.json]

Prints, per animation at scale 1 with labels off: our GIF bytes next to the
reference's and their ratio, our canvas next to the reference canvas, the render
time (median), and what the LZW step alone costs: the pixels of the changed boxes
it encodes and its time on them (Pillow's C encoder), the floor of any speed-up
that keeps this encoder and these boxes. Then the totals, the stages of one
same_padding_no_strides GIF in-process, and the endpoint's server-side time (its
Server-Timing header) for that 25-frame GIF, uncached and cached, over a real
uvicorn server, next to the same job run in-process. Each figure is printed next
to its target (issue 13): the 15 GIFs in <= 0.3 s at <= 0.33x the reference's
bytes, the 25-frame GIF uncached <= 20 ms server-side.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))   # this checkout's `app`, not an installed one

import live  # noqa: E402
from PIL import Image  # noqa: E402

from app.engine import build_spec, run  # noqa: E402
from app.render import gif, render  # noqa: E402

TARGET_SECONDS, TARGET_RATIO, TARGET_ENDPOINT_MS = 0.3, 0.33, 20


def reference_rows(path: Path) -> list[dict]:
    return json.loads(path.read_text())["animations"]


def spec_of(row: dict) -> dict:
    spec = {k: row[k] for k in ("op", "input_size", "kernel_size", "stride", "padding", "dilation")}
    if row["op"] == "conv_transpose2d":
        spec["output_padding"] = row["output_padding"]
    return spec


def lzw_floor(make, repeats: int) -> tuple[int, float]:
    """(pixels, median ms) of the LZW blocks the GIF that make() renders encodes:
    the blocks are caught on their way to the encoder, then encoded again alone."""
    blocks, encoder = [], gif._lzw

    def catch(indices, code_size):
        blocks.append((indices.copy(), code_size))
        return encoder(indices, code_size)

    gif._lzw = catch
    try:
        make()
    finally:
        gif._lzw = encoder
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for indices, code_size in blocks:
            encoder(indices, code_size)
        times.append((time.perf_counter() - start) * 1000)
    return sum(b.size for b, _ in blocks), statistics.median(times)


def bench_files(rows: list[dict], repeats: int) -> None:
    print(f"{'animation':40} {'frames':>6} {'ours B':>9} {'ref B':>9} {'ratio':>5} {'canvas ours (ref)':>19} "
          f"{'ms':>6} {'LZW Mpx':>7} {'LZW ms':>6}")
    total_ours = total_ref = total_ms = total_px = total_lzw = 0.0
    for row in rows:
        trace = run(build_spec(spec_of(row)))
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            data = render(trace, "gif", labels=False)
            times.append((time.perf_counter() - start) * 1000)
        ms = statistics.median(times)
        size = Image.open(io.BytesIO(data)).size
        pixels, lzw_ms = lzw_floor(lambda: render(trace, "gif", labels=False), repeats)
        ref = row["anchor_bytes"]
        total_ours += len(data)
        total_ref += ref
        total_ms += ms
        total_px += pixels
        total_lzw += lzw_ms
        canvas = f"{size[0]}x{size[1]} ({row['anchor_canvas_px'][0]}x{row['anchor_canvas_px'][1]})"
        print(f"{row['name']:40} {trace.steps:6d} {len(data):9,d} {ref:9,d} {len(data) / ref:5.2f} {canvas:>19} "
              f"{ms:6.1f} {pixels / 1e6:7.2f} {lzw_ms:6.1f}")
    print(f"{'total':40} {'':6} {int(total_ours):9,d} {int(total_ref):9,d} {total_ours / total_ref:5.2f} {'':>19} "
          f"{total_ms:6.1f} {total_px / 1e6:7.2f} {total_lzw:6.1f}")
    print(f"target: bytes {total_ours / total_ref:.2f}x the reference (<= {TARGET_RATIO}x), "
          f"time {total_ms / 1000:.2f} s (<= {TARGET_SECONDS} s), of which LZW alone {total_lzw / 1000:.2f} s "
          f"on {total_px / 1e6:.1f} Mpx ({total_lzw * 1e6 / total_px:.1f} ns a pixel); medians of {repeats}")


def bench_endpoint(repeats: int) -> None:
    import httpx

    from app.render import build_options
    from app.web import work

    spec = build_spec({"input_size": 5, "kernel_size": 3, "padding": 1})
    with live.server() as base, httpx.Client(base_url=base) as client:
        timing = lambda r: float(r.headers["server-timing"].split("dur=")[1])  # noqa: E731
        for labels, query in ((False, "input_size=5&kernel_size=3&padding=1&labels=false"), (True, "input_size=5&kernel_size=3&padding=1")):
            # a new `ms` each time: the same picture, rendered again (the trace stays cached)
            uncached = [timing(client.get(f"/api/v1/animation.gif?{query}&ms={1000 + i}")) for i in range(repeats)]
            cached = [timing(client.get(f"/api/v1/animation.gif?{query}&ms=1000")) for _ in range(repeats)]
            # the worker's job run here, in this process: what the endpoint adds is the difference
            job = []
            for i in range(repeats):
                start = time.perf_counter()
                work.animation_job(spec, build_options({"labels": labels, "ms": 1000 + i}), "gif")
                job.append((time.perf_counter() - start) * 1000)
            print(f"endpoint same_padding_no_strides GIF, {'labels on ' if labels else 'labels off'} (server-side): "
                  f"uncached median {statistics.median(uncached):.1f} ms (p90 {sorted(uncached)[int(0.9 * repeats)]:.1f}; "
                  f"target <= {TARGET_ENDPOINT_MS}), the same job in-process {statistics.median(job):.1f} ms, "
                  f"cached median {statistics.median(cached):.2f} ms  ({repeats} requests each)")


def bench_stages(repeats: int) -> None:
    """Where the time of one uncached same_padding_no_strides GIF goes, in-process."""
    from app.render import build_options, build_scene
    from app.render.encode import durations
    from app.render.raster import rasterize

    spec, stages = build_spec({"input_size": 5, "kernel_size": 3, "padding": 1}), {}
    for _ in range(repeats):
        marks = [time.perf_counter()]
        trace = run(spec)
        marks.append(time.perf_counter())
        scene = build_scene(trace, build_options({"labels": False}))
        marks.append(time.perf_counter())
        for _ in rasterize(scene, copy=False):
            pass
        marks.append(time.perf_counter())
        gif.encode(scene, durations(scene))
        marks.append(time.perf_counter())
        for name, a, b in zip(("trace", "scene", "raster alone", "raster + palette + quantize + LZW"), marks, marks[1:]):
            stages.setdefault(name, []).append((b - a) * 1000)
    print("stages (median ms): " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in stages.items()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", type=Path, default=ROOT / "tests" / "data" / "conv_arithmetic.json")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    bench_files(reference_rows(args.reference), args.repeats)
    bench_stages(20)
    bench_endpoint(30)


if __name__ == "__main__":
    main()
