"""The Chinese words are the ones Chinese course notes use (the glossary's first forms)."""

from __future__ import annotations

import httpx

from app.presets import BY_SLUG
from app.engine import SpecError
from app.web.i18n import UI


def zh(key: str) -> str:
    return UI[key]["zh"]


def test_depthwise_is_not_depthwise_separable():
    title = BY_SLUG["depthwise"].title.zh
    assert title.startswith("深度卷积") and "逐通道卷积" in title and "可分离" not in title
    assert zh("depthwise") == "深度卷积"


def test_slanted_view_is_not_squint():
    assert zh("layout_slanted") == "倾斜视图" and zh("layout_flat") == "平面视图"


def test_one_number_of_padding_and_the_numbers_checkbox_differ():
    assert zh("pad_number") != zh("numbers")


def test_stride_is_the_glossarys_first_form_everywhere():
    everything = [pair["zh"] for pair in UI.values()] + [p.title.zh for p in BY_SLUG.values()]
    assert zh("stride") == "步长" and not any("步幅" in s for s in everything)


def test_dilated_kernel_error_says_dilated_in_chinese():
    from app.engine import trace

    def refusal(spec):
        try:
            trace(spec)
        except SpecError as err:
            return err.text("zh")
        raise AssertionError("the spec was accepted")

    assert "膨胀后的卷积核" in refusal({"input_size": 4, "kernel_size": 3, "dilation": 2})
    assert "膨胀" not in refusal({"input_size": 2, "kernel_size": 3})


def test_padding_modes_are_translated_on_the_page(live_server):
    page = httpx.get(live_server + "/?lang=zh").text
    for value, word in [("zeros", "零填充"), ("reflect", "反射"), ("replicate", "复制"), ("circular", "循环")]:
        assert f'<option value="{value}">{word}</option>' in page
