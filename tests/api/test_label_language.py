"""lang=zh draws the labels in Chinese; a server without a CJK font says it drew English."""

from __future__ import annotations

import io

import httpx
import numpy as np
from PIL import Image

QUERY = "/api/v1/animation.png?input_size=5&padding=1"


def test_chinese_labels_over_http(live_server):
    en = httpx.get(live_server + QUERY)
    en2 = httpx.get(live_server + QUERY + "&lang=en")
    zh = httpx.get(live_server + QUERY + "&lang=zh")
    assert en.status_code == zh.status_code == 200
    assert en.headers["etag"] == en2.headers["etag"] != zh.headers["etag"]
    assert zh.headers["content-language"] == "zh-Hans" and en.headers["content-language"] == "en"
    assert "x-label-language" not in zh.headers
    a = np.asarray(Image.open(io.BytesIO(en.content)).convert("RGB"))
    b = np.asarray(Image.open(io.BytesIO(zh.content)).convert("RGB"))
    assert a.shape == b.shape and (a != b).any()
    scene = httpx.get(live_server + "/api/v1/scene?input_size=5&padding=1&lang=zh").json()
    assert "输出 5×5" in [i["text"] for i in scene["base"] if "text" in i]
    bad = httpx.get(live_server + QUERY + "&lang=fr")
    assert bad.status_code == 422 and "lang" in bad.text


def test_without_a_cjk_font_the_labels_are_english_and_the_header_says_so(tmp_path, monkeypatch, serve):
    monkeypatch.setenv("CONVPLAY_CJK_FONT", "")
    with serve(tmp_path / "uvicorn.log") as base:
        zh, en = httpx.get(base + QUERY + "&lang=zh"), httpx.get(base + QUERY)
        assert zh.status_code == 200 and zh.content == en.content
        assert zh.headers["content-language"] == "en"
        assert "no CJK font" in zh.headers["x-label-language"]
