"""The playground, embed and gallery in a real Chromium, against a real server."""

from __future__ import annotations

import http.server
import io
import re
import socketserver
import threading
import time
from urllib.parse import urlencode

import httpx
import pytest
from PIL import Image

from app.presets import PRESETS

pytestmark = pytest.mark.browser

COUNT_DRAWS = "document.addEventListener('convplay:drawn', () => { window.__drawn = (window.__drawn || 0) + 1; });"


def wait_for(page, expression: str, timeout: float = 30000) -> None:
    """Poll until the JS expression is truthy.

    Playwright's wait_for_function builds its predicate with eval, which the pages'
    Content-Security-Policy (script-src 'self') forbids, as it should; page.evaluate is
    not subject to it. So the tests keep the real CSP, and a script it blocks shows up
    as a console error in `problems`.
    """
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:g} s: {expression}")
        page.wait_for_timeout(20)


def open_page(page, url: str):
    page.add_init_script(COUNT_DRAWS)
    page.goto(url)
    wait_for(page, "window.__drawn >= 1", timeout=15000)
    addressed(page)
    return page


def redraws(page, before: int):
    wait_for(page, f"window.__drawn > {before}", timeout=15000)
    addressed(page)


def addressed(page) -> None:
    """Wait until the address bar has followed the picture: the page writes it when idle (address.js),
    after the next frame; an idle callback asked for after that frame runs after the page's."""
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestIdleCallback(() => setTimeout(done, 0), { timeout: 1000 })))")


def steps_arrived(page) -> None:
    """Wait for the first hover's readout: the page fetches the trace's steps when the picture is first pointed at."""
    wait_for(page, "document.querySelector('#readout').textContent !== ''", timeout=15000)


def drawn(page) -> int:
    return page.evaluate("window.__drawn || 0")


def output_ids(page) -> set[str]:
    return set(page.eval_on_selector_all(".hit[data-id^='out:']", "els => els.map(e => e.dataset.id)"))


def trace(base: str, **params) -> dict:
    return httpx.get(f"{base}/api/v1/trace", params=params, timeout=30).json()


def set_pair(page, name: str, value: int):
    box = page.locator(f"input[name='{name}'][data-axis='0']")
    box.fill(str(value))
    box.dispatch_event("change")


def test_controls_redraw_to_the_size_the_api_reports(page, live_server, problems, artifacts_dir):
    open_page(page, live_server + "/")
    for name, value in [("kernel_size", 3), ("stride", 2), ("padding", 1)]:
        before = drawn(page)
        set_pair(page, name, value)
        redraws(page, before)
    expected = trace(live_server, input_size=5, kernel_size=3, stride=2, padding=1)["output_size"]
    # the last change wins even if an earlier answer arrives late: wait for it to be drawn
    wait_for(page, "document.querySelectorAll(\".hit[data-id^='out:']\").length === 9", timeout=15000)
    page.wait_for_url(re.compile(r"stride=2.*padding=1|padding=1.*stride=2"))
    ids = output_ids(page)
    rows = {int(i.split(":")[2]) for i in ids}
    cols = {int(i.split(":")[3]) for i in ids}
    assert [len(rows), len(cols)] == expected == [3, 3]
    assert "stride=2" in page.url and "padding=1" in page.url
    page.screenshot(path=str(artifacts_dir / "playground.png"), full_page=True)
    assert not problems


def test_invalid_setting_shows_the_message_and_keeps_the_picture(page, live_server, problems, artifacts_dir):
    open_page(page, live_server + "/?input_size=5&kernel_size=3")
    before_ids = output_ids(page)
    set_pair(page, "kernel_size", 9)
    page.wait_for_selector("#err-kernel_size:not(:empty)")
    message = page.text_content("#err-kernel_size")
    assert message.startswith("kernel_size:") and "larger than the padded input" in message
    assert page.locator("#stage svg").count() == 1
    assert output_ids(page) == before_ids           # the last valid picture stays
    assert "kernel_size" in page.text_content("#status")
    page.screenshot(path=str(artifacts_dir / "invalid.png"))
    assert not problems


def _expected_reads(t: dict, out_id: str) -> set[str]:
    _, c, y, x = out_id.split(":")
    step = next(s for s in t["steps"] if s["output_index"] == [int(c), int(y), int(x)])
    return {"in:" + ":".join(map(str, tap["canvas_index"])) for tap in step["taps"]}


def _expected_readers(t: dict, in_id: str) -> set[str]:
    _, c, y, x = map(int, in_id.split(":")[1:]) if False else (None, *map(int, in_id.split(":")[1:]))
    source = t["canvas"]["source"][y][x]
    out = set()
    for s in t["steps"]:
        for tap in s["taps"]:
            hit = tap["input_index"] == [c, *source] if source else tap["canvas_index"] == [c, y, x]
            if hit:
                out.add("out:" + ":".join(map(str, s["output_index"])))
    return out


def _highlighted(page, role: str) -> set[str]:
    return set(page.eval_on_selector_all(f"#stage .{role}", "els => els.map(e => e.dataset.id)"))


@pytest.mark.parametrize("query", [
    {"op": "conv2d", "input_size": "7", "kernel_size": "3", "stride": "2", "padding": "2", "dilation": "2"},
    {"op": "conv2d", "input_size": "5", "kernel_size": "3", "padding": "2", "padding_mode": "reflect"},
    {"op": "conv_transpose2d", "input_size": "3", "kernel_size": "3", "stride": "2", "padding": "1", "output_padding": "1"},
])
def test_hover_lights_exactly_the_taps_and_the_readers(page, live_server, problems, artifacts_dir, query):
    open_page(page, live_server + "/?" + urlencode(query))
    t = trace(live_server, **query)
    page.keyboard.press("ArrowRight")  # pause, so the picture holds still
    for out_id in ["out:0:0:0", "out:0:1:1", f"out:0:{t['output_size'][0] - 1}:{t['output_size'][1] - 1}"]:
        page.hover(f".hit[data-id='{out_id}']", force=True)
        steps_arrived(page)
        assert _highlighted(page, "hl-target") == _expected_reads(t, out_id), out_id
    ch, cw = t["canvas"]["size"]
    for y, x in [(ch // 2, cw // 2), (0, 0), (ch - 1, cw - 1), (1, 2)]:
        in_id = f"in:0:{y}:{x}"
        page.hover(f".hit[data-id='{in_id}']", force=True)
        assert _highlighted(page, "hl-target") == _expected_readers(t, in_id), in_id
    page.locator("#stage").screenshot(path=str(artifacts_dir / f"hover_{query['op']}_{query.get('padding_mode', 'zeros')}.png"))
    assert not problems


def test_permalink_round_trip_and_back_forward(page, live_server, browser, problems):
    open_page(page, live_server + "/?input_size=6&kernel_size=3")
    before = drawn(page)
    set_pair(page, "stride", 2)
    redraws(page, before)
    before = drawn(page)
    page.select_option("#op", "max_pool2d")
    redraws(page, before)
    link = page.url
    assert "op=max_pool2d" in link
    other = browser.new_page()
    open_page(other, link)
    assert other.input_value("#op") == "max_pool2d"
    assert other.input_value("input[name='input_size'][data-axis='0']") == "6"
    assert output_ids(other) == output_ids(page)
    other.close()
    page.go_back()
    wait_for(page, "document.querySelector('#op').value === 'conv2d'")
    assert page.input_value("input[name='stride'][data-axis='0']") == "2"
    page.go_forward()
    wait_for(page, "document.querySelector('#op').value === 'max_pool2d'")
    assert not problems


def test_gif_download_decodes_with_the_right_frames(page, live_server, problems):
    open_page(page, live_server + "/?input_size=5&kernel_size=3&stride=2&padding=1")
    with page.expect_download() as info:
        page.click("#dl-gif")
    data = open(info.value.path(), "rb").read()
    im = Image.open(io.BytesIO(data))
    assert im.format == "GIF" and im.n_frames == 9
    assert not problems


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_embed_renders_inside_iframes_of_another_site(browser, live_server, tmp_path, artifacts_dir):
    src = f"{live_server}/embed?input_size=5&padding=1"
    (tmp_path / "index.html").write_text(
        f'<!doctype html><h1>course page</h1><iframe id="plain" src="{src}" width="420" height="520"></iframe>'
        f'<iframe id="boxed" sandbox="allow-scripts" src="{src}" width="420" height="520"></iframe>')
    handler = lambda *a, **k: _Quiet(*a, directory=str(tmp_path), **k)  # noqa: E731
    with socketserver.TCPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        page = browser.new_page(viewport={"width": 900, "height": 700})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        for name in ("plain", "boxed"):
            frame = page.frame_locator(f"#{name}")
            frame.locator("#stage svg").wait_for(timeout=15000)
            assert frame.locator(".hit[data-id^='out:']").count() == 25
        page.screenshot(path=str(artifacts_dir / "embed_in_iframe.png"))
        page.close()
        server.shutdown()
    assert not errors


def test_phone_width_has_no_horizontal_scroll(browser, live_server, artifacts_dir):
    context = browser.new_context(viewport={"width": 375, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_page(page, live_server + "/?op=conv_transpose2d&input_size=3&stride=2&padding=1&output_padding=1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.tap(".hit[data-id='out:0:2:2']", force=True)
    steps_arrived(page)   # a tap fetches the steps
    assert len(page.eval_on_selector_all("#stage .hl-target", "els => els")) == 9
    page.screenshot(path=str(artifacts_dir / "phone.png"), full_page=True)
    context.close()


def test_switching_to_chinese_changes_the_labels(page, live_server, problems, artifacts_dir):
    open_page(page, live_server + "/?input_size=5")
    assert page.text_content("label[for='op']").strip() == "Operation"
    page.click("#lang-toggle")
    page.wait_for_url(re.compile(r"lang=zh"))
    wait_for(page, "window.__drawn >= 1")
    assert page.text_content("label[for='op']").strip() == "运算"
    assert page.get_attribute("html", "lang") == "zh-CN"
    set_pair(page, "kernel_size", 9)
    page.wait_for_selector("#err-kernel_size:not(:empty)")
    assert "卷积核" in page.text_content("#err-kernel_size")   # the API's message, in Chinese
    page.screenshot(path=str(artifacts_dir / "chinese.png"))
    assert not problems


def test_keyboard_alone_plays_and_steps(page, live_server, problems):
    open_page(page, live_server + "/?input_size=5&kernel_size=3")
    page.keyboard.press("ArrowRight")           # pauses and steps
    assert page.text_content("#counter").strip() == "Step 2 of 9"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert page.text_content("#counter").strip() == "Step 2 of 9"
    page.keyboard.press(" ")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    page.keyboard.press(" ")
    assert page.get_attribute("#play", "aria-pressed") == "false"
    page.focus("#next")
    page.keyboard.press("Enter")
    assert page.text_content("#counter").strip() == "Step 3 of 9"
    assert not problems


def test_reduced_motion_starts_paused(browser, live_server):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    open_page(page, live_server + "/?input_size=5")
    assert page.get_attribute("#play", "aria-pressed") == "false"
    context.close()


def test_gallery_links_every_preset_into_the_playground(page, live_server):
    page.goto(live_server + "/gallery")
    cards = page.locator(".card a")
    assert cards.count() == len(PRESETS)
    href = cards.first.get_attribute("href")
    open_page(page, live_server + href)
    assert output_ids(page)


def test_numbers_mode_shows_each_finished_output_from_its_timed_item(page, live_server, problems):
    """The page draws the scene's timed items: after stepping to frame i, the output
    map shows outputs 0..i, the values the trace API gives (the paper's figure)."""
    import httpx

    open_page(page, live_server + "/?input_size=5&kernel_size=3&numbers=true&labels=false")
    output = httpx.get(live_server + "/api/v1/trace", params={"input_size": 5, "kernel_size": 3}).json()["output"][0]
    values = [str(v) for row in output for v in row]
    page.keyboard.press("ArrowRight")   # pauses
    for i in range(9):
        page.evaluate("(i) => { const s = document.querySelector('#scrub'); s.value = i; s.dispatchEvent(new Event('input')); }", i)
        timed = page.eval_on_selector_all("#stage g.timed text", "els => els.map(e => e.textContent)")
        assert timed == values[:i], i
        assert values[i] in page.eval_on_selector_all("#stage g.frame text", "els => els.map(e => e.textContent)"), i
    assert not problems
