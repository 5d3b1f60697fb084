"""Network trace + JSON time, and one cell's field, medians of many runs (issue 10's bench).

    PYTHONPATH=. python bench/bench_network.py     (this checkout's app)

A 6-layer network on a 32x32 input (conv, conv stride 2, max pool, conv, transposed
conv stride 2, 1x1 conv), and the exact field (dependency sets, paths, gradient) of
its centre output cell. It prints; it does not assert.
"""

from __future__ import annotations

import json
import statistics
import time

from app.engine.network import build_network, dependency_field

SIX = {"input_size": 32, "layers": [
    {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1},
    {"op": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1},
    {"op": "max_pool2d", "kernel_size": 2},
    {"op": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1, "dilation": 1},
    {"op": "conv_transpose2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
    {"op": "conv2d", "out_channels": 1, "kernel_size": 1},
]}


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    net = build_network(SIX)
    c, h, w = net.traces[-1].output.shape
    print(f"6 layers on 32x32: {net.taps:,} taps, output {c}x{h}x{w}, JSON {len(net.to_json()):,} bytes")
    print(f"  network trace + JSON   median {median_ms(lambda: build_network(SIX).to_json(), 30):7.1f} ms")
    print(f"  trace only             median {median_ms(lambda: build_network(SIX), 30):7.1f} ms")
    cell = [0, h // 2, w // 2]
    print(f"  field of the centre cell (network already built, edges cached)  "
          f"median {median_ms(lambda: json.dumps(dependency_field(net, 6, cell)), 30):7.1f} ms")
    print(f"  field of the centre cell (from nothing)  "
          f"median {median_ms(lambda: json.dumps(dependency_field(build_network(SIX), 6, cell)), 30):7.1f} ms")


if __name__ == "__main__":
    main()
