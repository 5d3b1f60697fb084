"""The Chinese words are the ones Chinese course notes use (the glossary's first forms)."""

from __future__ import annotations

from app.engine import SpecError, operations
from app.presets import BY_SLUG
from app.render.options import OPTION_FIELDS
from app.web.i18n import UI

OPTION = {f.name: f for f in OPTION_FIELDS}


def choice_zh(field) -> dict:
    return {c.value: c.label.zh for c in field.choices}


def test_depthwise_is_not_depthwise_separable():
    title = BY_SLUG["depthwise"].title.zh
    assert title.startswith("深度卷积") and "逐通道卷积" in title and "可分离" not in title


def test_slanted_view_is_not_squint():
    assert choice_zh(OPTION["layout"]) == {"slanted": "倾斜视图", "flat": "平面视图"}


def test_one_number_of_padding_and_the_numbers_checkbox_differ():
    assert UI["pad_number"]["zh"] != OPTION["numbers"].label.zh


def test_stride_is_the_glossarys_first_form_everywhere():
    fields = [f for op in operations() for f in op.fields]
    assert {f.label.zh for f in fields if f.name == "stride"} == {"步长"}
    everything = [pair["zh"] for pair in UI.values()] + [p.title.zh for p in BY_SLUG.values()]
    everything += [t.zh for f in fields for t in (f.label, f.doc)]
    assert not any("步幅" in s for s in everything)


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


def test_padding_modes_are_translated():
    conv = next(op for op in operations() if op.name == "conv2d")
    mode = next(f for f in conv.fields if f.name == "padding_mode")
    assert choice_zh(mode) == {"zeros": "零填充", "reflect": "反射", "replicate": "复制", "circular": "循环",
                               "partial": "部分卷积填充"}   # partial convolution (部分卷积, the glossary's term) as padding
