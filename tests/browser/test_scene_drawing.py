"""The page's drawer (static/js/scene-svg.js in Chromium) against the rasteriser:
one scene, one frame, drawn by both, in the one font both use."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
from PIL import Image, ImageFilter, ImageFont

from tests.browser.test_playground import wait_for

pytestmark = pytest.mark.browser

QUERY = {"input_size": 5, "kernel_size": 3, "padding": 1, "numbers": "true", "frame": 7}
# a network in numbers mode, in its scatter layer's stamps: timed values, the crop, a cut connector
NETWORK = {"input_size": 5, "layers": "conv2d:out_channels=2:k3:p1;conv_transpose2d:k3:s2:p1:output_padding=1:scatter",
           "numbers": "true", "granularity": "step", "scale": 1, "frame": 71}
PICTURES = {"layer": ("/api/v1/scene", "/api/v1/animation.png", QUERY),
            "network": ("/api/v1/network/scene", "/api/v1/network/animation.png", NETWORK)}

DRAW = """async ([scene, frame]) => {
  const { SceneView } = await import("/static/js/scene-svg.js");
  const box = document.createElement("div");
  box.id = "compare";
  box.style.cssText = "position:absolute;left:0;top:0;z-index:99;background:#fff;line-height:0";
  document.body.append(box);
  const view = new SceneView(box);
  view.setScene(scene);
  view.showFrame(frame);
  box.querySelector("g.hits").remove();   // hover targets, transparent only under the page's .stage rules
  await document.fonts.ready;
  return [...box.querySelectorAll("text")].map((t) => [t.textContent, t.getComputedTextLength(), +t.getAttribute("font-size")]);
}"""


def _drawn(page, base: str, picture: str = "layer"):
    scene_path, png_path, query = PICTURES[picture]
    page.goto(base + "/embed?input_size=3")
    scene = httpx.get(base + scene_path, params=query, timeout=60).json()
    texts = page.evaluate(DRAW, [scene, query["frame"]])
    wait_for(page, "document.fonts.check('12px convplay-figures')")
    shot = np.asarray(Image.open(io.BytesIO(page.locator("#compare svg").screenshot())).convert("RGB"), float)
    png = httpx.get(base + png_path, params=query, timeout=60)
    raster = np.asarray(Image.open(io.BytesIO(png.content)).convert("RGB"), float)
    return scene, texts, shot, raster


def test_the_page_measures_text_in_the_rasterisers_font(page, live_server, problems):
    """The running sum was cut ("= 1" for "= 17") and labels moved 8-10 px: the page
    measured text in a system face. Every text the page draws (without "×", which the
    raster draws by hand) is as long as Pillow lays it out in the raster's font."""
    _, texts, _, _ = _drawn(page, live_server)
    checked = 0
    for label, length, size in texts:
        if "×" in label:
            continue
        want = ImageFont.load_default(size).getlength(label)
        assert abs(length - want) <= max(1.0, 0.02 * want), (label, length, want)
        checked += 1
    assert checked >= 20
    assert not problems


@pytest.mark.parametrize("picture", list(PICTURES))
def test_the_page_draws_a_frame_as_the_rasteriser_does(page, live_server, problems, artifacts_dir, picture):
    """Same size, and close pixel for pixel once both are blurred over 5x5 px
    (antialiasing and glyph hinting differ between Chromium and the NumPy
    rasteriser; a text or line out of place does not blur away). Measured: in a
    system face, on its own baselines, 0.64 % of the pixels differ by more than a
    quarter of the range and the mean difference is 2.39; in the raster's font on
    its baselines 0.27 % and 1.73. A network scene (its own baselines, timed values) likewise."""
    scene, _, shot, raster = _drawn(page, live_server, picture)
    Image.fromarray(np.concatenate([shot, raster], axis=1).astype(np.uint8)).save(artifacts_dir / f"scene_page_vs_raster_{picture}.png")
    assert shot.shape == raster.shape == (scene["height"], scene["width"], 3)
    blur = lambda a: np.asarray(Image.fromarray(a.astype(np.uint8)).filter(ImageFilter.BoxBlur(2)), float)  # noqa: E731
    diff = np.abs(blur(shot) - blur(raster))
    clear = (diff.max(axis=2) > 64).mean()
    assert clear < 0.004 and diff.mean() < 2.0, (clear, diff.mean())
    assert not problems
