"""The view switch in a real Chromium: forward / matrix / im2col / backward, the picture
redrawn from the view's scene, the permalink keeping the view, and the matrix GIF downloaded
and decoded."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from test_playground import COUNT_DRAWS, drawn, open_page, redraws, wait_for

pytestmark = pytest.mark.browser

QUERY = "op=conv2d&input_size=4&kernel_size=3&padding=1&numbers=true"


def pick(page, name: str) -> None:
    before = drawn(page)
    page.click(f"#views input[value='{name}'] + span")
    redraws(page, before)


def test_switching_views_and_downloading_the_matrix_gif(browser, live_server, artifacts_dir):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    open_page(page, f"{live_server}/?{QUERY}")
    labels = page.eval_on_selector_all("#views input", "els => els.map(e => e.value)")
    assert labels == ["forward", "matrix", "im2col", "backward"]

    pick(page, "matrix")
    assert "picture=matrix" in page.url
    # 16 output cells, one frame each; the scene's matrix is 16x16 (4x4 input, padding 1)
    assert page.inner_text("#counter").endswith("16")
    page.screenshot(path=str(artifacts_dir / "view_matrix_desktop.png"), full_page=True)
    href = page.get_attribute("#dl-gif", "href")
    assert href.startswith("/api/v1/views/matrix/animation.gif?")
    with page.expect_download() as info:
        page.click("#dl-gif")
    gif = Image.open(io.BytesIO(open(info.value.path(), "rb").read()))
    assert gif.format == "GIF" and gif.n_frames == 16

    # the share box embeds the same view, and the embed draws it
    iframe = page.input_value("#share-iframe")
    assert "picture=matrix" in iframe
    embed = browser.new_page(viewport={"width": 900, "height": 700})
    embed.goto(iframe.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&"))
    wait_for(embed, "document.querySelector('#stage svg') !== null")
    assert "C 16×16" in embed.inner_text("#stage") and embed.inner_text("#counter").endswith("/ 16")
    embed.close()

    pick(page, "backward")
    assert "picture=backward" in page.url
    text = page.inner_text("#stage")
    assert "full_conv(dL/dY, rot180(W))" in text
    page.screenshot(path=str(artifacts_dir / "view_backward_desktop.png"), full_page=True)

    pick(page, "im2col")
    page.screenshot(path=str(artifacts_dir / "view_im2col_desktop.png"), full_page=True)

    # Back returns to the backward view, the address and the radio button agreeing
    before = drawn(page)
    page.go_back()
    redraws(page, before)
    assert "picture=backward" in page.url
    assert page.is_checked("#views input[value='backward']")
    assert problems == []


def test_the_backward_view_in_chinese_on_a_phone(browser, live_server, artifacts_dir):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    open_page(page, f"{live_server}/?{QUERY}&picture=backward&lang=zh")
    wait_for(page, "document.querySelector('#stage svg') !== null")
    assert "反向传播" in page.inner_text("#stage")
    assert page.is_checked("#views input[value='backward']")
    # the wide picture keeps a readable size and the stage scrolls sideways, within the phone's width
    svg = page.evaluate("document.querySelector('#stage svg').getBoundingClientRect().width")
    stage = page.evaluate("[document.querySelector('#stage').clientWidth, document.querySelector('#stage').scrollWidth]")
    assert svg >= 600 and stage[0] <= 375 < stage[1]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts_dir / "view_backward_zh_375.png"), full_page=True)
    pick(page, "matrix")
    page.screenshot(path=str(artifacts_dir / "view_matrix_zh_375.png"), full_page=True)


def test_a_view_the_operation_has_not_is_said_and_the_arithmetic_stays(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(COUNT_DRAWS)
    page.goto(f"{live_server}/?op=max_pool2d&input_size=4&kernel_size=2&picture=im2col")
    page.wait_for_selector("#stage-note:not(:empty)", timeout=30000)
    assert "im2col" in page.text_content("#stage-note")
    assert page.text_content("#arith")   # the trace still shows
    before = drawn(page)
    page.click("#views input[value='backward'] + span")   # max pooling has a backward pass
    redraws(page, before)
    assert page.text_content("#stage-note") == ""
    assert "argmax" in page.inner_text("#stage")
