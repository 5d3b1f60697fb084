"""Render options: how a trace is drawn, validated like the spec, at the edge."""

from __future__ import annotations

from dataclasses import dataclass

from app.engine import SpecError
from app.engine import fields

LAYOUTS = ("slanted", "flat")
PALETTES = ("solarized", "colorblind")
GRANULARITIES = ("step", "row")
LANGUAGES = ("en", "zh")
FORMATS = ("gif", "webp", "mp4", "png", "svg")

MAX_SCALE = 4.0
MIN_SCALE = 0.25
MAX_FRAMES = 600            # frames in one animation
MAX_FRAME_PIXELS = 4_000_000   # width x height of one frame
MAX_TOTAL_PIXELS = 200_000_000  # frames x width x height
MAX_WEBP_PIXELS = 60_000_000    # the WebP encoder holds every frame at once: 4 bytes a pixel


@dataclass(frozen=True)
class RenderOptions:
    labels: bool = True
    numbers: bool = False
    layout: str = "slanted"
    palette: str = "solarized"
    scale: float = 1.0
    ms: int = 1000
    granularity: str = "step"
    frame: int | None = None     # PNG / SVG: which frame (default: the first)
    lang: str = "en"             # the labels' language, as drawn (English when no CJK font is found)

    def canonical(self) -> dict:
        out = {"labels": self.labels, "numbers": self.numbers, "layout": self.layout, "palette": self.palette,
               "scale": self.scale, "ms": self.ms, "granularity": self.granularity, "frame": self.frame}
        # English is not spelled out, so the English pictures' ETags stay as they were
        return out if self.lang == "en" else {**out, "lang": self.lang}


OPTION_NAMES = tuple(RenderOptions.__dataclass_fields__)
OPTION_DOCS = {
    "labels": "Draw labels (input/output sizes, the operation). Default true.",
    "numbers": "Numbers mode: values in cells, weights as subscripts, the running sum. Default false.",
    "layout": "slanted (the reference look) or flat.",
    "palette": "solarized (the reference colours) or colorblind (Okabe-Ito).",
    "scale": "Cell size; 1 = the reference's 29.5 px cells. 0.25 to 4.",
    "ms": "Milliseconds per frame (20 to 10000). Default 1000.",
    "granularity": "step (one frame per output cell) or row (one per output row), for large grids.",
    "frame": "PNG / SVG only: which frame to draw (default 0).",
    "lang": "en or zh: the language of the figure labels (zh needs a CJK font on the server; without one the labels stay English and the Content-Language header says so).",
}
assert tuple(OPTION_DOCS) == OPTION_NAMES


def build_options(raw: dict) -> RenderOptions:
    """Read render options from plain values (JSON or parsed query strings)."""
    unknown = sorted(set(raw) - set(OPTION_NAMES))
    if unknown:
        raise SpecError(unknown[0], "unknown_field", f"is not a render option; the options are {', '.join(OPTION_NAMES)}", fields=list(OPTION_NAMES))
    get = raw.get
    scale = get("scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not MIN_SCALE <= scale <= MAX_SCALE:
        raise SpecError("scale", "bad_scale", f"must be a number from {MIN_SCALE} to {MAX_SCALE} (1 = the reference cell size); got {scale!r}", low=MIN_SCALE, high=MAX_SCALE, got=scale)
    ms = fields.whole(get("ms", 1000), "ms")
    fields.in_range((ms,), "ms", 20, 10_000, " milliseconds per frame")
    frame = get("frame")
    if frame is not None:
        frame = fields.whole(frame, "frame")
        if frame < 0:
            raise SpecError("frame", "too_small", f"must be at least 0 (got {frame})", got=frame, low=0)
    return RenderOptions(
        labels=fields.boolean(get("labels", True), "labels"),
        numbers=fields.boolean(get("numbers", False), "numbers"),
        layout=fields.choice(get("layout", "slanted"), "layout", LAYOUTS),
        palette=fields.choice(get("palette", "solarized"), "palette", PALETTES),
        scale=float(scale),
        ms=ms,
        granularity=fields.choice(get("granularity", "step"), "granularity", GRANULARITIES),
        frame=frame,
        lang=_drawable(fields.choice(get("lang", "en"), "lang", LANGUAGES)),
    )


def _drawable(lang: str) -> str:
    """The language the labels can be drawn in: Chinese needs a CJK font."""
    from .text import cjk_font_path

    return lang if lang == "en" or cjk_font_path() else "en"
