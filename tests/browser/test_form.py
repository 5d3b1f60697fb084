"""The playground's form is the operations' description (GET /api/v1/ops), in a real Chromium.

The expected menus, fields, labels and defaults below are read from the API's own
answer, not from the page: a new operation in the registry is checked here as it
arrives, with nothing added to the templates, the scripts or these tests.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from app.web.pages import script_json

from test_playground import drawn, open_page, output_ids, redraws, set_pair, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def description(live_server) -> dict:
    return httpx.get(f"{live_server}/api/v1/ops", timeout=30).json()


def form_fields(op: dict) -> list[dict]:
    return op["fields"]   # arrays of values too: the value editor shows the values drawn


def shown_at_defaults(op: dict) -> list[str]:
    """The fields a form for `op` shows before anything is set, as the description says:
    a `when` field only while its source's default is one of the values, and one field
    of each mutually exclusive pair."""
    defaults = {f["name"]: f.get("default") for f in op["fields"]}
    shown = [f["name"] for f in form_fields(op) if all(defaults.get(k) in v for k, v in (f.get("when") or {}).items())]
    for a, b in op["mutually_exclusive"]:
        assert (a in shown) or (b in shown)
        if a in shown and b in shown:
            shown.remove(b if defaults.get(a) is not None or defaults.get(b) is None else a)
    return shown


def visible_params(page) -> list[str]:
    return page.eval_on_selector_all("#spec-fields [data-param]", "els => els.filter(e => !e.hidden).map(e => e.dataset.param)")


def query_of(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query))


def test_every_operation_is_offered_and_draws_with_exactly_its_fields(page, live_server, description, problems):
    open_page(page, live_server + "/")
    ops = description["ops"]
    menu = page.eval_on_selector_all("#op option", "els => els.map(e => [e.value, e.textContent])")
    assert menu == [[op["name"], op["label"]["en"]] for op in ops]
    assert len(ops) >= 4
    for op in ops:
        before = drawn(page)
        page.select_option("#op", op["name"])
        redraws(page, before)
        status = page.text_content("#status")
        assert status.startswith(op["label"]["en"]) and status.endswith(" steps"), status
        assert "bad" not in (page.get_attribute("#status", "class") or "")
        assert page.locator(".error:not(:empty)").count() == 0
        assert query_of(page.url)["op"] == op["name"]
        assert visible_params(page) == shown_at_defaults(op), op["name"]
        # no other operation's field is in the form, even hidden (arrays of values show once given)
        all_params = page.eval_on_selector_all("#spec-fields [data-param]", "els => els.map(e => e.dataset.param)")
        assert all_params == [f["name"] for f in op["fields"]]
        for f in op["fields"]:
            label = page.locator(f"#spec-fields [data-param='{f['name']}'] :is(.label, .check)").first.text_content()
            assert label.strip() == f["label"]["en"]
    assert not problems


def test_render_options_and_formats_come_from_the_description(page, live_server, description, problems):
    open_page(page, live_server + "/")
    shown = page.eval_on_selector_all("#render-fields [data-param]", "els => els.map(e => e.dataset.param)")
    # every option but the optional ones (the frame of a still is the player's, per download)
    # and the labels' language (the page's own: its language toggle)
    assert shown == [f["name"] for f in description["render"] if not f.get("optional") and f["name"] != "lang"]
    for f in description["render"]:
        if f["kind"] == "choice" and f["name"] != "lang":
            values = page.eval_on_selector_all(f"#render-fields [name='{f['name']}'] option", "els => els.map(e => e.value)")
            assert values == [c["value"] for c in f["choices"]]
    links = page.eval_on_selector_all("#downloads a", "els => els.map(e => [e.dataset.format, e.getAttribute('href')])")
    assert [name for name, _ in links] == [f["name"] for f in description["formats"] if f["available"]]
    for name, href in links:
        assert href.startswith(f"/api/v1/animation.{name}?op=conv2d&")
        still = not next(f for f in description["formats"] if f["name"] == name)["animated"]
        assert ("frame=" in href) == still, href
    with httpx.Client(base_url=live_server, timeout=60) as client:
        for name, href in links:
            r = client.get(href)
            assert r.status_code == 200 and r.headers["content-type"].startswith(
                next(f for f in description["formats"] if f["name"] == name)["media_type"]), name
    assert not problems


def test_a_permalink_round_trips(page, live_server, browser, problems):
    query = {"op": "conv2d", "input_size": "6,7", "in_channels": "2", "out_channels": "4", "groups": "2", "kernel_size": "3,2",
             "stride": "2", "padding": "top:1,bottom:2,left:0,right:1", "dilation": "1,2", "padding_mode": "replicate",
             "numbers": "true", "layout": "flat", "palette": "colorblind"}
    url = live_server + "/?" + "&".join(f"{k}={v}" for k, v in query.items())
    open_page(page, url)
    assert query_of(page.url) == query            # the page wrote back what it read: nothing lost, nothing added
    assert page.input_value("#padding-kind") == "sides"
    assert page.input_value("#spec-fields input[data-side='bottom']") == "2"
    assert page.input_value("input[name='kernel_size'][data-axis='1']") == "2"
    assert page.input_value("#spec-fields select[name='padding_mode']") == "replicate"
    other = browser.new_page()
    open_page(other, page.url)
    assert other.url == page.url and output_ids(other) == output_ids(page)
    other.close()
    assert not problems


def test_values_given_in_a_link_are_carried_and_dropped_when_another_control_changes_their_shape(page, live_server, problems):
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/trace" in r.url else None)
    weight = "[[0,1,0],[1,-4,1],[0,1,0]]"
    open_page(page, live_server + f"/?op=conv2d&input_size=5&kernel_size=3&weight={weight}")
    assert query_of(page.url)["weight"] == weight
    assert query_of(asked[-1])["weight"] == weight          # the trace was asked with these weights
    cells = page.eval_on_selector_all("[data-param='weight'] input[data-at]", "els => els.map(e => [e.dataset.at, e.value])")
    assert cells == [[f"0,0,{y},{x}", str(v)] for y, row in enumerate([[0, 1, 0], [1, -4, 1], [0, 1, 0]]) for x, v in enumerate(row)]
    assert page.input_value("[data-param='weight'] [data-ed=kernel]") == "laplacian4"   # the preset is recognised
    # a kernel size the weights no longer fit: they go back to the defaults, and the status says so
    before = drawn(page)
    set_pair(page, "kernel_size", 2)
    redraws(page, before)
    assert "weight" not in query_of(page.url) and "weight" not in query_of(asked[-1])
    assert "Weights" in page.text_content("#status") and page.locator(".error:not(:empty)").count() == 0
    assert page.eval_on_selector_all("[data-param='weight'] input[data-at]", "els => els.length") == 4
    # Back brings them again
    before = drawn(page)
    page.go_back()
    redraws(page, before)
    assert query_of(page.url)["weight"] == weight
    assert not problems


def test_unknown_keys_and_other_operations_fields_are_left_out(page, live_server, problems):
    open_page(page, live_server + "/?op=max_pool2d&input_size=5&kernel_size=2&padding_mode=reflect&colour=red&view=scatter&frame=3")
    assert query_of(page.url) == {"op": "max_pool2d", "input_size": "5", "kernel_size": "2", "stride": "2", "padding": "0"}
    assert not problems


def test_a_field_with_default_from_follows_its_source_until_set(page, live_server, description, problems):
    pool = next(op for op in description["ops"] if any(f.get("default_from") == "kernel_size" for f in op["fields"]))
    follower = next(f["name"] for f in pool["fields"] if f.get("default_from") == "kernel_size")
    open_page(page, live_server + f"/?op={pool['name']}&input_size=8&kernel_size=2")
    assert page.input_value(f"input[name='{follower}'][data-axis='0']") == "2"
    before = drawn(page)
    set_pair(page, "kernel_size", 3)
    redraws(page, before)
    assert page.input_value(f"input[name='{follower}'][data-axis='0']") == "3"   # followed
    before = drawn(page)
    page.select_option("#op", "conv2d")
    redraws(page, before)
    assert query_of(page.url)[follower] == "1"      # a followed value is not carried to conv2d, its default is
    before = drawn(page)
    page.select_option("#op", pool["name"])
    redraws(page, before)
    assert query_of(page.url)[follower] == "3"      # ... and it follows the kernel again
    before = drawn(page)
    set_pair(page, follower, 2)
    redraws(page, before)
    before = drawn(page)
    set_pair(page, "kernel_size", 4)
    redraws(page, before)
    assert page.input_value(f"input[name='{follower}'][data-axis='0']") == "2"   # set: it stays
    before = drawn(page)
    page.select_option("#op", "conv2d")
    redraws(page, before)
    assert query_of(page.url)[follower] == "2"      # what the user set carries over
    assert not problems


def test_switching_operation_drops_what_the_new_one_cannot_take(page, live_server, problems):
    open_page(page, live_server + "/?op=conv2d&input_size=5&kernel_size=3&padding=same")
    assert page.input_value("#padding-kind") == "same"
    before = drawn(page)
    page.select_option("#op", "conv_transpose2d")
    redraws(page, before)
    assert query_of(page.url)["padding"] == "0"
    assert page.locator("#padding-kind option[value='same']").count() == 0
    assert not problems


def test_the_page_in_chinese_labels_everything_from_the_description(page, live_server, description, problems):
    open_page(page, live_server + "/?lang=zh&op=conv2d")
    menu = page.eval_on_selector_all("#op option", "els => els.map(e => e.textContent)")
    assert menu == [op["label"]["zh"] for op in description["ops"]]
    conv = next(op for op in description["ops"] if op["name"] == "conv2d")
    for f in conv["fields"]:
        label = page.locator(f"#spec-fields [data-param='{f['name']}'] :is(.label, .check)").first.text_content()
        assert label.strip() == f["label"]["zh"], f["name"]
    mode = next(f for f in conv["fields"] if f["kind"] == "choice")
    options = page.eval_on_selector_all(f"#spec-fields select[name='{mode['name']}'] option", "els => els.map(e => e.textContent)")
    assert options == [c["label"]["zh"] for c in mode["choices"]]
    legend = [f["label"]["zh"] for f in description["render"] if not f.get("optional") and f["name"] != "lang"]   # the page's language
    shown = page.eval_on_selector_all("#render-fields [data-param] :is(.label, .check)", "els => els.map(e => e.textContent.trim())")
    assert shown == legend
    assert "lang=zh" in page.url and query_of(page.url)["op"] == "conv2d"
    assert not problems


def test_text_that_is_no_number_is_an_error_next_to_the_field_not_a_request(page, live_server, problems):
    open_page(page, live_server + "/?input_size=5&kernel_size=3")
    url = page.url
    box = page.locator("input[name='kernel_size'][data-axis='0']")
    box.fill("")
    page.wait_for_selector("#err-kernel_size:not(:empty)")
    assert page.text_content("#err-kernel_size") == "needs a value"
    assert "NaN" not in page.url and page.url == url
    assert "stale" in page.get_attribute("#stage", "class")
    box.fill("2.5")
    wait_for(page, "document.querySelector('#err-kernel_size').textContent === 'must be a whole number'")
    before = drawn(page)
    box.fill("2")
    redraws(page, before)
    assert page.text_content("#err-kernel_size") == "" and "stale" not in page.get_attribute("#stage", "class")
    assert not problems


def test_a_refused_setting_marks_the_picture_and_panels_stale(page, live_server, problems):
    open_page(page, live_server + "/?input_size=5&kernel_size=3")
    panels = "[...document.querySelectorAll('#stage, .panel')].map(e => e.classList.contains('stale'))"
    assert page.evaluate(panels) == [False, False, False]
    set_pair(page, "kernel_size", 9)
    page.wait_for_selector("#err-kernel_size:not(:empty)")
    assert page.evaluate(panels) == [True, True, True]
    assert page.is_visible(".panel.stale .stale-note")
    before = drawn(page)
    set_pair(page, "kernel_size", 3)
    redraws(page, before)
    assert page.evaluate(panels) == [False, False, False]
    assert not page.is_visible(".stale-note")
    assert not problems


# 64x64 with numbers: the trace is allowed, the picture (62x62 steps, each with its numbers)
# is more than the scene cap the browser is sent; granularity=row brings it under.
TOO_MUCH_TO_DRAW = 64


def test_when_only_the_picture_is_refused_the_arithmetic_and_steps_still_show(page, live_server, problems):
    open_page(page, live_server + "/?input_size=5&kernel_size=3&numbers=true")
    set_pair(page, "input_size", TOO_MUCH_TO_DRAW)
    page.wait_for_selector("#stage-note:not(:empty)", timeout=60000)
    assert "granularity" in page.text_content("#stage-note")
    wait_for(page, "document.querySelector('#status').textContent.endsWith('3844 steps')")
    assert "bad" not in (page.get_attribute("#status", "class") or "")
    assert "= 62" in page.text_content("#arith")        # the arithmetic of the new setting
    assert "Conv2d" in page.text_content("#torch-line")
    # the old picture and its share links are marked, the arithmetic is current
    assert page.evaluate("[...document.querySelectorAll('#stage, .panel')].map(e => e.classList.contains('stale'))") == [True, False, True]
    assert "granularity" in page.text_content("#err-granularity")
    before = drawn(page)
    page.select_option("#render-fields select[name='granularity']", "row")
    wait_for(page, f"window.__drawn > {before}", timeout=60000)
    assert page.text_content("#stage-note") == "" and "stale" not in page.get_attribute("#stage", "class")
    assert not problems


def test_a_first_visit_whose_picture_is_refused_still_shows_the_arithmetic(page, live_server, problems):
    page.goto(live_server + f"/?input_size={TOO_MUCH_TO_DRAW}&kernel_size=3&numbers=true")
    page.wait_for_selector("#stage-note:not(:empty)", timeout=60000)
    assert "granularity" in page.text_content("#stage-note")
    assert page.text_content("#status").endswith("3844 steps")
    assert "= 62" in page.text_content("#arith")
    assert not problems


# An operation this page has never been served, in the description's own terms (the fields
# issue 8 gives upsample): the page must build its form with nothing added to the scripts.
UPSAMPLE = {
    "name": "upsample_unseen", "label": {"en": "Upsampling (unseen)", "zh": "上采样（未见）"}, "family": "resampling",
    "torch": {"module": "torch.nn.Upsample", "functional": "torch.nn.functional.interpolate"}, "weight_layout": None,
    "output_size": {"formula": "o = floor(i * scale_factor)"}, "mutually_exclusive": [["size", "scale_factor"]],
    "fields": [
        {"name": "input_size", "kind": "pair", "label": {"en": "Input size", "zh": "输入尺寸"}, "doc": {"en": "", "zh": ""},
         "default": [5, 5], "low": 1, "high": 64, "always": True},
        {"name": "size", "kind": "pair", "label": {"en": "Output size", "zh": "输出尺寸"}, "doc": {"en": "", "zh": ""},
         "default": None, "low": 1, "high": 64, "optional": True},
        {"name": "scale_factor", "kind": "reals", "label": {"en": "Scale factor", "zh": "缩放倍数"}, "doc": {"en": "", "zh": ""},
         "default": 2, "low": 0.1, "high": 8, "optional": True},
        {"name": "mode", "kind": "choice", "label": {"en": "Mode", "zh": "插值方式"}, "doc": {"en": "", "zh": ""}, "default": "nearest",
         "choices": [{"value": v, "label": {"en": v, "zh": v}} for v in ("nearest", "nearest-exact", "bilinear", "bicubic")]},
        {"name": "align_corners", "kind": "bool", "label": {"en": "Align corners", "zh": "角点对齐"}, "doc": {"en": "", "zh": ""},
         "default": False, "when": {"mode": ["bilinear", "bicubic"]}},
        {"name": "input", "kind": "array", "label": {"en": "Input values", "zh": "输入数值"}, "doc": {"en": "", "zh": ""},
         "default": None, "optional": True},
    ],
}


def test_an_operation_the_page_has_never_seen_gets_its_form(page, live_server, description, problems):
    described = {**description, "ops": description["ops"] + [UPSAMPLE]}
    html = re.sub(r'(<script type="application/json" id="ops">).*?(</script>)',
                  lambda m: m.group(1) + script_json(described) + m.group(2), httpx.get(live_server + "/").text, flags=re.S)
    page.route(lambda url: urlsplit(url).path == "/", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(live_server + "/?op=upsample_unseen&input_size=4&mode=bilinear&kernel_size=3")
    # the server does not know it, so the trace is refused; the form is what is tested here
    page.wait_for_selector("#err-op:not(:empty)")
    assert page.input_value("#op") == "upsample_unseen"
    assert visible_params(page) == ["input_size", "scale_factor", "mode", "align_corners", "input"]
    assert query_of(page.url) == {"op": "upsample_unseen", "input_size": "4", "mode": "bilinear"}
    assert page.eval_on_selector_all("[data-pick] option", "els => els.map(e => e.textContent)") == ["Output size", "Scale factor"]

    page.select_option("#spec-fields select[name='mode']", "nearest")
    wait_for(page, "document.querySelector(\"[data-param='align_corners']\").hidden")
    page.locator("input[name='scale_factor'][data-axis='0']").fill("1.5")
    page.wait_for_url(re.compile(r"scale_factor=1\.5"))
    assert query_of(page.url) == {"op": "upsample_unseen", "input_size": "4", "scale_factor": "1.5"}

    page.select_option("[data-pick] select", "size")
    assert visible_params(page) == ["input_size", "size", "mode", "input"]
    set_pair(page, "size", 9)
    page.wait_for_url(re.compile(r"size=9"))
    assert query_of(page.url) == {"op": "upsample_unseen", "input_size": "4", "size": "9"}
    assert not [p for p in problems if "pageerror" in p]
