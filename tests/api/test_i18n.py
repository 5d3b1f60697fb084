"""Every refusal the engine or renderer can give has a Chinese form."""

from __future__ import annotations

import re
from pathlib import Path

from app.engine import SpecError, operations
from app.engine.messages import MESSAGES
from app.web.i18n import UI

APP = Path(__file__).resolve().parents[2] / "app"


def test_every_error_code_is_in_the_catalogue_in_both_languages():
    operations()  # the operations' own messages join the catalogue as they register
    codes = set()
    for path in APP.rglob("*.py"):
        codes |= set(re.findall(r'SpecError\(\s*[^,()]+,\s*"([a-z_]+)"', path.read_text()))
    codes |= {"reflect_too_large", "circular_too_large"}  # built as f"{mode}_too_large"
    assert len(codes) > 20
    assert sorted(codes - set(MESSAGES)) == []
    assert all(text.en and text.zh for text in MESSAGES.values())


def test_translation_fills_in_the_numbers_and_the_words():
    from app.engine import build_spec

    try:
        build_spec({"input_size": 4, "dilation": 2})
    except SpecError as e:
        assert e.text("zh") == "kernel_size：膨胀后的卷积核（5x5）比填充后的输入（4x4）还大"
        assert e.text("en") == "kernel_size: the dilated kernel (5x5) is larger than the padded input (4x4)"
    else:
        raise AssertionError("a 5x5 dilated kernel over a 4x4 input must be refused")


def test_every_page_string_has_both_languages():
    assert all(pair["en"] and pair["zh"] for pair in UI.values())
