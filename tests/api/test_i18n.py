"""Every refusal the engine or renderer can give has a Chinese form."""

from __future__ import annotations

import re
from pathlib import Path

from app.web.i18n import UI, ZH_ERRORS, error_message

APP = Path(__file__).resolve().parents[2] / "app"


def test_every_error_code_is_translated():
    codes = set()
    for path in APP.rglob("*.py"):
        codes |= set(re.findall(r'SpecError\(\s*[^,()]+,\s*"([a-z_]+)"', path.read_text()))
    codes |= {"reflect_too_large", "circular_too_large"}  # built as f"{mode}_too_large"
    assert len(codes) > 20
    assert sorted(codes - set(ZH_ERRORS)) == []


def test_translation_fills_in_the_numbers():
    text = error_message("zh", "kernel_size", "kernel_too_large", "english", {"kernel": "5x5", "padded": "4x4"})
    assert text == "kernel_size：卷积核（5x5）比填充后的输入（4x4）还大"
    assert error_message("en", "kernel_size", "kernel_too_large", "kernel_size: english", {}) == "kernel_size: english"


def test_every_page_string_has_both_languages():
    assert all(pair["en"] and pair["zh"] for pair in UI.values())
