"""A control change redraws in place: the SVG and its hit areas are kept and moved, and what is
drawn is exactly the API's scene (issue 13: the redraw's browser work)."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.test_playground import drawn, open_page, redraws, set_pair, steps_arrived

pytestmark = pytest.mark.browser

HITS = """() => [...document.querySelectorAll('#stage .hit')].map((e) => [e.dataset.id, e.getAttribute('points')])"""


def api_hits(base: str, query: str) -> list:
    """The hit areas the page should have: the API scene's cells, in its order, with their corners."""
    scene = httpx.get(f"{base}/api/v1/scene?{query}&lang=en", timeout=30).json()
    return [(cell, [tuple(p) for p in points]) for cell, points in scene["polys"].items()]


def page_hits(page) -> list:
    return [(cell, [tuple(map(float, p.split(","))) for p in points.split()]) for cell, points in page.evaluate(HITS)]


def test_a_change_keeps_the_svg_and_moves_the_hit_areas_to_the_new_scene(page, live_server, problems):
    open_page(page, live_server + "/?input_size=8&kernel_size=3")
    assert page_hits(page) == api_hits(live_server, "op=conv2d&input_size=8&kernel_size=3&stride=1&padding=0")
    page.evaluate("window.__svg = document.querySelector('#stage svg'); window.__hit = document.querySelector('#stage .hit')")
    page.keyboard.press("ArrowRight")   # pause: frame 1 shows
    # fewer cells (stride 2: 3x3 outputs instead of 6x6), then more again
    for stride, query in [(2, "op=conv2d&input_size=8&kernel_size=3&stride=2&padding=0"), (1, "op=conv2d&input_size=8&kernel_size=3&stride=1&padding=0")]:
        before = drawn(page)
        set_pair(page, "stride", stride)
        redraws(page, before)
        assert page_hits(page) == api_hits(live_server, query)
        assert page.evaluate("document.querySelectorAll('#stage svg').length") == 1
        assert page.evaluate("document.querySelector('#stage svg') === window.__svg && document.querySelector('#stage .hit') === window.__hit")
        # the SVG's size follows the scene, and the frame shown is the player's (drawn over the new base)
        scene = httpx.get(f"{live_server}/api/v1/scene?{query}&lang=en", timeout=30).json()
        size = page.evaluate("['viewBox', 'width', 'height'].map((a) => document.querySelector('#stage svg').getAttribute(a))")
        assert size == [f"0 0 {scene['width']} {scene['height']}", str(scene["width"]), str(scene["height"])]
        items = scene["frames"][int(page.locator("#scrub").input_value())]["items"]
        # every filled item drawn: a polygon each, or a closed piece of a path of its look
        pieces = page.evaluate("""() => document.querySelectorAll('#stage g.frame polygon').length
            + [...document.querySelectorAll('#stage g.frame path')].reduce((n, p) => n + (p.getAttribute('d').match(/Z/g) || []).length, 0)""")
        assert pieces == len([i for i in items if "poly" in i or "points" in i]) > 0
    assert not problems


def test_hover_works_on_the_moved_hit_areas(page, live_server, problems):
    open_page(page, live_server + "/?input_size=5&kernel_size=3")
    before = drawn(page)
    set_pair(page, "stride", 2)
    redraws(page, before)
    # output [0, 1, 1] of a 5x5 input, k3 s2: it reads input rows 2..4, columns 2..4 (9 cells)
    page.hover("#stage .hit[data-id='out:0:1:1']")
    steps_arrived(page)
    targets = set(page.eval_on_selector_all("#stage .hl-target", "els => els.map(e => e.dataset.id)"))
    assert targets == {f"in:0:{y}:{x}" for y in range(2, 5) for x in range(2, 5)}
    assert "out:0:1:1" not in targets and page.locator("#readout").inner_text().startswith("output [0, 1, 1]")
    assert not problems
