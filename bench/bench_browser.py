"""The playground in a real Chromium: where a redraw's time goes, and what a frame step costs.

    python bench/bench_browser.py [--changes 30] [--numbers]

Starts uvicorn and Debian's Chromium (headless, the pages' real CSP), opens a 16x16
input with a 3x3 kernel, pauses, and changes a control `--changes` times (kernel size and
stride in turn, so after four changes the server has every answer cached) while Chromium
records a trace. Per redraw, from the change event to the first task after the new
picture's paint (medians, ms):

- wall: that whole time; api: from sending both requests (the trace without its steps, and
  the scene) to both answers
  read and parsed (static/js/marks.js spans); network: the slower request's request to last
  byte (Resource Timing);
- page spans: form (the changed field read, the form written back), url (the address
  and history entry), parse (JSON.parse of both answers), scene (the SVG: base, hit areas),
  frame (frame 0 drawn), panels (arithmetic, share, editors), cells (the hover map);
- from a Chromium trace, the renderer's main-thread CPU time (`tdur`: other programs on a
  shared machine count less than in wall time): busy = all its tasks in the window, the
  browser work (issue 13's bar: 16 ms), split into html (innerHTML parsing), style+layout,
  paint (pre-paint, paint, layerising) and script+other (JS, network and history tasks);
  longest: the longest single task.

Then it times the first hover (the steps fetched, the hover map built) and plays the animation (ms=50) for 3 s and reports the cost of a frame step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import live
from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

PROBE = """
window.__drawn = 0;
window.__spans = {};
window.__steps = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {   // this redraw's spans; a frame step's apart
    if (!e.name.startsWith('convplay:')) continue;
    const k = e.name.slice(9);
    if (k === 'step') window.__steps.push(e.duration);
    else window.__spans[k] = (window.__spans[k] || 0) + e.duration;
  }
}).observe({ type: 'measure' });
document.addEventListener('convplay:drawn', () => {
  window.__drawn++;
  requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      window.__painted = performance.now();
      performance.mark('bench:painted');
      window.__done?.();
    };
    ch.port2.postMessage(0);
  });
});
"""

CHANGE = """([name, value]) => new Promise((done) => {
  window.__spans = {};
  window.__done = done;
  performance.clearResourceTimings();
  const box = document.querySelector(`input[name="${name}"][data-axis="0"]`);
  box.value = value;
  window.__changed = performance.now();
  performance.mark('bench:change');
  box.dispatchEvent(new Event('change', { bubbles: true }));
})"""

NETWORK = """() => {
  const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/'));
  return { network: Math.max(0, ...api.map((e) => e.responseEnd - e.requestStart)), bytes: api.reduce((s, e) => s + e.encodedBodySize, 0),
           cached: api.filter((e) => e.transferSize === 0).length };
}"""

SPANS = "form url parse scene frame panels cells".split()
# trace events by what they are (a script's forced layout counts as layout); the rest is script and the
# browser's own tasks (network, history), which the trace does not split well (promise jobs carry no event)
KINDS = {
    "html": {"ParseHTML"},
    "style+layout": {"UpdateLayoutTree", "Layout"},
    "paint": {"PrePaint", "Paint", "Layerize", "LocalFrameView::pushPaintArtifactToCompositor", "UpdateLayer", "CompositeLayers"},
}
CATEGORIES = ["devtools.timeline", "toplevel", "blink.user_timing"]


def poll(page, expression: str, timeout: float = 30.0) -> None:
    """Wait until the expression is true (page.evaluate: the CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        page.wait_for_timeout(2)


def outermost(events):
    """The events not inside another of the list (by wall-clock extent)."""
    out = []
    for e in sorted(events, key=lambda e: (e["ts"], -e["dur"])):
        if not out or e["ts"] >= out[-1]["ts"] + out[-1]["dur"]:
            out.append(e)
    return out


def main_thread(path: str) -> list[dict]:
    """Per redraw (bench:change .. bench:painted), the page's main-thread CPU time (trace `tdur`,
    so other programs on the machine count less) by kind, in ms."""
    events = json.loads(Path(path).read_text())["traceEvents"]
    marks = [e for e in events if e.get("name") in ("bench:change", "bench:painted") and e.get("cat") == "blink.user_timing"]
    thread = (marks[0]["pid"], marks[0]["tid"])
    mine = [e for e in events if (e["pid"], e["tid"]) == thread and e.get("ph") == "X" and "tdur" in e]
    changes = sorted(e["ts"] for e in marks if e["name"] == "bench:change")
    painted = sorted(e["ts"] for e in marks if e["name"] == "bench:painted")
    cpu = lambda events: sum(e["tdur"] for e in events) / 1000
    rows = []
    for t0 in changes:
        t1 = next(t for t in painted if t > t0)
        window = [e for e in mine if t0 <= e["ts"] < t1]
        kinds = {kind: outermost([e for e in window if e["name"] in names]) for kind, names in KINDS.items()}
        tasks = outermost([e for e in window if e["name"] in ("ThreadControllerImpl::RunTask", "RunTask")])
        row = {"busy": cpu(tasks), "longest": max((e["tdur"] for e in tasks), default=0) / 1000}
        for kind in ("html", "style+layout", "paint"):
            row[kind] = cpu(kinds[kind])
        row["script+other"] = row["busy"] - sum(row[k] for k in KINDS)
        rows.append(row)
    return rows


def med(rows, key) -> float:
    return statistics.median(r.get(key, 0.0) for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--changes", type=int, default=30)
    ap.add_argument("--numbers", action="store_true", help="numbers mode on (values in cells)")
    args = ap.parse_args()
    query = "/?input_size=16&kernel_size=3" + ("&numbers=true" if args.numbers else "")
    with live.server() as base, sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.add_init_script(PROBE)
        page.goto(base + query)
        poll(page, "window.__drawn >= 1")
        page.keyboard.press("ArrowRight")  # pause while changing controls
        change = lambda i: (("kernel_size", 3 + (i // 2) % 2), ("stride", 1 + (i // 2) % 2))[i % 2]
        for i in range(4):
            page.evaluate(CHANGE, list(change(i)))   # warm: the server has the four answers
        browser.start_tracing(page=page, path=f"{tmp}/trace.json", categories=CATEGORIES)
        rows = []
        for i in range(args.changes):
            page.evaluate(CHANGE, list(change(i)))   # resolves after the new picture's paint
            row = {**{k: 0.0 for k in SPANS}, **page.evaluate("window.__spans"), **page.evaluate(NETWORK)}
            row["wall"] = page.evaluate("window.__painted - window.__changed")
            rows.append(row)
        browser.stop_tracing()
        for row, work in zip(rows, main_thread(f"{tmp}/trace.json")):
            row.update(work)
        n = len(rows)
        print(f"control change -> redraw, {query}, {n} changes, medians in ms (shared 2-core machine, Chromium tracing on):")
        print(f"  wall {med(rows, 'wall'):.1f} (p90 {sorted(r['wall'] for r in rows)[int(0.9 * n)]:.1f}); "
              f"api {med(rows, 'api'):.1f} [network {med(rows, 'network'):.1f}, {med(rows, 'bytes') / 1000:.0f} kB gzip, "
              f"{sum(r['cached'] for r in rows)} of {2 * n} answers from the HTTP cache]")
        print("  page spans: " + ", ".join(f"{k} {med(rows, k):.1f}" for k in SPANS))
        print(f"  main thread: busy {med(rows, 'busy'):.1f} (longest task {med(rows, 'longest'):.1f}) = "
              + " + ".join(f"{k} {med(rows, k):.1f}" for k in ("html", "style+layout", "paint", "script+other")))

        # the steps come with the first hover after a redraw (the trace's full answer, then the hover map)
        page.evaluate("window.__spans = {}")
        start = time.perf_counter()
        page.hover("#stage .hit[data-id='out:0:1:1']", force=True)
        poll(page, "document.querySelector('#readout').textContent !== ''")
        first = (time.perf_counter() - start) * 1000
        print(f"first hover after a redraw (fetches the steps): {first:.1f} ms wall from Playwright, "
              f"of which the hover map {page.evaluate('window.__spans.cells || 0'):.1f} ms")

        page.goto(base + query + "&ms=50")
        poll(page, "window.__drawn >= 1")
        page.evaluate("window.__steps = []")
        gaps = page.evaluate("""() => new Promise(done => {
            const gaps = []; let last = performance.now(); const end = last + 3000;
            function tick(now) { gaps.push(now - last); last = now; if (now < end) requestAnimationFrame(tick); else done(gaps); }
            requestAnimationFrame(tick);
        })""")
        steps = page.evaluate("window.__steps")
        print(f"playing at 50 ms a frame: {len(steps)} steps, step median {statistics.median(steps):.2f} ms, "
              f"max {max(steps):.2f} ms; longest gap between animation frames {max(gaps):.1f} ms over {len(gaps)} frames")
        browser.close()


if __name__ == "__main__":
    main()
