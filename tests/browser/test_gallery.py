"""The gallery in a real Chromium, at desktop width and at 375 px, in English and Chinese:
every thumbnail loads, is drawn in the page's language, and fits the screen. Screenshots go
to tests/artifacts/ (gallery_<width>_<lang>.png)."""

from __future__ import annotations

import pytest

from app.presets import PRESETS
from tests.browser.test_playground import wait_for

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [1280, 375])
def test_gallery_thumbnails_load_in_the_pages_language_and_fit(browser, live_server, artifacts_dir, width, lang):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/gallery?lang={lang}")
    imgs = page.locator(".card img")
    assert imgs.count() == len(PRESETS)
    for i in range(imgs.count()):
        imgs.nth(i).scroll_into_view_if_needed()   # they load lazily
    wait_for(page, "[...document.querySelectorAll('.card img')].every((i) => i.complete && i.naturalWidth > 0)", timeout=120000)
    sources = page.eval_on_selector_all(".card img", "els => els.map((e) => new URL(e.src).searchParams.get('lang'))")
    assert sources == [None if lang == "en" else "zh"] * len(PRESETS)
    assert page.evaluate("document.documentElement.scrollWidth") <= width   # nothing wider than the screen
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir / f"gallery_{width}_{lang}.png"), full_page=False)
    assert not errors
    context.close()
