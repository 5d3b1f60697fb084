"""Partial, gated and deformable convolution in the playground: hovering a deformable
output cell shows its sampling points; the arithmetic panel names the paper."""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import pytest

from test_playground import open_page, steps_arrived, trace, wait_for

pytestmark = pytest.mark.browser

DEFORM = {"op": "deform_conv2d", "input_size": "5", "kernel_size": "3"}


def _centre(points: str) -> np.ndarray:
    return np.array([[float(v) for v in p.split(",")] for p in points.split()]).mean(axis=0)


def test_hover_a_deformable_output_cell_shows_its_sampling_points(page, live_server, problems, artifacts_dir):
    open_page(page, live_server + "/?" + urlencode(DEFORM))
    page.keyboard.press("ArrowRight")   # pause
    t = trace(live_server, **DEFORM)
    cells = {pid: _centre(pts) for pid, pts in page.eval_on_selector_all(
        "#stage .hit[data-id^='in:']", "els => els.map(e => [e.dataset.id, e.getAttribute('points')])")}
    c00, c01, c10 = cells["in:0:0:0"], cells["in:0:0:1"], cells["in:0:1:0"]
    for out in ([1, 1], [0, 2]):
        page.hover(f".hit[data-id='out:0:{out[0]}:{out[1]}']", force=True)
        steps_arrived(page)
        step = next(s for s in t["steps"] if s["output_index"] == [0, *out])
        dots = page.eval_on_selector_all("#stage circle.hl-dot", "els => els.map(e => [+e.getAttribute('cx'), +e.getAttribute('cy')])")
        # no padding: input (y, x) is canvas (y, x); the sample's place by the grid's own cells
        expected = [c00 + tap["sample"][1] * (c01 - c00) + tap["sample"][0] * (c10 - c00) for tap in step["taps"]]
        assert len(dots) == len(expected) == 9
        assert all(min(np.linalg.norm(np.array(d) - e) for d in dots) < 0.05 for e in expected)
        links = page.eval_on_selector_all("#stage line.hl-link", "els => els.length")
        assert links == sum(1 for tap in step["taps"] for n in tap["neighbours"] if n is not None)
    page.hover(".hit[data-id='in:0:2:2']", force=True)   # an input cell: no sampling points
    assert page.eval_on_selector_all("#stage circle.hl-dot", "els => els.length") == 0
    page.hover(".hit[data-id='out:0:1:1']", force=True)
    page.locator("#stage").screenshot(path=str(artifacts_dir / "hover_deform_conv2d.png"))
    assert not problems


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("query, paper", [
    ({"op": "partial_conv2d", "input_size": "7", "kernel_size": "3", "padding": "1", "numbers": "true"}, "Liu et al. 2018"),
    ({"op": "conv2d", "input_size": "5", "kernel_size": "3", "padding": "1", "padding_mode": "partial"}, "1811.11718"),
    ({"op": "gated_conv2d", "input_size": "5", "kernel_size": "3", "padding": "1", "numbers": "true"}, "Yu et al. 2019"),
    ({"op": "deform_conv2d", "input_size": "5", "kernel_size": "3"}, "Dai et al. 2017"),
])
def test_panel_names_the_paper_and_works_the_formula(browser, live_server, artifacts_dir, query, paper, width, lang):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    open_page(page, live_server + "/?" + urlencode({**query, "lang": lang}))
    wait_for(page, "document.querySelector('#arith').textContent.length > 0")
    panel = page.text_content("#arith")
    t = trace(live_server, **{k: v for k, v in query.items() if k != "numbers"})
    assert paper in panel and t["arithmetic"]["explained"]["substituted"] in panel
    assert ("论文" in panel and "代入你的数值" in panel) if lang == "zh" else ("Paper" in panel and "With your numbers" in panel)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.keyboard.press("ArrowRight")
    page.screenshot(path=str(artifacts_dir / f"extras_{query['op']}_{query.get('padding_mode', '')}_{width}_{lang}.png"), full_page=True)
    context.close()
