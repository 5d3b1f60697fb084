"""Trace + JSON serialisation time, median of many runs (issue 2's bar).

    python bench/bench_trace.py

Bars: 64x64 input with a 3x3 kernel (3,844 steps) under 50 ms on one core,
5x5 under 1 ms. Run it on a quiet machine; it prints, it does not assert.
"""

from __future__ import annotations

import statistics
import time

from app.engine import build_spec, run

CASES = [
    ("5x5, 3x3", {"input_size": 5, "kernel_size": 3}),
    ("32x32, 3x3", {"input_size": 32, "kernel_size": 3}),
    ("64x64, 3x3, 1 channel", {"input_size": 64, "kernel_size": 3}),
    ("64x64 transposed s2 (scatter)", {"op": "conv_transpose2d", "input_size": 32, "stride": 2, "view": "scatter"}),
    ("64x64 max_pool2d k2", {"op": "max_pool2d", "input_size": 64, "kernel_size": 2}),
]


def measure(raw: dict, repeats: int) -> tuple[float, int, int]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        trace = run(build_spec(raw))
        data = trace.to_json()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, trace.steps, len(data)


def main() -> None:
    print(f"{'case':32} {'steps':>6} {'JSON bytes':>11} {'median ms':>10}")
    for name, raw in CASES:
        repeats = 200 if raw.get("input_size", 5) <= 5 else 30
        ms, steps, size = measure(raw, repeats)
        print(f"{name:32} {steps:6d} {size:11,d} {ms:10.2f}")


if __name__ == "__main__":
    main()
