"""The network builder in a real Chromium: a preset built from a blank page, hover through every
map with the highlighted cells checked against torch.autograd, the GIF downloaded and decoded,
the embed loaded; screenshots (desktop and 375 px, en and zh) left in tests/artifacts."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import torch
from PIL import Image
from torch import nn

from app.engine.networks_presets import PRESETS

from test_playground import wait_for

COUNT_DRAWS = "window.__drawn = 0; document.addEventListener('convplay:drawn', () => { window.__drawn += 1; });"
DILATIONS = (1, 2, 4)


def dilated_stack() -> nn.Sequential:
    """The dilated-stack preset in torch, every weight 1, no bias."""
    mods = [nn.Conv2d(1, 1, 3, dilation=d, bias=False).double() for d in DILATIONS]
    for m in mods:
        nn.init.ones_(m.weight)
    return nn.Sequential(*mods)


def depends(first: int, last: int, cell: tuple) -> set[str]:
    """Ids of the cells of map `first` that `cell` of map `last` reads (autograd, 16x16 input)."""
    stack = dilated_stack()
    x = torch.ones(1, 1, 16, 16, dtype=torch.float64)
    with torch.no_grad():
        x = stack[:first](x)
    x.requires_grad_(True)
    stack[first:last](x)[(0, 0, *cell)].backward()
    return {f"m{first}:0:{y}:{x_}" for _, y, x_ in torch.nonzero(x.grad[0] > 0).tolist()}


def highlighted(page, role: str) -> set[str]:
    return set(page.eval_on_selector_all(f"#stage polygon.{role}", "els => els.map(e => e.dataset.id)"))


def hit(page, cell: str):
    """A cell's hit area once the whole scene has placed them (a still leaves the last ones, stale)."""
    return page.locator(f"#stage g.hits:not([data-stale]) .hit[data-id='{cell}']")


def set_two(page, box: str, value: int):
    first = page.locator(f"{box} input[data-axis='0']")
    first.fill(str(value))
    first.dispatch_event("change")


def blank_page(page):
    """From the landing preset to the blank page, through the preset menu."""
    wait_for(page, "document.querySelectorAll('#layers > li').length > 0")
    page.select_option("#preset", "")
    wait_for(page, "document.querySelectorAll('#layers > li').length === 0")


def test_the_page_opens_on_a_preset_and_blank_is_one_choice_away(page, live_server, problems):
    """No network in the URL: the dilated stack (3x3 convs, dilations 1, 2, 4, on 16x16), drawn, its numbers
    out, the menu naming it; its field is the 15x15 the recurrence gives by hand (1 + 2*1 + 2*2 + 2*4)."""
    page.add_init_script(COUNT_DRAWS)
    page.goto(live_server + "/network")
    wait_for(page, "window.__drawn >= 1")
    assert page.input_value("#preset") == "dilated_stack:0"
    assert page.locator("#layers > li").count() == 3
    assert "1×16×16 → 1×2×2" in page.text_content("#status")
    assert [page.locator("#rf tbody tr").nth(i).locator("td").nth(2).text_content() for i in range(3)] == ["3 × 3", "7 × 7", "15 × 15"]
    assert "layers=" in page.input_value("#share-gif")
    blank_page(page)
    assert page.input_value("#preset") == ""


def redrawn(page, before: int):
    wait_for(page, f"window.__drawn > {before} && !document.querySelector('#status').textContent.includes('…')", timeout=20000)


def test_build_the_dilated_stack_from_blank_hover_download_embed(page, live_server, problems, artifacts_dir):
    page.add_init_script(COUNT_DRAWS)
    page.goto(live_server + "/network")
    blank_page(page)
    set_two(page, "#net-fields [data-param='input_size']", 16)
    for i in range(3):
        before = page.evaluate("window.__drawn")
        page.click("#add-layer")
        redrawn(page, before)
    for i, d in enumerate(DILATIONS):
        if d != 1:
            before = page.evaluate("window.__drawn")
            set_two(page, f"li[data-layer='{i}'] [data-param='dilation']", d)
            redrawn(page, before)
    status = page.text_content("#status")
    assert "1×16×16 → 1×2×2" in status, status
    # the preset's numbers side by side: the receptive fields 15 and 7
    assert page.is_visible("#compare-panel")
    assert "15 × 15" in page.text_content("#compare") and "7 × 7" in page.text_content("#compare")
    assert "r = 7 + 4*(3-1)*1 = 15" in page.text_content("#rf")

    # hover through the maps: below, above and the theoretical outline against autograd
    hit(page, "m3:0:1:1").hover(force=True)
    wait_for(page, "document.querySelectorAll('#stage polygon.hl-below').length > 0")
    expected = depends(0, 3, (1, 1)) | depends(1, 3, (1, 1)) | depends(2, 3, (1, 1))
    assert highlighted(page, "hl-below") == expected
    assert page.locator("#stage polygon.hl-theory").count() == 1
    assert page.locator("figure[data-erf='paths'] rect").count() == 256
    hit(page, "m1:0:7:7").hover(force=True)
    wait_for(page, "document.querySelector('#stage polygon.hl-self')?.dataset.id === 'm1:0:7:7'")
    assert highlighted(page, "hl-below") == depends(0, 1, (7, 7))
    above = {f"m{k}:0:{y}:{x}" for k, n in ((2, 10), (3, 2)) for y in range(n) for x in range(n) if "m1:0:7:7" in depends(1, k, (y, x))}
    assert highlighted(page, "hl-above") == above and above
    page.screenshot(path=str(artifacts_dir / "network_dilated_en_desktop.png"), full_page=True)

    # left to the server, the frames are a row per frame (every step would be 301 frames): the form says so,
    # and the GIF the download link names is within the caps
    assert page.eval_on_selector("#render-fields [data-param='granularity'] select", "e => e.value") == "row"
    href = page.get_attribute("#dl-gif", "href")
    gif = Image.open(io.BytesIO(httpx.get(live_server + href, timeout=120).content))
    assert gif.n_frames == 14 + 10 + 2 + 1

    # the embed snippet's page draws the same scene
    src = page.input_value("#share-iframe").split('src="')[1].split('"')[0]
    embed = page.context.new_page()
    problems.watch(embed)
    embed.goto(src)
    wait_for(embed, "document.querySelectorAll('#stage .hit').length > 0")
    assert embed.locator("#stage .hit[data-id='m3:0:1:1']").count() == 1
    assert not problems


def test_checkerboard_shading_and_the_phone_in_chinese(browser, live_server, artifacts_dir):
    context = browser.new_context(viewport={"width": 375, "height": 800}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(COUNT_DRAWS)
    page.goto(live_server + "/network?lang=zh")
    page.select_option("#preset", "checkerboard:0")
    wait_for(page, "window.__drawn >= 1")
    page.check("#overlap")
    # the transposed conv k3 s2 p1 op1 on 4x4: inner cells are reached by 1, 2 or 4 input cells
    # (every cell's polygon comes with the whole scene, just after the first paint)
    wait_for(page, "document.querySelectorAll('#stage g.shade text').length === 64")
    counts = page.eval_on_selector_all("#stage g.shade text", "els => els.map(e => Number(e.textContent))")
    assert len(counts) == 64 and set(counts) == {1, 2, 4}
    hit(page, "m1:0:3:3").dispatch_event("pointerdown", {"pointerType": "touch"})
    wait_for(page, "document.querySelectorAll('#stage polygon.hl-below').length > 0")
    assert highlighted(page, "hl-below") == {"m0:0:1:1", "m0:0:1:2", "m0:0:2:1", "m0:0:2:2"}
    assert "有效感受野" in page.text_content("body")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    page.screenshot(path=str(artifacts_dir / "network_checkerboard_zh_375.png"), full_page=True)
    # on a phone each layer's numbers are a card: every number named, none cut off
    card = page.locator("#rf tbody tr").first
    assert card.bounding_box()["width"] <= 375
    named = card.locator("td").nth(1).evaluate("td => getComputedStyle(td, '::before').content + td.textContent")
    assert named == '"输出形状: "1 × 8 × 8', named
    desk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk.add_init_script(COUNT_DRAWS)
    desk.goto(live_server + "/network?lang=zh")
    desk.select_option("#preset", "checkerboard:0")
    wait_for(desk, "window.__drawn >= 1")
    desk.screenshot(path=str(artifacts_dir / "network_checkerboard_zh_desktop.png"), full_page=True)
    # the transposed layer's field comes from its taps: said in Chinese, with the numbers worked by hand
    # (each output cell of k3 s2 p1 on 4x4 is reached by at most a 2x2 block of inputs; output (0,0) by input (0,0))
    rf = desk.text_content("#rf")
    assert "r = 单元精确感受野的最大值 = 2" in rf and "起点 = 输出 (0,0) 精确感受野的中心 = 0" in rf, rf
    assert "largest exact field" not in rf
    desk.close()
    assert not errors
    context.close()


def torch_stack(layers: list[dict]) -> nn.Sequential:
    """The network's layers (as the API resolved their fields) in torch, every weight 1, no bias:
    which cells a cell reads is then where its gradient is not zero (all values stay positive)."""
    mods = []
    for spec in layers:
        op, cin = spec["op"], spec["in_channels"]
        if op == "conv2d":
            m = nn.Conv2d(cin, spec["out_channels"], spec["kernel_size"], spec["stride"], spec["padding"], spec["dilation"], spec["groups"], bias=False)
        elif op == "conv_transpose2d":
            m = nn.ConvTranspose2d(cin, spec["out_channels"], spec["kernel_size"], spec["stride"], spec["padding"], spec["output_padding"],
                                   spec["groups"], bias=False, dilation=spec["dilation"])
        elif op == "upsample":
            m = nn.Upsample(scale_factor=tuple(spec["scale_factor"]), mode=spec["mode"])
        else:
            raise AssertionError(f"no torch stand-in for {op} in this test")
        if hasattr(m, "weight"):
            nn.init.ones_(m.weight)
        mods.append(m.double())
    return nn.Sequential(*mods)


def torch_below(stack: nn.Sequential, shape: list[int], last: int, cell: tuple) -> set[str]:
    """Ids of every cell of every map under map `last` that `cell` of it reads (autograd)."""
    out = set()
    for first in range(last):
        x = torch.ones(1, *shape, dtype=torch.float64)
        with torch.no_grad():
            x = stack[:first](x)
        x.requires_grad_(True)
        stack[first:last](x)[(0, *cell)].backward()
        out |= {f"m{first}:{c}:{y}:{x_}" for _, c, y, x_ in torch.nonzero(x.grad > 0).tolist()}
    return out


@pytest.mark.parametrize("slug", [p.slug for p in PRESETS])
def test_each_preset_from_a_blank_page_hover_every_layer_download_the_gif(page, live_server, problems, artifacts_dir, slug):
    page.add_init_script(COUNT_DRAWS)
    page.goto(live_server + "/network")
    blank_page(page)
    page.select_option("#preset", f"{slug}:0")
    redrawn(page, 0)
    spec = next(p for p in PRESETS if p.slug == slug).sides[0][1]
    network = httpx.get(live_server + "/api/v1/network", params={k: json.dumps(v) for k, v in spec.items()}, timeout=60).json()
    layers = [layer["spec"] for layer in network["layers"]]
    assert page.locator("#layers > li").count() == len(layers)
    stack = torch_stack(layers)
    # one cell per layer, the centre of channel 0 of its output: what it reads, in every map below
    for k, layer in enumerate(network["layers"], start=1):
        _, h, w = layer["output_shape"]
        cell = (0, h // 2, w // 2)
        target = f"m{k}:0:{h // 2}:{w // 2}"
        hit(page, target).hover(force=True)
        wait_for(page, f"document.querySelector('#stage polygon.hl-self')?.dataset.id === '{target}'")
        expected = torch_below(stack, network["input_shape"], k, cell)
        assert expected and highlighted(page, "hl-below") == expected, (k, cell)
    page.screenshot(path=str(artifacts_dir / f"network_{slug}_en_desktop.png"), full_page=True)
    # the GIF at the page's defaults: decoded, one frame per frame on the page
    href = page.get_attribute("#dl-gif", "href")
    r = httpx.get(live_server + href, timeout=120)
    assert r.status_code == 200, r.text[:300]
    gif = Image.open(io.BytesIO(r.content))
    assert gif.format == "GIF" and gif.n_frames == int(page.get_attribute("#scrub", "max")) + 1
    assert not problems


THREE = [{"op": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1}, {"op": "max_pool2d", "kernel_size": 2},
         {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "dilation": 2}]
COUNT_BOTH = COUNT_DRAWS + ("window.__animated = 0; document.addEventListener('convplay:animated', () => { window.__animated += 1; });"
                            "document.addEventListener('convplay:drawn', () => { window.__stale = document.querySelector('#stage g.hits').hasAttribute('data-stale'); });")


def test_a_redraw_paints_the_numbers_and_the_frame_on_screen_then_the_frames_follow(page, live_server, problems):
    """The page asks for a still of the frame on screen (with the numbers), then the whole scene: the numbers
    are the full answer's (params as torch counts them), the frame stays, every cell can be hovered."""
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/network" in r.url else None)
    page.add_init_script(COUNT_BOTH)
    page.emulate_media(reduced_motion="reduce")   # no autoplay: the frame on screen is the one stepped to
    page.goto(live_server + "/network?input_size=16&layers=" + json.dumps(THREE))
    wait_for(page, "window.__drawn >= 1 && window.__animated >= 1")
    page.click("#next")
    page.click("#next")
    assert page.input_value("#scrub") == "2"
    asked.clear()
    before = page.evaluate("window.__animated")
    page.locator("li[data-layer='2'] [data-param='out_channels'] input").fill("3")   # an input event
    wait_for(page, f"window.__animated > {before}")
    apis = [u.split("?")[0].split(live_server)[1] + ("?still" if "still=" in u else "?summary" if "detail=summary" in u else "") for u in asked]
    assert set(apis) == {"/api/v1/network/scene", "/api/v1/network/scene?still"}, asked   # never every trace; the still brings the numbers
    assert any("still=2" in u for u in asked)
    # first painted with the few cells the still draws (the last network's hit areas stale, not hoverable),
    # then every cell of every map (16x16 padded, 2x16x16, 2x8x8, 3x4x4) can be hovered
    assert page.evaluate("window.__stale") is True
    assert page.locator("#stage g.hits:not([data-stale]) .hit").count() == 18 * 18 + 2 * 16 * 16 + 2 * 8 * 8 + 3 * 4 * 4
    assert page.input_value("#scrub") == "2" and page.locator("#stage g.frame > *").count() > 0

    layers = [*THREE[:2], {**THREE[2], "out_channels": 3}]
    full = httpx.get(live_server + "/api/v1/network", params={"input_size": "16", "layers": json.dumps(layers)}, timeout=60).json()
    sequential = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, bias=False), nn.MaxPool2d(2), nn.Conv2d(2, 3, 3, dilation=2, bias=False))
    assert full["params"] == sum(p.numel() for p in sequential.parameters())
    totals = page.text_content("#totals")
    assert f"{full['params']:,}" in totals and f"{full['macs']:,}" in totals, totals
    assert page.text_content("#torch-line") == "nn.Sequential(" + ", ".join(layer["arithmetic"]["torch"] for layer in full["layers"]) + ")"
    rows = page.locator("#rf tbody tr")
    assert rows.count() == 3
    for i, (layer, rf) in enumerate(zip(full["layers"], full["receptive_field"])):
        cells = rows.nth(i).locator("td")
        assert cells.nth(1).text_content() == " × ".join(map(str, layer["output_shape"]))
        assert cells.nth(2).text_content() == " × ".join(map(str, rf["size"]))
    assert "1×16×16 → 3×4×4" in page.text_content("#status")

    # hover: the last map's cell (1, 1) of channel 2 reads what autograd says it reads
    hit(page, "m3:2:1:1").hover(force=True)
    wait_for(page, "document.querySelector('#stage polygon.hl-self')?.dataset.id === 'm3:2:1:1'")
    stack = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, bias=False), nn.AvgPool2d(2), nn.Conv2d(2, 3, 3, dilation=2, bias=False)).double()
    for m in (stack[0], stack[2]):
        nn.init.ones_(m.weight)
    # (every weight 1 on ones: an average pool reads the same cells as the max pool's window)
    expected = set()
    for first in range(3):
        x = torch.ones(1, 1, 16, 16, dtype=torch.float64)
        with torch.no_grad():
            x = stack[:first](x)
        x.requires_grad_(True)
        stack[first:](x)[0, 2, 1, 1].backward()
        expected |= {f"m{first}:{c}:{y}:{x_}" for _, c, y, x_ in torch.nonzero(x.grad > 0).tolist()}
    assert highlighted(page, "hl-below") == expected


def test_a_spinner_step_is_asked_ahead_and_paints_from_that_answer(page, live_server, problems):
    """A focused number box's next values up and down are asked ahead, once the whole scene is in (marked
    Purpose: prefetch, one at a time); an arrow key's step to one paints from that answer, asking nothing
    again, with the numbers of torch's layers. A paused player stepped meanwhile asks for its own frame."""
    asked, guessed = [], []
    page.on("request", lambda r: asked.append((r.url, r.headers.get("purpose"))) if "/api/v1/network/scene" in r.url else None)
    page.on("requestfinished", lambda r: guessed.append(r.url) if r.headers.get("purpose") == "prefetch" else None)
    page.add_init_script(COUNT_BOTH)
    page.emulate_media(reduced_motion="reduce")   # no autoplay: the frame on screen is the one stepped to
    page.goto(live_server + "/network?input_size=16&layers=" + json.dumps(THREE))
    wait_for(page, "window.__animated >= 1")
    box = page.locator("li[data-layer='2'] [data-param='out_channels'] input")

    def guesses(n: int):
        for _ in range(300):
            if len(guessed) >= n:
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"asked ahead: {guessed}")

    def step_up(channels: int):
        before = page.evaluate("[window.__drawn, window.__animated]")
        asked.clear()
        box.press("ArrowUp")
        wait_for(page, f"window.__drawn > {before[0]} && window.__animated > {before[1]}")
        assert box.input_value() == str(channels)
        sequential = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.MaxPool2d(2), nn.Conv2d(2, channels, 3, dilation=2))
        shape = "×".join(map(str, sequential(torch.zeros(1, 1, 16, 16)).shape[1:]))
        assert page.text_content("#status").startswith(f"1×16×16 → {shape} ·"), page.text_content("#status")
        return [url.split("out_channels")[-1] for url, purpose in asked if "still=" in url and purpose is None]

    box.focus()
    guesses(2)
    assert {u.split("still=")[1].split("&")[0] for u in guessed} == {"0"}
    assert sorted(json.loads(parse_qs(urlsplit(u).query)["layers"][0])[2]["out_channels"] for u in guessed) == [1, 3]
    assert step_up(3) == []   # the still asked ahead painted it: not asked again; then the whole scene
    assert [u for u, _ in asked if "still=" not in u], asked

    guesses(4)   # up and down again, from 3
    page.click("#next")        # the player paused at frame 1 since: the guess (frame 0) is not that frame
    box.focus()
    stills = step_up(4)
    assert len(stills) == 1 and "still=1" in stills[0] and page.input_value("#scrub") == "1", stills


def test_a_step_to_a_network_the_engine_refuses_is_refused_from_its_guess(page, live_server, problems):
    """Dilation 3 in layers[1] of the dilated stack: layers[2]'s kernel dilated by 4 spans 4*(3-1)+1 = 9 cells,
    more than the 16-2-3*2 = 8 it receives. The guess asked ahead was refused; the step says so under the
    field the message names, without asking again."""
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "still=" in r.url and r.headers.get("purpose") is None else None)
    page.add_init_script(COUNT_BOTH)
    page.goto(live_server + "/network?input_size=16&layers=conv2d;conv2d:d2;conv2d:d4")
    wait_for(page, "window.__animated >= 1")
    box = page.locator("li[data-layer='1'] [data-param='dilation'] input[data-axis='0']")
    with page.expect_response(lambda r: r.request.headers.get("purpose") == "prefetch" and r.status == 422):
        box.focus()
    asked.clear()
    box.press("ArrowUp")
    error = page.locator("li[data-layer='2'] [data-param='kernel_size'] .error")
    wait_for(page, "document.querySelector(\"li[data-layer='2'] [data-param='kernel_size'] .error\").textContent !== ''")
    assert "(9x9)" in error.text_content() and "(8x8)" in error.text_content(), error.text_content()
    assert asked == [] and box.input_value() == "3"


def test_numbers_mode_is_offered_and_drawn(page, live_server, problems):
    """The render options include numbers: ticked, the scene is asked for with numbers=true and the stage
    writes the input's values in its cells (the checkerboard preset: 4x4 input, its 16 values)."""
    page.add_init_script(COUNT_DRAWS)
    page.goto(live_server + "/network")
    page.select_option("#preset", "checkerboard:0")
    wait_for(page, "window.__drawn >= 1")
    assert page.locator("#stage g.base text").count() <= 4   # the labels alone
    before = page.evaluate("window.__drawn")
    with page.expect_request(lambda r: "/api/v1/network/scene" in r.url and "numbers=true" in r.url):
        page.check("#render-fields [data-param='numbers'] input[type=checkbox]")
    redrawn(page, before)
    digits = page.eval_on_selector_all("#stage g.base text", "els => els.map(e => e.textContent).filter(t => /^-?\\d/.test(t))")
    assert len(digits) >= 16, digits
    assert not problems


def test_a_layer_shows_the_channels_it_keeps_and_can_be_set_to_one(page, live_server, problems):
    """out_channels left out keeps the channels coming in (nn.Conv2d(4, 4, 3) here): the box says 4, not the
    field's 1; and 1 typed there is sent, though it is the field's own default (4 -> 1 channels, as torch's shape)."""
    page.add_init_script(COUNT_DRAWS)
    page.goto(live_server + "/network?input_size=9&in_channels=4&layers=conv2d;max_pool2d:k2;conv2d")
    wait_for(page, "window.__drawn >= 1")
    boxes = [page.locator(f"li[data-layer='{i}'] [data-param='out_channels'] input") for i in (0, 2)]
    assert [b.input_value() for b in boxes] == ["4", "4"]
    before = page.evaluate("window.__drawn")
    boxes[0].fill("1")
    boxes[0].dispatch_event("change")
    redrawn(page, before)
    shape = tuple(nn.Sequential(nn.Conv2d(4, 1, 3), nn.MaxPool2d(2), nn.Conv2d(1, 1, 3))(torch.zeros(1, 4, 9, 9)).shape[1:])
    assert "4×9×9 → " + "×".join(map(str, shape)) in page.text_content("#status")
    assert boxes[1].input_value() == "1"   # the last layer keeps the one channel it now receives


def test_redraws_keep_one_shading_layer(page, live_server, problems):
    """The picture's SVG is kept from one scene to the next: each paint must not add another shading group."""
    page.add_init_script(COUNT_BOTH)
    page.goto(live_server + "/network?input_size=6&layers=conv2d")
    wait_for(page, "window.__animated >= 1")
    for size in (7, 8):
        before = page.evaluate("window.__animated")
        set_two(page, "#net-fields [data-param='input_size']", size)
        wait_for(page, f"window.__animated > {before}")
    assert page.locator("#stage g.shade").count() == 1


def test_the_address_and_the_form_follow_a_change_once_it_is_drawn(page, live_server, problems):
    """The requests go out before the form is written back and the address is updated after the paint:
    both still end on the network drawn (its permalink a torch-checked network of that dilation)."""
    page.add_init_script(COUNT_DRAWS)
    page.goto(live_server + "/network?input_size=9&layers=conv2d;conv2d")
    wait_for(page, "window.__drawn >= 1")
    before = page.evaluate("window.__drawn")
    set_two(page, "li[data-layer='1'] [data-param='dilation']", 3)
    redrawn(page, before)
    wait_for(page, "new URLSearchParams(location.search).get('layers')?.includes('d3')"
                   " || decodeURIComponent(location.search).includes('\"dilation\":3')")
    assert page.input_value("li[data-layer='1'] [data-param='dilation'] input[data-axis='1']") == "3"   # height = width
    assert "1×9×9 → 1×1×1" in page.text_content("#status")   # torch: 9 -k3-> 7 -k3 d3-> 1
    x = torch.ones(1, 1, 9, 9)
    assert nn.Sequential(nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3, dilation=3))(x).shape == (1, 1, 1, 1)
    query = page.evaluate("location.search")
    again = httpx.get(live_server + "/api/v1/network" + query + "&detail=summary")
    assert again.status_code == 200 and again.json()["output_shape"] == [1, 1, 1]
