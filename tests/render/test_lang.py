"""Figure labels in Simplified Chinese, drawn with a real CJK font."""

from __future__ import annotations

import numpy as np
from PIL import ImageFont

from app.engine import trace
from app.render import build_options, build_scene, render
from app.render.text import text_mask

SPEC = {"input_size": 5, "padding": 1}


def texts(scene: dict) -> list[str]:
    return [i["text"] for i in scene["base"] if "text" in i]


def test_labels_follow_the_language():
    assert {"input 5×5, padded to 7×7", "output 5×5"} <= set(texts(build_scene(trace(SPEC), build_options({}))))
    zh = texts(build_scene(trace(SPEC), build_options({"lang": "zh"})))
    assert {"输入 5×5，填充至 7×7", "输出 5×5"} <= set(zh)
    t = texts(build_scene(trace({"op": "conv_transpose2d", "input_size": 3, "stride": 2, "padding": 1, "in_channels": 2, "out_channels": 2}), build_options({"lang": "zh"})))
    assert "输入 3×3，插零并填充至 7×7 × 2 通道" in t


def test_chinese_labels_are_real_glyphs_not_empty_boxes():
    """The built-in font has no CJK glyphs (each would be the same empty box)."""
    a, _ = text_mask("输", 13.0, "mm")
    b, _ = text_mask("入", 13.0, "mm")
    assert a.sum() > 10 and b.sum() > 10
    assert a.shape != b.shape or not np.array_equal(a, b)
    box_a = np.asarray(ImageFont.load_default(size=13).getmask("输"))
    box_b = np.asarray(ImageFont.load_default(size=13).getmask("入"))
    assert np.array_equal(box_a, box_b)    # the built-in font's: one box for both


def test_every_format_carries_the_chinese_labels():
    svg = render(SPEC, "svg", lang="zh").decode()
    assert "输入 5×5，填充至 7×7" in svg and "WenQuanYi Micro Hei" in svg
    assert render(SPEC, "png", lang="zh") != render(SPEC, "png")
