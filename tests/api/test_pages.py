"""The pages over a real server: content, languages, framing headers, oEmbed."""

from __future__ import annotations

import html as htmllib
import io
import json
import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from PIL import Image

from app.presets import PRESETS
from app.web.api import ops_description
from app.web.pages import script_json


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=30) as c:
        yield c


def test_playground_page(client, live_server):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    for needle in ['id="stage"', 'id="controls"', 'name="op"', 'id="torch-line"', 'id="share-iframe"', "application/json+oembed",
                   "No padding, no strides", "Padding, strides, transposed (odd)", "Dilation"]:
        assert needle in html, needle
    assert "cdn" not in html.lower()  # everything is served from here
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "script-src 'self'" in csp


def test_language_from_header_and_query(client):
    zh = client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert 'lang="zh-CN"' in zh and "运算" in zh and "卷积" in zh
    assert 'lang="en"' in client.get("/?lang=en", headers={"accept-language": "zh-CN"}).text
    assert "运算" in client.get("/?lang=zh").text


def test_embed_can_be_framed_anywhere(client):
    r = client.get("/embed", params={"input_size": "5", "padding": "1"})
    assert r.status_code == 200
    assert "x-frame-options" not in r.headers
    assert "frame-ancestors" not in r.headers.get("content-security-policy", "")
    assert "set-cookie" not in r.headers
    assert 'media="(prefers-reduced-motion: reduce)"' in r.text
    assert "/api/v1/animation.png?input_size=5&amp;padding=1" in r.text
    assert client.get("/static/js/embed.js").headers["access-control-allow-origin"] == "*"


def test_gallery_lists_every_preset_lazily(client):
    html = client.get("/gallery").text
    assert html.count('loading="lazy"') == len(PRESETS)
    for p in PRESETS:
        assert htmllib.escape(p.title.en, quote=False) in html


def test_oembed_rich_response(client, live_server):
    url = f"{live_server}/?input_size=5&kernel_size=3&stride=2&padding=1"
    r = client.get("/oembed", params={"url": url, "format": "json"})
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == "1.0" and body["type"] == "rich" and body["provider_name"] == "convplay"
    assert "<iframe" in body["html"] and "/embed?input_size=5&amp;kernel_size=3&amp;stride=2&amp;padding=1" in body["html"]
    assert body["width"] == 395 and body["height"] > 300
    small = client.get("/oembed", params={"url": url, "maxwidth": "200"}).json()
    assert small["width"] == 200 and small["height"] < body["height"]


def test_oembed_refusals(client, live_server):
    assert client.get("/oembed", params={"url": "https://example.org/?input_size=5"}).status_code == 404
    assert client.get("/oembed", params={"url": f"{live_server}/?input_size=5", "format": "xml"}).status_code == 501
    r = client.get(f"/oembed?url={quote(live_server + '/?kernel_size=99')}")
    assert r.status_code == 422 and r.json()["detail"][0]["param"] == "kernel_size"


ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`|{{.*?}}|{%.*?%}', re.S)
COMMENT = re.compile(r"/\*[\s\S]*?\*/|^\s*//[^\n]*", re.M)
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# Words the page may use for what they are elsewhere: field kinds (the form is built per kind, and
# one kind is called "padding"), the "input" event and <input> elements, and the player's frame,
# which a still download carries (playground.js says so where it does).
# field kinds, DOM words, and page strings that happen to share a field's name
# ("output_size" is the arithmetic panel's row title, not adaptive pooling's field;
# "lang" is the page's language, which the pictures' labels follow)
SHARED_WORDS = {"int", "pair", "real", "reals", "bool", "choice", "array", "padding", "input", "frame", "output_size", "lang"}
INTERPOLATION = re.compile(r"\$\{[^}]*\}")   # ${name} inside a template literal is code, not text


def test_no_script_or_template_names_an_operation_or_a_field():
    """The page knows operations and fields only through the embedded description."""
    described = ops_description()
    op_names = {op["name"] for op in described["ops"]}
    field_names = {f["name"] for op in described["ops"] for f in op["fields"]} | {f["name"] for f in described["render"]}
    files = sorted((ROOT / "static" / "js").glob("*.js")) + sorted((ROOT / "templates").glob("*.html"))
    # the /image page filters pictures with conv2d by definition (its four fields are conv2d's); every other page is general
    files = [f for f in files if f.stem != "image"]
    assert len(files) > 8
    found = {}
    for path in files:
        text = COMMENT.sub("", path.read_text()) if path.suffix == ".js" else path.read_text()
        words = set(WORD.findall(text))
        quoted = set(WORD.findall(INTERPOLATION.sub(" ", " ".join(LITERAL.findall(text)))))
        hits = (words & op_names) | {w for w in words if "pool2d" in w or w.startswith("conv_")} | (quoted & field_names - SHARED_WORDS)
        if hits:
            found[path.name] = sorted(hits)
    assert found == {}


def test_description_json_cannot_end_its_script_element():
    data = {"label": "</script><script>alert(1)</script> <!-- & ", "zh": "卷积"}
    text = script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text and "卷积" in text
    assert json.loads(text) == data


def test_the_page_embeds_the_description_the_api_serves(client):
    html = client.get("/").text
    embedded = re.search(r'<script type="application/json" id="ops">(.*?)</script>', html, re.S).group(1)
    assert json.loads(embedded) == client.get("/api/v1/ops").json()


def test_the_icon_is_a_png_the_pages_link(client):
    """A PNG, not an SVG: Chromium decodes the icon again at every history change (each playground redraw)."""
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    icon = Image.open(io.BytesIO(r.content)).convert("RGBA")
    assert icon.size == (32, 32)
    assert icon.getpixel((16, 24))[:3] == (0x26, 0x8B, 0xD2) and icon.getpixel((16, 6))[:3] == (0x2A, 0xA1, 0x98) and icon.getpixel((0, 0))[3] == 0
    for path in ("/", "/gallery", "/embed?input_size=5"):
        assert '<link rel="icon" type="image/png" href="/favicon.ico">' in client.get(path).text


def test_gallery_thumbnails_are_drawn_in_the_pages_language(client):
    thumbs = {lang: re.findall(r'<img [^>]*src="([^"]+)"', client.get(f"/gallery?lang={lang}").text) for lang in ("en", "zh")}
    assert len(thumbs["en"]) == len(thumbs["zh"]) == len(PRESETS)
    assert not any("lang=" in url for url in thumbs["en"])
    for en, zh in zip(thumbs["en"], thumbs["zh"]):
        assert htmllib.unescape(zh) == htmllib.unescape(en) + "&lang=zh"
    # the first thumbnail, decoded: the Chinese one is another picture of the same size, said to be Chinese
    en, zh = (client.get(htmllib.unescape(thumbs[lang][0])) for lang in ("en", "zh"))
    assert en.status_code == zh.status_code == 200 and zh.headers["content-language"] == "zh-Hans"
    a, b = (Image.open(io.BytesIO(r.content)) for r in (en, zh))
    assert a.size == b.size and a.n_frames == b.n_frames
    assert a.convert("RGB").tobytes() != b.convert("RGB").tobytes()
    # and its labels are the Chinese words ("输入" input, "输出" output) where the English has "input", "output"
    scene = client.get(htmllib.unescape(thumbs["zh"][0]).replace("/animation.gif?", "/scene?")).json()
    words = " ".join(i["text"] for i in scene["base"] if isinstance(i.get("text"), str))
    assert "输入" in words and "输出" in words and "input" not in words and "output" not in words
