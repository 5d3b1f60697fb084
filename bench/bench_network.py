"""Network trace + JSON time, and one cell's field, medians of many runs (issue 10's bench).

    python bench/bench_network.py

A 6-layer network on a 32x32 input (conv, conv stride 2, max pool, conv, transposed
conv stride 2, 1x1 conv), and the exact field (dependency sets, paths, gradient) of
its centre output cell; then the API round trip of a 3-layer network on 16x16 (the
playground's bar is 50 ms for a redraw, this round trip included) and of its field,
over a real server. Then the pictures: the 6-layer network's scene and GIF (frames per
row: every step is more than a GIF's frame cap), the render job of a /network redraw stage by
stage (a still of a network not seen), and the playground's redraw of the
3-layer network in Chromium three ways, interleaved (the full answers; the summary and a
still of the frame on screen at once; the still alone, which brings the numbers: the page
now), its split (round trips, drawing) as medians; last, the real /network page from a
control's change to the paint (the page's own panels and SVG included; changes the engine
refuses are left out), beside a pure-Python loop's time: the machine's speed in that minute.
It prints; it does not assert.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's `app`, not an installed one

import live  # noqa: E402
from app.engine.network import build_network, dependency_field  # noqa: E402
from app.render.network_scene import build_network_scene, network_scene  # noqa: E402
from app.render.options import build_options  # noqa: E402
from app.render.writers import encode  # noqa: E402

SIX = {"input_size": 32, "layers": [
    {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1},
    {"op": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1},
    {"op": "max_pool2d", "kernel_size": 2},
    {"op": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1, "dilation": 1},
    {"op": "conv_transpose2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
    {"op": "conv2d", "out_channels": 1, "kernel_size": 1},
]}
THREE = {"input_size": 16, "layers": [
    {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1},
    {"op": "max_pool2d", "kernel_size": 2},
    {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "dilation": 2},
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


def round_trips() -> None:
    with live.server() as base, httpx.Client(base_url=base, headers={"accept-encoding": "gzip"}) as client:
        # a new network each time (a different first weight), so the server's cache never answers
        fresh = iter(range(10**6))

        def new_layers():
            return [{**THREE["layers"][0], "bias": [next(fresh), 0]}] + THREE["layers"][1:]

        def post_new(query=""):
            assert client.post("/api/v1/network" + query, json={**THREE, "layers": new_layers()}).status_code == 200

        def get_new(path):
            assert client.get(path + "input_size=16&layers=" + json.dumps(new_layers())).status_code == 200

        post_new()
        r = client.post("/api/v1/network", json=THREE)
        print(f"3 layers on 16x16 over HTTP ({len(r.content):,} bytes of JSON, {int(r.headers['content-length']):,} gzipped):")
        print(f"  POST /api/v1/network, uncached   median {median_ms(post_new, 40):7.1f} ms")
        print(f"  POST /api/v1/network, cached     median {median_ms(lambda: client.post('/api/v1/network', json=THREE), 40):7.1f} ms")
        summary = client.post("/api/v1/network?detail=summary", json=THREE)
        print(f"  POST /api/v1/network?detail=summary, uncached ({len(summary.content):,} bytes)  "
              f"median {median_ms(lambda: post_new('?detail=summary'), 40):7.1f} ms")
        print(f"  GET /api/v1/network/scene?still=0, uncached  median {median_ms(lambda: get_new('/api/v1/network/scene?still=0&'), 40):7.1f} ms")
        print(f"  GET /api/v1/network/scene, uncached          median {median_ms(lambda: get_new('/api/v1/network/scene?'), 20):7.1f} ms")
        field = {**THREE, "map": 3, "cell": [0, 1, 1]}
        print(f"  POST /api/v1/network/field, network cached  median {median_ms(lambda: client.post('/api/v1/network/field', json=field), 40):7.1f} ms")


def pictures() -> None:
    net = build_network(SIX)
    row = build_options({"granularity": "row"})
    scene = build_network_scene(net, row)
    print(f"6 layers on 32x32, granularity=row: {len(scene['frames'])} frames, {scene['width']}x{scene['height']} px")
    print(f"  network scene            median {median_ms(lambda: build_network_scene(net, row), 10):7.1f} ms")
    print(f"  network scene, every step median {median_ms(lambda: build_network_scene(net, build_options({'granularity': 'step'})), 5):7.1f} ms")
    print(f"  GIF of that scene        median {median_ms(lambda: encode(scene, 'gif'), 3):7.1f} ms")
    numbers = build_options({"granularity": "row", "numbers": True})
    size = len(json.dumps(build_network_scene(net, numbers), separators=(",", ":")))
    print(f"  network scene, numbers ({size:,} bytes of JSON) median {median_ms(lambda: build_network_scene(net, numbers), 3):7.1f} ms")


def scene_split() -> None:
    """The 3-layer network's scene in this process: every step (the old default), the network's default, numbers mode."""
    net = build_network(THREE)
    for label, given in (("granularity=step", {"granularity": "step"}), ("default", {}), ("numbers", {"numbers": True})):
        scene, options = network_scene(net, given)
        size = len(json.dumps(scene, separators=(",", ":")))
        print(f"3 layers on 16x16, {label} ({options.granularity}, scale {options.scale}): {len(scene['frames'])} frames, {size:,} bytes of JSON")
        print(f"  network built            median {median_ms(lambda: build_network(THREE), 10):7.1f} ms")
        print(f"  scene                    median {median_ms(lambda: network_scene(net, given), 10):7.1f} ms")
        print(f"  scene as JSON            median {median_ms(lambda: json.dumps(network_scene(net, given)[0], separators=(',', ':')), 10):7.1f} ms")


def still_job() -> None:
    """What a render process does for the /network page's redraw (a still of a network it has not seen), in
    this process, stage by stage: the page's kinds of change to the 3-layer network, each a new network."""
    import gzip

    from app.web import cache, work

    stages = {"normalise (build the network)": [], "still scene": [], "JSON": [], "gzip": [], "in all": []}
    for n in range(48):
        layers = json.loads(json.dumps(THREE["layers"]))
        layers[0].update(padding=n % 4, kernel_size=3 + 2 * (n // 4 % 2), bias=[n, 0])   # a new bias: never cached
        layers[2]["dilation"] = 1 + n // 8 % 3
        raw = {"input_size": 16, "layers": layers}
        t0 = time.perf_counter()
        try:
            normal = cache.normalised(raw)
        except Exception:   # a network the engine refuses (a dilated kernel past its input): not a redraw
            continue
        t1 = time.perf_counter()
        scene, _ = network_scene(cache.network_for(json.loads(normal)), {}, still=0)
        t2 = time.perf_counter()
        data = work.json_bytes(scene)
        t3 = time.perf_counter()
        gzip.compress(data, work.GZIP_LEVEL, mtime=0)
        t4 = time.perf_counter()
        for times, (a, b) in zip(stages.values(), ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t0, t4))):
            times.append((b - a) * 1000)
    print(f"a /network redraw's still job, in-process ({len(stages['in all'])} new networks; the reference loop: {loop_ms():.0f} ms):")
    for name, times in stages.items():
        print(f"  {name:30} median {statistics.median(times):6.2f} ms")


REDRAW_BEFORE = """async (q) => {
    const t0 = performance.now();
    const timed = (url) => fetch(url).then((r) => r.json()).then((j) => [j, performance.now() - t0]);
    const [[net, tNet], [scene, tScene]] = await Promise.all([timed('/api/v1/network?' + q), timed('/api/v1/network/scene?' + q)]);
    const t1 = performance.now();
    const { SceneView } = await import('/static/js/scene-svg.js');
    const view = new SceneView(document.querySelector('#stage'));
    view.setScene(scene);
    view.showFrame(0);
    document.querySelector('#stage svg').getBoundingClientRect();
    const t2 = performance.now();
    return [t2 - t0, tNet, tScene, t2 - t1, t2 - t0];
}"""

# a still of the frame on screen painted, then every frame; `ASKED` is how the still (and the numbers) are asked for
REDRAW_AFTER = """async (q) => {
    const t0 = performance.now();
    const timed = (url) => fetch(url).then((r) => r.json()).then((j) => [j, performance.now() - t0]);
    ASKED
    const t1 = performance.now();
    const { SceneView } = await import('/static/js/scene-svg.js');
    const view = new SceneView(document.querySelector('#stage'));
    const frames = still.meta.steps.map((_, i) => (i === still.meta.still ? still.frames[0] : { ms: 0, items: [] }));
    view.setScene({ ...still, frames }, { hits: false });
    view.showFrame(0);
    document.querySelector('#stage svg').getBoundingClientRect();
    const t2 = performance.now();
    const [scene] = await timed('/api/v1/network/scene?' + q);
    view.setScene(scene);
    view.showFrame(0);
    document.querySelector('#stage svg').getBoundingClientRect();
    return [t2 - t0, tNet, tStill, t2 - t1, performance.now() - t0];
}"""
# the design before this one: the summary and the still at once
REDRAW_PAIR = REDRAW_AFTER.replace("ASKED", "const [[net, tNet], [still, tStill]] = await Promise.all("
                                   "[timed('/api/v1/network?detail=summary&' + q), timed('/api/v1/network/scene?still=0&' + q)]);")
# what static/js/network.js does now: the still alone, which brings the numbers
REDRAW_STILL = REDRAW_AFTER.replace("ASKED", "const [still, tStill] = await timed('/api/v1/network/scene?still=0&' + q); const tNet = tStill;")


def redraw() -> None:
    """The /network page's redraw after a control change, three ways in one run: the full network JSON and
    the whole scene, then drawn; the summary and a still scene at once, then drawn (the frames after); a
    still scene that brings the numbers, then drawn (the frames after): the page now."""
    from playwright.sync_api import sync_playwright

    with live.server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless", "--disable-gpu"])
        page = browser.new_page()
        page.goto(base + "/network?input_size=16&layers=" + json.dumps(THREE["layers"]))
        page.wait_for_selector("#stage svg")
        fresh = iter(range(10**6))   # a new bias each time: nothing answers from a cache
        ways = {"full": REDRAW_BEFORE, "pair": REDRAW_PAIR, "still": REDRAW_STILL}
        runs = {label: [] for label in ways}
        for _ in range(20):   # interleaved, so all see the same load on a shared machine
            for label, script in ways.items():
                layers = [{**THREE["layers"][0], "bias": [next(fresh), 0]}] + THREE["layers"][1:]
                runs[label].append(page.evaluate(script, "input_size=16&layers=" + json.dumps(layers)))
        names = {"full": ("network JSON (full)", "scene (every frame)"), "pair": ("network JSON (summary)", "scene (still)"),
                 "still": ("-", "scene (still, with the numbers)")}
        for label, times in runs.items():
            total, net, scene, draw, frames = (statistics.median(column) for column in zip(*times))
            first, second = names[label]
            print(f"/network redraw, {label:5}, 3 layers on 16x16 (uncached, in Chromium): first paint median {total:6.1f} ms; "
                  + (f"{first} {net:.1f} ms, " if first != "-" else "")
                  + f"{second} {scene:.1f} ms (from the start), drawing {draw:.1f} ms; every frame there at {frames:.1f} ms")
        browser.close()


# the real /network page: a layer's field changed (a `change` event, as a spinner's click or a typed
# value's commit gives), until the frame after the picture painted; every network new to the server
PAGE_REDRAW = """async ([layer, field, value]) => {
    performance.clearResourceTimings();
    const box = document.querySelector(`li[data-layer="${layer}"] [data-param="${field}"] input`);
    const drawn = new Promise((resolve) => document.addEventListener('convplay:drawn', () => resolve(performance.now()), { once: true }));
    const t0 = performance.now();
    box.value = String(value);
    box.dispatchEvent(new Event('change', { bubbles: true }));
    const refused = new Promise((resolve) => setTimeout(() => resolve('refused'), 3000));   // a network the engine refuses
    const at = await Promise.race([drawn, refused]);
    if (at === 'refused') return null;
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));   // painted
    // the still (the last change's whole scene may land meanwhile: not this redraw's)
    const api = performance.getEntriesByType('resource').filter((e) => /still=/.test(e.name) && e.startTime >= t0);
    return { painted: performance.now() - t0, drawn: at - t0, answers: Math.max(...api.map((e) => e.responseEnd)) - t0,
             server: Math.max(...api.map((e) => e.serverTiming[0]?.duration ?? 0)) };
}"""


def loop_ms() -> float:
    """A fixed pure-Python loop's time: how fast this shared machine is in this minute (about 1000 ms here when quiet)."""
    start, total = time.perf_counter(), 0
    for i in range(5_000_000):
        total += i
    return (time.perf_counter() - start) * 1000


def page_redraw() -> None:
    """The /network page itself, 3 layers on 16x16: a control changed -> the new picture painted (both round
    trips, the page's own drawing and panels); each change a network the server has not seen. The split:
    both answers in (and the slower one's time inside the server), the page's script done (`drawn`), painted."""
    from playwright.sync_api import sync_playwright

    with live.server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless", "--disable-gpu"])
        page = browser.new_page()
        page.goto(base + "/network?input_size=16&layers=" + json.dumps(THREE["layers"]))
        page.wait_for_selector("#stage svg")
        state, seen, runs = {(0, "kernel_size"): 3, (0, "padding"): 1, (2, "dilation"): 2}, set(), []
        for dilation in (1, 2, 3):   # up to 24 networks of 2 channels; a change that makes one seen before is not timed
            for kernel in (3, 5):
                for padding in (0, 1, 2, 3):
                    for where, value in (((2, "dilation"), dilation), ((0, "kernel_size"), kernel), ((0, "padding"), padding)):
                        if state[where] == value:
                            continue
                        state[where] = value
                        took = page.evaluate(PAGE_REDRAW, [*where, value])
                        if tuple(state.values()) not in seen and took is not None:
                            runs.append(took)
                        seen.add(tuple(state.values()))
        speed = loop_ms()
        painted = sorted(r["painted"] for r in runs)
        mid = {k: statistics.median(r[k] for r in runs) for k in ("server", "answers", "drawn", "painted")}
        print(f"/network page, a control changed -> painted (3 layers on 16x16, uncached, {len(runs)} changes): "
              f"median {mid['painted']:6.1f} ms, p90 {painted[int(0.9 * len(painted))]:6.1f} ms; medians of the split: "
              f"answer in {mid['answers']:.1f} (inside the server {mid['server']:.1f}), script done {mid['drawn']:.1f}, painted {mid['painted']:.1f} "
              f"(the reference loop: {speed:.0f} ms)")
        browser.close()


# when a key (an arrow on the focused box) went down, and when the picture it made was painted
STEP_TIMES = """window.__steps = [];
document.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true);
document.addEventListener('convplay:drawn', () => {
    const drawn = performance.now() - window.__t0;
    requestAnimationFrame(() => setTimeout(() => window.__steps.push({ drawn, painted: performance.now() - window.__t0 }), 0));
});"""


def page_steps(pause_ms: int = 800) -> None:
    """The /network page stepped with the arrow keys, as a spinner is clicked: each step a network the server
    has not seen, `pause_ms` apart (a person looking at each picture). The focused box's next values are asked
    ahead once a redraw settles; a step whose still came from that guess needs no render, the others do."""
    from playwright.sync_api import sync_playwright

    walk = [("0", "padding", 2), ("0", "out_channels", 4), ("2", "out_channels", 6), ("0", "kernel_size", 2), ("2", "dilation", 1)]
    with live.server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless", "--disable-gpu"])
        page = browser.new_page()
        guessed, asked = [], []   # stills asked ahead; stills asked for by a step

        def note(request):
            if "still=" in request.url:
                (guessed if request.headers.get("purpose") == "prefetch" else asked).append(request.url)
        page.on("request", note)
        page.add_init_script(STEP_TIMES)
        page.goto(base + "/network?input_size=16&layers=" + json.dumps(THREE["layers"]))
        page.wait_for_selector("#stage svg")
        page.wait_for_timeout(pause_ms)
        hits, misses = [], []
        for layer, field, steps in walk:
            page.locator(f"li[data-layer='{layer}'] [data-param='{field}'] input").first.focus()
            page.wait_for_timeout(pause_ms)
            for _ in range(steps):
                done, asked_before = page.evaluate("window.__steps.length"), len(asked)
                page.keyboard.press("ArrowUp")
                for _ in range(100):
                    if page.evaluate(f"window.__steps.length > {done}"):
                        break
                    page.wait_for_timeout(20)
                else:
                    continue   # a network the engine refuses: not a redraw
                took = page.evaluate("window.__steps.at(-1)")
                (misses if len(asked) > asked_before else hits).append(took["painted"])
                page.wait_for_timeout(pause_ms)
        speed = loop_ms()
        for label, runs in (("asked ahead", hits), ("not guessed", misses)):
            if runs:
                print(f"/network page, an arrow key's step -> painted, {label}: {len(runs)} steps, median {statistics.median(runs):6.1f} ms, "
                      f"worst {max(runs):6.1f} ms")
        print(f"  ({len(guessed)} stills asked ahead for {len(hits) + len(misses)} steps; the reference loop: {speed:.0f} ms)")
        browser.close()

if __name__ == "__main__":
    main()
    round_trips()
    pictures()
    scene_split()
    still_job()
    redraw()
    page_redraw()
    page_steps()
