"""The playground redraws from the trace without its steps and fetches them when the picture is
first pointed at; the hover then lights exactly the cells autograd says an output depends on."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import torch
import torch.nn.functional as F

from test_playground import drawn, open_page, redraws, set_pair, steps_arrived

pytestmark = pytest.mark.browser

# 7x7, k3, dilation 2, padding 2: the canvas is the input padded by 2 (11x11)
QUERY = "op=conv2d&input_size=7&kernel_size=3&stride={s}&padding=2&dilation=2"


def jacobian(stride: int) -> torch.Tensor:
    """d output / d padded input with every weight 1: [output cells][canvas cells], nonzero where read."""
    canvas = torch.zeros(1, 1, 11, 11, dtype=torch.float64, requires_grad=True)
    ones = torch.ones(1, 1, 3, 3, dtype=torch.float64)
    return torch.autograd.functional.jacobian(lambda c: F.conv2d(c, ones, stride=stride, dilation=2).flatten(), canvas).reshape(-1, 121)


def lit(page) -> set[str]:
    return set(page.eval_on_selector_all("#stage .hl-target", "els => els.map(e => e.dataset.id)"))


def trace_requests(page) -> list[dict]:
    got = []
    page.on("request", lambda r: "/api/v1/trace" in r.url and got.append(parse_qs(urlparse(r.url).query)))
    return got


def check_hover_against_autograd(page, stride: int) -> None:
    j = jacobian(stride)
    side = 1 + (11 - 5) // stride   # output side: (11 - dilated kernel 5) / stride + 1
    for oy, ox in [(0, 0), (1, 1), (side - 1, side - 1)]:
        page.hover(f".hit[data-id='out:0:{oy}:{ox}']", force=True)
        steps_arrived(page)
        read = {f"in:0:{k // 11}:{k % 11}" for k in torch.nonzero(j[oy * side + ox]).flatten().tolist()}
        assert lit(page) == read and len(read) == 9, (oy, ox)
    for y, x in [(2, 2), (5, 6), (0, 0), (8, 8)]:   # input cells, and a padding corner no output reads
        page.hover(f".hit[data-id='in:0:{y}:{x}']", force=True)
        readers = {f"out:0:{o // side}:{o % side}" for o in torch.nonzero(j[:, y * 11 + x]).flatten().tolist()}
        assert lit(page) == readers, (y, x)


def test_hover_fetches_the_steps_after_the_redraw_and_lights_what_autograd_reads(page, live_server, problems):
    requests = trace_requests(page)
    open_page(page, f"{live_server}/?{QUERY.format(s=2)}")
    page.keyboard.press("ArrowRight")   # pause
    assert requests and all(r.get("detail") == ["summary"] for r in requests)   # the redraw fetched no steps
    asked = len(requests)
    check_hover_against_autograd(page, 2)
    assert [r.get("detail") for r in requests[asked:]] == [None]   # one full trace, fetched on the first hover

    # a redraw's map is its own: the next hover fetches the new steps and lights the new windows
    page.mouse.move(0, 0)
    page.evaluate("document.querySelector('#readout').textContent = ''")
    before = drawn(page)
    set_pair(page, "stride", 1)
    redraws(page, before)
    asked = len(requests)
    assert requests[-1].get("detail") == ["summary"]
    check_hover_against_autograd(page, 1)
    assert [r.get("detail") for r in requests[asked:]] == [None]
    assert not problems


def test_the_status_counts_the_steps_from_the_summary(page, live_server, problems):
    open_page(page, f"{live_server}/?{QUERY.format(s=2)}")
    # 4x4 outputs (torch's shape), one step each
    side = F.conv2d(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3), stride=2, padding=2, dilation=2).shape[-1]
    assert side == 4 and f"· {side * side} " in page.text_content("#status")
    assert not problems
