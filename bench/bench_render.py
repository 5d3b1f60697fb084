"""Render the 15 reference animations and compare with the reference GIFs.

    python bench/bench_render.py [--reference tests/data/conv_arithmetic.json]

Prints, per animation at scale 1 with labels off: our GIF bytes, the reference's
bytes and their ratio, our canvas against the reference canvas, and render time;
then the totals, and the endpoint's server-side time (its Server-Timing header)
for the 25-frame same_padding_no_strides GIF, uncached and cached, over a real
uvicorn server. Bars (issue 3): total bytes <= 0.5x the reference, all 15 in under
2 s on one core, the endpoint under 50 ms uncached and 2 ms cached (medians).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))   # this checkout's `app`, not an installed one

import live  # noqa: E402

from app.engine import build_spec, run  # noqa: E402
from app.render import render  # noqa: E402


def reference_rows(path: Path) -> list[dict]:
    return json.loads(path.read_text())["animations"]


def spec_of(row: dict) -> dict:
    spec = {k: row[k] for k in ("op", "input_size", "kernel_size", "stride", "padding", "dilation")}
    if row["op"] == "conv_transpose2d":
        spec["output_padding"] = row["output_padding"]
    return spec


def bench_files(rows: list[dict], repeats: int) -> None:
    print(f"{'animation':42} {'frames':>6} {'ours B':>9} {'ref B':>9} {'ratio':>6} {'canvas (ref)':>19} {'ms':>7}")
    total_ours = total_ref = total_ms = 0.0
    for row in rows:
        trace = run(build_spec(spec_of(row)))
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            data = render(trace, "gif", labels=False)
            times.append((time.perf_counter() - start) * 1000)
        ms = statistics.median(times)
        from PIL import Image
        import io
        size = Image.open(io.BytesIO(data)).size
        ref = row["anchor_bytes"]
        total_ours += len(data)
        total_ref += ref
        total_ms += ms
        canvas = f"{size[0]}x{size[1]} ({row['anchor_canvas_px'][0]}x{row['anchor_canvas_px'][1]})"
        print(f"{row['name']:42} {trace.steps:6d} {len(data):9,d} {ref:9,d} {len(data) / ref:6.2f} {canvas:>19} {ms:7.1f}")
    print(f"{'total':42} {'':6} {int(total_ours):9,d} {int(total_ref):9,d} {total_ours / total_ref:6.2f} {'':>19} {total_ms:7.1f}")


def bench_endpoint(repeats: int) -> None:
    import httpx

    with live.server() as base, httpx.Client(base_url=base) as client:
        timing = lambda r: float(r.headers["server-timing"].split("dur=")[1])  # noqa: E731
        for query in ("input_size=5&kernel_size=3&padding=1&labels=false", "input_size=5&kernel_size=3&padding=1"):
            # a new `ms` each time: the same picture, rendered again (the trace stays cached)
            uncached = [timing(client.get(f"/api/v1/animation.gif?{query}&ms={1000 + i}")) for i in range(repeats)]
            cached = [timing(client.get(f"/api/v1/animation.gif?{query}&ms=1000")) for _ in range(repeats)]
            print(f"endpoint same_padding_no_strides GIF, {'labels off' if 'labels' in query else 'labels on '} (server-side): "
                  f"uncached median {statistics.median(uncached):.1f} ms (p90 {sorted(uncached)[int(0.9 * repeats)]:.1f}), "
                  f"cached median {statistics.median(cached):.2f} ms  ({repeats} requests each)")


def bench_stages(repeats: int) -> None:
    """Where the time of one uncached same_padding_no_strides GIF goes, in-process."""
    from app.render import build_options, build_scene, gif
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
