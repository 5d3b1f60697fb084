"""The production server under load, on loopback: `python bench/bench_serve.py [--workers 2]`.

Starts `convplay serve --workers N` (uvicorn, uvloop, httptools) and prints:
1. cached GIF throughput: wrk, 64 connections, 10 s (wrk is Debian's package `wrk`:
   installed here with apt-get when missing, as root);
2. a storm: 40 distinct heavy renders and 40 oEmbed calls for one big numbers-mode
   permalink at once, while /healthz is probed every 0.5 s: the worst and p99 probe,
   the peak RSS of the server's process tree, and its RSS 10 s after the storm;
   then the same for the other views: 20 networks, 20 matrices, 20 backward passes
   and 20 photograph filters, all distinct;
3. a 107 MB POST: the time until the 413 arrives (the body is never read).
Every request goes to 127.0.0.1 only; every loop is bounded. Figures, no assertions.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
GIF = "/api/v1/animation.gif?input_size=5&kernel_size=3&stride=2&padding=1"   # the 47 KB GIF of issue 9
HEAVY = "/api/v1/animation.gif?input_size=16&numbers=true&ms={ms}"     # ~190 MP, ~2.5 s each
BIG_PERMALINK = "/?input_size=32&numbers=true&granularity=row&scale=0.5"
# networks up to about 65,000 taps and 5.8 MB of JSON; about 24,000 matrix entries; a 5x5 kernel over a 384 px photograph
NETWORK = "/api/v1/network?input_size={n}&in_channels={c}&layers=" + quote(";".join(["conv2d:out_channels=4:k3:p1"] * 2 + ["max_pool2d:k2"]
                                                                                    + ["conv2d:out_channels=4:k3:p1"] * 2))
MATRIX = "/api/v1/matrix?input_size=32&kernel_size=5&padding=2&dilation={d}&stride={s}"
BACKWARD = "/api/v1/backward?input_size=32&kernel_size=5&padding={p}&stride={s}"
IMAGE = "/api/v1/image?sample={sample}&kernel=gaussian5&dilation={d}"
SAMPLES = ("camera", "coins", "astronaut", "coffee", "chelsea")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    if shutil.which("wrk") is None:
        if os.geteuid() != 0:
            sys.exit("wrk is missing: apt-get install wrk (needs root)")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk")


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) bytes of a process and all its descendants (from /proc): RSS counts shared pages
    once per process, PSS shares them out, so PSS is what the tree really holds."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()[1:])
            rss += int(fields["Rss"].split()[0]) * 1024
            pss += int(fields["Pss"].split()[0]) * 1024
        except (OSError, KeyError, ValueError):
            pass
        todo += children.get(p, [])
    return rss, pss


def wait_healthy(base: str, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit("the server exited")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit("the server did not answer /healthz in 60 s")


def cached_gif(base: str, wrk: str, workers: int) -> None:
    for _ in range(20 * workers):            # every worker has its own cache: fill them all
        assert httpx.get(base + GIF, timeout=60).status_code == 200
    size = len(httpx.get(base + GIF).content)
    out = subprocess.run([wrk, "-t2", "-c64", "-d10s", base + GIF], capture_output=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    print(f"cached GIF ({size:,} bytes), wrk -t2 -c64 -d10s: {float(rate):,.0f} req/s")
    print("  " + "\n  ".join(line for line in out.splitlines() if "Latency" in line or "errors" in line or "Non-2xx" in line))


def render_storm() -> tuple[str, list[str]]:
    oembed = "/oembed?url=" + quote("{base}" + BIG_PERMALINK, safe="")
    return "40 heavy GIFs + 40 oEmbed", [HEAVY.format(ms=100 + i) for i in range(40)] + [oembed] * 40


def views_storm() -> tuple[str, list[str]]:
    return "20 networks + 20 matrices + 20 backward + 20 image filters", (
        [NETWORK.format(n=12 + i % 5, c=1 + i // 5) for i in range(20)]
        + [MATRIX.format(d=1 + i % 2, s=1 + i // 2) for i in range(20)]
        + [BACKWARD.format(p=i % 3, s=1 + i // 3) for i in range(20)]
        + [IMAGE.format(sample=SAMPLES[i % 5], d=1 + i // 5) for i in range(20)])


def storm(base: str, pid: int, what: tuple[str, list[str]]) -> None:
    probes, rss, done = [], [], threading.Event()

    def probe():
        with httpx.Client(base_url=base, timeout=30) as c:
            while not done.is_set():
                t = time.perf_counter()
                c.get("/healthz")
                probes.append(time.perf_counter() - t)
                time.sleep(0.5)

    def sample():
        while not done.is_set():
            rss.append(tree_memory(pid))
            time.sleep(0.25)

    watchers = [threading.Thread(target=probe), threading.Thread(target=sample)]
    for w in watchers:
        w.start()
    before = tree_memory(pid)
    name, urls = what
    urls = [u.replace(quote("{base}", safe=""), quote(base, safe="")) for u in urls]
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=600) as c, ThreadPoolExecutor(80) as ex:
        codes = list(ex.map(lambda u: c.get(u).status_code, urls))
    took = time.perf_counter() - started
    time.sleep(10)
    done.set()
    for w in watchers:
        w.join()
    after = tree_memory(pid)
    counts = {code: codes.count(code) for code in sorted(set(codes))}
    p99 = statistics.quantiles(probes, n=100)[98] if len(probes) >= 2 else probes[0]
    print(f"storm: {name} in {took:.1f} s, answers {counts}")
    print(f"  /healthz every 0.5 s ({len(probes)} probes): worst {max(probes) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"median {statistics.median(probes) * 1000:.1f} ms")
    for i, name in enumerate(("RSS", "PSS")):
        print(f"  {name} of the server's processes: {before[i] / 2**20:.0f} MB before, peak {max(r[i] for r in rss) / 2**20:.0f} MB, "
              f"{after[i] / 2**20:.0f} MB 10 s after the storm")


def big_post(base: str) -> None:
    host, port = base.removeprefix("http://").split(":")
    times = []
    for _ in range(5):
        with socket.create_connection((host, int(port))) as s:
            started = time.perf_counter()
            s.sendall(b"POST /api/v1/trace HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 112197632\r\n\r\n" + b"[" * 65536)
            head = s.recv(64)
            times.append(time.perf_counter() - started)
        assert head.startswith(b"HTTP/1.1 413"), head
    print(f"107 MB POST refused with 413 in {statistics.median(times) * 1000:.1f} ms (median of 5, worst {max(times) * 1000:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    wrk = ensure_wrk()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", str(args.workers)], cwd=ROOT)
    try:
        wait_healthy(base, proc)
        print(f"convplay serve --workers {args.workers} on {os.cpu_count()} cores")
        cached_gif(base, wrk, args.workers)
        big_post(base)
        storm(base, proc.pid, render_storm())
        storm(base, proc.pid, views_storm())
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
