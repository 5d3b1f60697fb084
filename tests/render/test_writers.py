"""The writer registry in-process: availability and each writer's own caps."""

from __future__ import annotations

import pytest

from app.engine import SpecError
from app.render import writers
from app.render.writers import Writer


def test_a_writer_whose_library_is_missing_is_refused_by_name(monkeypatch):
    fake = Writer("fake", "Fake", "image/x-fake", animated=False, raster=True, write=lambda scene, frame: b"", needs=("no_such_module_here",))
    monkeypatch.setitem(writers.WRITERS, "fake", fake)
    assert not fake.available and fake.describe()["available"] is False
    with pytest.raises(SpecError) as e:
        writers.writer("fake")
    assert e.value.param == "format" and e.value.code == "unavailable" and "no_such_module_here" in e.value.message


def test_webp_has_its_own_pixel_cap():
    webp = writers.writer("webp")
    big = {"width": 1000, "height": 1000, "frames": [{}] * 61}   # 61 M pixels
    with pytest.raises(SpecError) as e:
        webp.check(big)
    assert e.value.code == "webp_too_large"
    writers.writer("gif").check(big)   # the GIF has no such cap
