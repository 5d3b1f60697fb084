"""The /image page in a real Chromium: Sobel on a sample, the patch animation, a refused upload.

Screenshots (desktop and 375 px, English and Chinese) go to tests/artifacts/.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

import httpx
import numpy as np
import pytest

pytestmark = pytest.mark.browser


def ready(page) -> None:
    """The latest settings' pictures shown (not an earlier answer still on screen) and the patch drawn."""
    page.wait_for_function("""() => {
        const ok = (id) => { const i = document.getElementById(id); return i.complete && i.naturalWidth > 0; };
        return ok('input-img') && ok('result-img') && document.querySelector('#stage svg') && !document.querySelector('.triptych.stale') && !document.querySelector('#triptych[aria-busy]');
    }""", timeout=20_000)


def test_sobel_on_a_sample_shows_the_result_and_the_patch_animation(page, live_server, artifacts_dir):
    page.goto(f"{live_server}/image?lang=en")
    ready(page)
    page.select_option("#sample", "coins")
    page.select_option("#kernel", "sobel_x")
    page.wait_for_function("() => document.querySelector('#kernel-name').textContent.startsWith('Sobel x')")
    ready(page)
    # the result is the API's PNG for these settings, and its display rule is stated
    src = page.eval_on_selector("#result-img", "img => img.src")
    assert src.startswith("blob:")
    assert page.inner_text("#shown-as").startswith("Shown as |y| × 255 /")
    assert page.inner_text("#result-size") == "303×384 px"      # padding 1 keeps the size
    api = httpx.get(f"{live_server}/api/v1/image", params={"sample": "coins", "kernel": "sobel_x", "padding": 1})
    shown = page.evaluate("""async () => new Uint8Array(await (await fetch(document.querySelector('#result-img').src)).arrayBuffer()).length""")
    assert shown == len(api.content)
    # the patch: a 8x8 crop, 36 steps, that plays, and its GIF downloads
    assert page.inner_text("#counter").endswith("of 36")
    first = page.inner_text("#counter")
    page.wait_for_function(f"() => document.querySelector('#counter').textContent !== {first!r}", timeout=5_000)
    assert page.locator("#stage svg text").filter(has_text="output 6×6").count() == 1
    gif = page.get_attribute("#dl-gif", "href")
    r = httpx.get(live_server + gif)
    assert r.status_code == 200 and r.headers["content-type"] == "image/gif" and r.content[:6] == b"GIF89a"
    # clicking the picture moves the patch to where it was clicked
    before = page.inner_text("#patch-where")
    box = page.locator("#input-img").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.1)
    page.wait_for_function(f"() => document.querySelector('#patch-where').textContent !== {before!r}")
    # the click was at 10 % of 303 rows and 384 columns: rows 30 and 38, the 8x8 patch centred there
    r0, c0 = map(int, re.match(r"Input rows (\d+)–\d+, columns (\d+)–", page.inner_text("#patch-where")).groups())
    assert abs(r0 - 26) <= 1 and abs(c0 - 34) <= 1, page.inner_text("#patch-where")
    page.screenshot(path=str(artifacts_dir / "image_desktop_en.png"), full_page=True)
    assert not page.problems, page.problems


def too_many_pixels_png(side: int = 3000) -> bytes:
    """A small file (zeros compress well) of side x side pixels: more than the 2048x2048 decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = (b"\0" + b"\0" * side) * side
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def test_an_oversized_upload_is_refused_with_the_message_in_both_languages(page, live_server, artifacts_dir):
    page.goto(f"{live_server}/image?lang=en")
    ready(page)
    page.set_input_files("#file", files=[{"name": "huge.png", "mimeType": "image/png", "buffer": too_many_pixels_png()}])
    page.wait_for_function("() => document.querySelector('#err-file').textContent.length > 0")
    assert "3000x3000" in page.inner_text("#err-file") and "2048x2048" in page.inner_text("#err-file")
    assert page.inner_text("#status").startswith("This cannot be filtered: file:")
    assert page.locator(".triptych.stale").count() == 1          # the old pictures do not look current
    assert page.locator("#stage svg").count() == 0 and page.inner_text("#counter") == ""
    assert not page.locator("#dl-gif").is_visible()
    page.screenshot(path=str(artifacts_dir / "image_desktop_en_refused.png"), full_page=True)
    # a good upload afterwards is filtered and the message goes away
    good = io.BytesIO()
    from PIL import Image
    Image.fromarray(np.tile(np.arange(0, 256, 8, dtype=np.uint8), (24, 1))).save(good, "PNG")
    page.set_input_files("#file", files=[{"name": "ramp.png", "mimeType": "image/png", "buffer": good.getvalue()}])
    ready(page)
    assert page.inner_text("#err-file") == "" and page.inner_text("#input-size") == "24×32 px"
    page.goto(f"{live_server}/image?lang=zh")
    ready(page)
    page.set_input_files("#file", files=[{"name": "huge.png", "mimeType": "image/png", "buffer": too_many_pixels_png()}])
    page.wait_for_function("() => document.querySelector('#err-file').textContent.length > 0")
    assert page.inner_text("#err-file").startswith("file：图片为 3000x3000")
    unexpected = [p for p in page.problems if "status of 413" not in p]   # the refused upload itself is expected
    assert not unexpected, unexpected


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_works_at_375_px(browser, live_server, artifacts_dir, lang):
    context = browser.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=2, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/image?lang={lang}&sample=astronaut&color=rgb&kernel=sobel_y")
    ready(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide at 375 px"
    for sel in ("#input-img", "#result-img", "#kernel-view"):
        box = page.locator(sel).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, sel
    assert page.locator(".patch-channel").is_visible()
    page.screenshot(path=str(artifacts_dir / f"image_phone_{lang}.png"), full_page=True)
    context.close()
    assert not errors, errors


def test_the_desktop_page_in_chinese(page, live_server, artifacts_dir):
    page.goto(f"{live_server}/image?lang=zh&sample=coffee&color=rgb&kernel=emboss")
    ready(page)
    assert page.inner_text("h1") == "卷积核作用于照片"
    assert page.inner_text("#shown-as").startswith("显示：y 截断到 0..255")
    assert page.inner_text("#kernel-name") == "浮雕"
    page.screenshot(path=str(artifacts_dir / "image_desktop_zh.png"), full_page=True)
    assert not page.problems, page.problems
