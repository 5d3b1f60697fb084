"""The value editor, shading and the keyboard in a real Chromium against a real server.

The truth is torch (the output for the typed weights) and the diverging scale worked by hand
(tests/render/test_shading.py); the GIF is decoded, not trusted.
"""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qsl, urlsplit

import httpx
import numpy as np
import pytest
import torch
from PIL import Image

from app.presets import PRESETS

from test_playground import drawn, open_page, redraws, set_pair, steps_arrived, wait_for

pytestmark = pytest.mark.browser

SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
ZERO, POSITIVE, NEGATIVE = (247, 247, 247), (178, 24, 43), (33, 102, 172)


def by_hand(v: float, bound: float) -> np.ndarray:
    end = POSITIVE if v >= 0 else NEGATIVE
    return np.array([z + (e - z) * abs(v) / bound for z, e in zip(ZERO, end)])


def query_of(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query))


def weight_cells(page) -> list[list[float]]:
    pairs = page.eval_on_selector_all("[data-param='weight'] input[data-at]", "els => els.map(e => [e.dataset.at, e.value])")
    grid = [[None] * 3 for _ in range(3)]
    for at, value in pairs:
        _, _, y, x = map(int, at.split(","))
        grid[y][x] = float(value)
    return grid


def test_a_typed_sobel_kernel_is_the_same_in_the_permalink_embed_and_gif(page, live_server, problems):
    open_page(page, live_server + "/?op=conv2d&input_size=6&kernel_size=3&padding=1&shading=true")
    # type the kernel cell by cell, as a lecturer would
    for y, row in enumerate(SOBEL_X):
        for x, v in enumerate(row):
            cell = page.locator(f"[data-param='weight'] input[data-at='0,0,{y},{x}']")
            cell.fill(str(v))
            cell.press("Tab")
    wait_for(page, "new URLSearchParams(location.search).get('weight') === '[[[[-1,0,1],[-2,0,2],[-1,0,1]]]]'")
    wait_for(page, "document.querySelector('[data-param=weight] [data-ed=kernel]').value === 'sobel_x'")   # the preset is named
    # the permalink, reloaded, holds the same weights
    page.reload()
    wait_for(page, "window.__drawn >= 1")
    assert weight_cells(page) == SOBEL_X
    share_gif = page.input_value("#share-gif")
    iframe = page.input_value("#share-iframe")
    assert query_of(share_gif)["weight"] == "[[[[-1,0,1],[-2,0,2],[-1,0,1]]]]"
    # the embed asks its scene with them and opens the playground with them
    embed_url = iframe.split('src="')[1].split('"')[0]
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/scene" in r.url else None)
    page.goto(embed_url)
    page.wait_for_selector("#stage svg")
    assert query_of(asked[-1])["weight"] == "[[[[-1,0,1],[-2,0,2],[-1,0,1]]]]"
    opened = page.get_attribute("a.open", "href")
    assert query_of(opened)["weight"] == "[[[[-1,0,1],[-2,0,2],[-1,0,1]]]]"
    # the GIF: decoded, its output cells are torch's conv2d of the input with these weights, on the diverging scale
    spec = {k: v for k, v in query_of(share_gif).items() if k not in ("shading", "lang")}
    t = httpx.get(live_server + "/api/v1/trace", params=spec, timeout=60).json()
    x = torch.tensor(t["input"], dtype=torch.float64)[None]
    out = torch.nn.functional.conv2d(x, torch.tensor([[SOBEL_X]], dtype=torch.float64), padding=1)[0, 0].numpy()
    assert out.min() < 0 < out.max()
    gif = httpx.get(share_gif, timeout=60)
    assert gif.status_code == 200 and gif.headers["content-type"] == "image/gif"
    scene = httpx.get(share_gif.replace("/api/v1/animation.gif", "/api/v1/scene"), timeout=60).json()
    im = Image.open(io.BytesIO(gif.content))
    im.seek(0)
    rgb = np.asarray(im.convert("RGB")).astype(float)
    bound = np.abs(out).max()
    for (r, q), v in np.ndenumerate(out):
        if (r, q) == (0, 0):
            continue   # frame 0's own cell carries the kernel's tint
        poly = scene["polys"][f"out:0:{r}:{q}"]
        cx, cy = (round(sum(p[i] for p in poly) / len(poly)) for i in (0, 1))
        got = np.median(rgb[cy - 2:cy + 3, cx - 2:cx + 3].reshape(-1, 3), axis=0)
        assert np.abs(got - by_hand(v, bound)).max() <= 3, ((r, q), v, got)
    assert not problems


def test_editor_actions_and_a_bad_cell_marks_the_picture_stale(page, live_server, problems):
    open_page(page, live_server + "/?op=conv2d&input_size=5&kernel_size=3")
    # bias on: the torch line and the parameter count follow
    assert "bias=False" in page.text_content("#torch-line")
    before = drawn(page)
    page.check("[data-param='bias'] [data-ed=on]")
    redraws(page, before)
    assert query_of(page.url)["bias"] == "[0]" and "bias" not in page.text_content("#torch-line")
    assert "10" in page.text_content("#arith")   # 9 weights + 1 bias
    # a pasted NumPy literal of another size brings its size
    page.click("[data-param='input'] .vpaste summary")
    page.fill("[data-param='input'] [data-ed=paste]", "np.array([[1., 2, 3, 4], [5, 6, 7, 8.], [9, 10, 11, 12], [13, 14, 15, 16]], dtype=np.float32)")
    before = drawn(page)
    page.click("[data-param='input'] [data-ed=apply]")
    redraws(page, before)
    q = query_of(page.url)
    assert q["input"] == "[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]" and "input_size" not in q
    assert page.input_value("input[name='input_size'][data-axis='0']") == "4"
    # the same seed, the same values; another seed, others
    before = drawn(page)
    page.click("[data-param='weight'] [data-ed=random]")
    redraws(page, before)
    first = query_of(page.url)["weight"]
    before = drawn(page)
    page.click("[data-param='weight'] [data-ed=reset]")
    redraws(page, before)
    assert "weight" not in query_of(page.url)
    before = drawn(page)
    page.click("[data-param='weight'] [data-ed=random]")
    redraws(page, before)
    assert query_of(page.url)["weight"] == first
    # a cell that holds no number: said next to the field, the picture and panels marked out of date
    cell = page.locator("[data-param='weight'] input[data-at='0,0,1,1']")
    cell.fill("abc")
    cell.press("Tab")
    page.wait_for_selector("#err-weight:not(:empty)")
    assert "must be a number" in page.text_content("#err-weight")
    assert page.evaluate("[...document.querySelectorAll('#stage, .panel')].map(e => e.classList.contains('stale'))") == [True, True, True]
    assert query_of(page.url)["weight"] == first   # nothing was sent
    before = drawn(page)
    cell.fill("1/4")
    cell.press("Tab")
    redraws(page, before)
    assert "0.25" in query_of(page.url)["weight"] and page.text_content("#err-weight") == ""
    assert page.evaluate("[...document.querySelectorAll('#stage, .panel')].map(e => e.classList.contains('stale'))") == [False, False, False]
    assert not problems


def test_the_keyboard_moves_a_cursor_and_the_readout_says_the_sum(page, live_server, problems):
    open_page(page, live_server + "/?op=conv2d&input_size=4&kernel_size=3&bias=[1.5]")
    t = httpx.get(live_server + "/api/v1/trace", params={"op": "conv2d", "input_size": 4, "kernel_size": 3, "bias": "[1.5]"}, timeout=30).json()
    x = torch.tensor(t["input"], dtype=torch.float64)[None]
    w = torch.tensor(t["weight"], dtype=torch.float64)
    out = torch.nn.functional.conv2d(x, w, torch.tensor([1.5], dtype=torch.float64))[0, 0]
    assert page.get_attribute("#readout", "aria-live") == "polite"
    if page.get_attribute("#play", "aria-pressed") == "true":
        page.click("#play")                                     # paused, so the counter only moves if the arrows step
    page.focus("#stage")
    steps_arrived(page)
    counter = page.text_content("#counter")
    page.keyboard.press("ArrowRight")
    text = page.text_content("#readout")
    assert page.text_content("#counter") == counter            # the arrows move the cursor, not the player
    assert text.startswith("output [0, 0, 1]:") and text.endswith("reads 9 cells")
    # the sum written out: input × weight for the window of output (0, 1), then the bias, = torch's value
    terms = [f"{int(x[0, 0, r, 1 + c])}×{int(w[0, 0, r, c])}" for r in range(3) for c in range(3)]
    assert f"{' + '.join(terms)} + 1.5 (bias) = {float(out[0, 1]):g}" in text
    assert page.eval_on_selector_all("#stage .hl-cursor", "els => els.map(e => e.dataset.id)") == ["out:0:0:1"]
    page.keyboard.press("ArrowDown")
    assert page.text_content("#readout").startswith("output [0, 1, 1]:")
    page.keyboard.press("Enter")                                # to the first cell it reads
    assert page.text_content("#readout") == f"input [0, 1, 1] = {int(x[0, 0, 1, 1])} · read by 4 outputs"
    page.keyboard.press("ArrowLeft")
    assert page.text_content("#readout") == f"input [0, 1, 0] = {int(x[0, 0, 1, 0])} · read by 2 outputs"
    assert not problems


def test_the_preset_menu_names_a_preset_reached_by_url_and_back_undoes_a_typed_number(page, live_server, problems):
    preset = PRESETS[3]
    open_page(page, live_server + "/?" + httpx.QueryParams(dict(parse_qsl(page_query(preset)))).__str__())
    assert page.input_value("#preset") == preset.slug
    start = page.url
    box = page.locator("input[name='stride'][data-axis='0']")
    before = drawn(page)
    box.fill("3")
    box.dispatch_event("change")
    redraws(page, before)
    assert page.input_value("#preset") == "" and page.url != start
    before = drawn(page)
    page.go_back()
    redraws(page, before)
    assert page.url == start and page.input_value("#preset") == preset.slug
    assert page.input_value("input[name='stride'][data-axis='0']") != "3"
    assert not problems


def page_query(preset) -> str:
    from app.web.pages import preset_query

    return preset_query(preset)


@pytest.mark.parametrize("query, said", [
    # 6 rows, kernel 3, stride 2: windows on rows 0-2 and 2-4; input row 5 is never read
    ("input_size=6&kernel_size=3&stride=2", "rows: input 5 / columns: input 5"),
    # padded by 1 to 8: windows on rows 0-2, 2-4, 4-6; row 7 of the drawn grid is the bottom padding
    ("input_size=6&kernel_size=3&stride=2&padding=1", "rows: padding × 1 / columns: padding × 1"),
    ("input_size=6&kernel_size=3&stride=2&padding=top:1,bottom:1,left:0,right:0", "rows: padding × 1 / columns: input 5"),
])
def test_rows_never_read_are_given_in_input_coordinates(page, live_server, problems, query, said):
    open_page(page, f"{live_server}/?op=conv2d&{query}")
    row = page.eval_on_selector_all("#arith dt", "els => els.map(e => [e.textContent, e.nextElementSibling.textContent])")
    assert dict(row)["Rows / columns never read"] == said
    assert not problems


def editor(page, name: str) -> np.ndarray:
    """A value editor's boxes as an array of its grid's shape, each box put by its own index (not by its place)."""
    shape = [int(n) for n in page.get_attribute(f"[data-param='{name}'] [data-ed=grid]", "data-shape").split(",")]
    pairs = page.eval_on_selector_all(f"[data-param='{name}'] input[data-at]", "els => els.map(e => [e.dataset.at, e.value])")
    out = np.full(shape, np.nan)
    for at, value in pairs:
        out[tuple(map(int, at.split(",")))] = float(value)
    assert len(pairs) == out.size and not np.isnan(out).any()
    return out


def drawn_from_the_editors(page, base: str, **spec) -> None:
    """The editors show what the API's trace for `spec` used, and torch's conv2d of what they show is its output."""
    t = httpx.get(base + "/api/v1/trace", params={"op": "conv2d", **spec}, timeout=30).json()
    x, w = editor(page, "input"), editor(page, "weight")
    assert x.tolist() == np.asarray(t["input"], dtype=float).reshape(x.shape).tolist()
    assert w.tolist() == np.asarray(t["weight"], dtype=float).tolist()
    out = torch.nn.functional.conv2d(torch.tensor(x, dtype=torch.float64).reshape(1, 1, *x.shape[-2:]), torch.tensor(w), **{
        k: int(v) for k, v in spec.items() if k in ("stride", "padding")})
    assert out[0].tolist() == np.asarray(t["output"], dtype=float).tolist()


def test_a_rejected_edit_put_back_to_the_defaults_shows_the_defaults(page, live_server, problems):
    open_page(page, live_server + "/?op=conv2d&input_size=5&kernel_size=3")
    drawn_from_the_editors(page, live_server, input_size=5, kernel_size=3)
    default = editor(page, "weight")
    # random weights, then a box typed into with no number: refused in the page, nothing sent
    before = drawn(page)
    page.click("[data-param='weight'] [data-ed=random]")
    redraws(page, before)
    assert not np.array_equal(editor(page, "weight"), default)
    cell = page.locator("[data-param='weight'] input[data-at='0,0,1,1']")
    cell.fill("abc")
    cell.press("Tab")
    page.wait_for_selector("#err-weight:not(:empty)")
    # reset: every box shows the default again, the one that held "abc" too
    before = drawn(page)
    page.click("[data-param='weight'] [data-ed=reset]")
    redraws(page, before)
    assert "weight" not in query_of(page.url) and page.text_content("#err-weight") == ""
    assert "default" in page.text_content("[data-param='weight'] [data-ed=state]")
    drawn_from_the_editors(page, live_server, input_size=5, kernel_size=3)
    # weights of the user's that a new kernel size refuses (bad_shape) are dropped: the 5x5 defaults show
    before = drawn(page)
    page.click("[data-param='weight'] [data-ed=random]")
    redraws(page, before)
    wait_for(page, "new URLSearchParams(location.search).has('weight')")
    before = drawn(page)
    set_pair(page, "kernel_size", 5)
    redraws(page, before)
    wait_for(page, "document.querySelector('[data-param=weight] [data-ed=grid]').dataset.shape === '1,1,5,5'")
    assert "weight" not in query_of(page.url)
    drawn_from_the_editors(page, live_server, input_size=5, kernel_size=5)
    before = drawn(page)
    set_pair(page, "kernel_size", 3)
    redraws(page, before)
    wait_for(page, "document.querySelector('[data-param=weight] [data-ed=grid]').dataset.shape === '1,1,3,3'")
    drawn_from_the_editors(page, live_server, input_size=5, kernel_size=3)
    assert not problems


COUNT_WRITES = """() => {
  // every box of the editors counts the values written to it, per editor, and is tagged to see whether it is kept
  window.__writes = {};
  const value = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
  for (const el of document.querySelectorAll('[data-ed=grid] input')) {
    const name = el.closest('[data-param]').dataset.param;
    window.__writes[name] = 0;
    Object.defineProperty(el, 'value', {
      get() { return value.get.call(this); },
      set(v) { window.__writes[name]++; value.set.call(this, v); },
    });
    el.dataset.kept = 'yes';
  }
}"""


def test_a_redraw_writes_only_the_boxes_whose_value_changed(page, live_server, problems):
    open_page(page, live_server + "/?op=conv2d&input_size=16&kernel_size=3")
    page.click("[data-param='input'] [data-ed=box] summary")   # 256 boxes start folded
    wait_for(page, "document.querySelectorAll('[data-param=input] input[data-at]').length === 256")
    page.evaluate(COUNT_WRITES)
    # another stride: the same input and weights, nothing written
    before = drawn(page)
    set_pair(page, "stride", 2)
    redraws(page, before)
    assert page.evaluate("window.__writes") == {"input": 0, "weight": 0}
    drawn_from_the_editors(page, live_server, input_size=16, kernel_size=3, stride=2)
    # a 5x5 kernel: the input untouched; the 3x3 boxes kept (written only where the default differs), 16 new ones
    before = drawn(page)
    set_pair(page, "kernel_size", 5)
    redraws(page, before)
    writes = page.evaluate("window.__writes")
    kept = page.eval_on_selector_all("[data-param='weight'] input[data-at]", "els => els.filter(e => e.dataset.kept).map(e => e.dataset.at)")
    assert writes["input"] == 0 and writes["weight"] <= 9
    assert sorted(kept) == sorted(f"0,0,{y},{x}" for y in range(3) for x in range(3))
    drawn_from_the_editors(page, live_server, input_size=16, kernel_size=5, stride=2)
    # and back: the 3x3 boxes are the same nodes still
    before = drawn(page)
    set_pair(page, "kernel_size", 3)
    redraws(page, before)
    assert page.eval_on_selector_all("[data-param='weight'] input[data-at]", "els => els.every(e => e.dataset.kept)")
    drawn_from_the_editors(page, live_server, input_size=16, kernel_size=3, stride=2)
    assert not problems


def test_a_folded_editor_writes_nothing_and_shows_the_drawn_values_when_unfolded(page, live_server, problems):
    open_page(page, live_server + "/?op=conv2d&input_size=16&kernel_size=3")
    # 256 values start folded, with no boxes at all; 9 weights open
    assert page.evaluate("[...document.querySelectorAll('[data-ed=box]')].map(e => [e.closest('[data-param]').dataset.param, e.open])")[:2] == [
        ["input", False], ["weight", True]]
    assert page.eval_on_selector_all("[data-param='input'] input[data-at]", "els => els.length") == 0
    assert "16×16" in page.text_content("[data-param='input'] [data-ed=state]")
    assert page.is_hidden("[data-param='bias'] [data-ed=box]")   # bias off: no values to fold
    page.click("[data-param='input'] [data-ed=box] summary")
    drawn_from_the_editors(page, live_server, input_size=16, kernel_size=3)
    # folded by hand, it stays folded while another input size is drawn; unfolded, it shows that input
    page.click("[data-param='input'] [data-ed=box] summary")
    before = drawn(page)
    set_pair(page, "input_size", 6)
    redraws(page, before)
    assert not page.evaluate("document.querySelector('[data-param=input] [data-ed=box]').open")
    assert page.get_attribute("[data-param='input'] [data-ed=grid]", "data-shape") == "1,6,6"
    assert page.eval_on_selector_all("[data-param='input'] input[data-at]", "els => els.length") == 256   # not written
    page.click("[data-param='input'] [data-ed=box] summary")
    wait_for(page, "document.querySelectorAll('[data-param=input] input[data-at]').length === 36")
    drawn_from_the_editors(page, live_server, input_size=6, kernel_size=3)
    # random values for a folded editor: of the drawn value's shape (5x5), not of the boxes left from before (6x6)
    page.click("[data-param='input'] [data-ed=box] summary")
    before = drawn(page)
    set_pair(page, "input_size", 5)
    redraws(page, before)
    before = drawn(page)
    page.click("[data-param='input'] [data-ed=random]")
    redraws(page, before)
    typed = query_of(page.url)["input"]
    assert np.asarray(json.loads(typed)).size == 25
    page.click("[data-param='input'] [data-ed=box] summary")
    wait_for(page, "document.querySelectorAll('[data-param=input] input[data-at]').length === 25")
    assert editor(page, "input").ravel().tolist() == np.asarray(json.loads(typed), dtype=float).ravel().tolist()
    drawn_from_the_editors(page, live_server, input=typed, kernel_size=3)
    assert not problems
