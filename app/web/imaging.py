"""Pictures in: the sample photographs and uploaded PNG/JPEG files, decoded safely.

Nothing is written to disk: an upload is read into memory under a byte cap. Its
header is read before any pixel, and a picture of more than MAX_PIXELS is refused
there (Pillow's own decompression-bomb guard is turned from a warning into a
refusal as well). Only then are the pixels decoded (a truncated or damaged file is
refused), turned upright by their EXIF orientation, converted (Pillow's "L" luma,
ITU-R 601-2, for gray; "RGB" for colour; 16-bit gray scaled to 8 bits) and, when
the longer side is over WORK_SIDE, resized down to it with Pillow's LANCZOS filter.
The numbers convolved are those 8-bit values, 0..255, as float64.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from app.engine import SpecError, Text

from .pages import STATIC

MAX_UPLOAD_BYTES = 4 * 2**20
MAX_SIDE_DECODED = 2048
MAX_PIXELS = MAX_SIDE_DECODED**2
WORK_SIDE = 512
COLORS = ("gray", "rgb")
SAMPLE_DIR = STATIC / "samples"     # served as /static/samples/ too


class TooLarge(SpecError):
    """A refusal for size: answered 413 rather than 422."""

    status = 413


@dataclass(frozen=True)
class Sample:
    name: str
    file: str
    label: Text
    credit: str
    licence: str

    def describe(self) -> dict:
        return {"name": self.name, "label": self.label.as_dict(), "url": f"/static/samples/{self.file}",
                "credit": self.credit, "licence": self.licence}


# From scikit-image's bundled sample data (skimage/data), downscaled to 384 px on the
# longer side; the photographers' licences as scikit-image states them (README).
SAMPLES: tuple[Sample, ...] = (
    Sample("camera", "camera.png", Text("Camera man (gray)", "摄影师（灰度）"), "Lav Varshney", "CC0"),
    Sample("coins", "coins.png", Text("Greek coins (gray)", "希腊硬币（灰度）"), "Brooklyn Museum", "no known copyright restrictions"),
    Sample("astronaut", "astronaut.jpg", Text("Astronaut Eileen Collins", "宇航员艾琳·柯林斯"), "NASA", "public domain"),
    Sample("coffee", "coffee.jpg", Text("Coffee cup", "咖啡杯"), "Rachel Michetti", "CC0"),
    Sample("chelsea", "chelsea.jpg", Text("Chelsea the cat", "猫咪 Chelsea"), "Stefan van der Walt", "CC0"),
)
SAMPLE_NAMES = tuple(s.name for s in SAMPLES)


@dataclass(frozen=True)
class Picture:
    pixels: np.ndarray            # [C][H][W] float64, whole numbers 0..255, read-only
    original: tuple[int, int]     # (H, W) as decoded, before any resizing


def upload(data: bytes, color: str) -> Picture:
    """An uploaded file's picture, or a SpecError (413 for size) naming `file`."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large_upload()
    return _decode(data, color)


def too_large_upload() -> TooLarge:
    return TooLarge("file", "file_too_large", high=MAX_UPLOAD_BYTES, mb=MAX_UPLOAD_BYTES // 2**20)


@lru_cache(maxsize=2 * len(SAMPLES))
def sample(name: str, color: str) -> Picture:
    return _decode((SAMPLE_DIR / next(s.file for s in SAMPLES if s.name == name)).read_bytes(), color)


def _decode(data: bytes, color: str) -> Picture:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=("PNG", "JPEG"))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise TooLarge("file", "decompression_bomb", high=MAX_PIXELS) from None
        except UnidentifiedImageError:
            raise SpecError("file", "not_image", what=_what(data)) from None
    w, h = im.size
    if w * h > MAX_PIXELS:
        raise TooLarge("file", "image_too_large", size=f"{w}x{h}", pixels=w * h, high=MAX_PIXELS, side=MAX_SIDE_DECODED)
    try:
        im.load()
    except (OSError, SyntaxError, ValueError):
        raise SpecError("file", "broken_image", format=im.format) from None
    im = _eight_bit(ImageOps.exif_transpose(im))
    im = im.convert("L" if color == "gray" else "RGB")
    original = (im.height, im.width)
    scale = WORK_SIDE / max(im.size)
    if scale < 1:
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.LANCZOS)
    pixels = np.asarray(im, dtype=np.float64)
    pixels = pixels[None] if pixels.ndim == 2 else np.moveaxis(pixels, -1, 0).copy()
    pixels.flags.writeable = False
    return Picture(pixels, original)


def _eight_bit(im: Image.Image) -> Image.Image:
    """16-bit gray to 8 bits by scale, v x 255 / 65535 rounded (Pillow's convert would clip at 255)."""
    if im.mode == "I" or im.mode.startswith("I;16"):
        scaled = np.rint(np.asarray(im, dtype=np.float64) * (255 / 65535))
        return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8))
    return im


def _what(data: bytes) -> Text:
    """A hint at what the file is instead, when that is easy to say."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return Text(" (it is a GIF)", "（它是 GIF）")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Text(" (it is a WebP)", "（它是 WebP）")
    if not data:
        return Text(" (it is empty)", "（文件为空）")
    return Text("", "")
