"""Render options: how a trace is drawn, validated like the spec, at the edge."""

from __future__ import annotations

from dataclasses import dataclass

from app.engine import SpecError
from app.engine.contract import Choice, Field, Text


MAX_SCALE = 4.0
MIN_SCALE = 0.25


@dataclass(frozen=True)
class RenderOptions:
    labels: bool = True
    numbers: bool = False
    shading: bool = False        # cells shaded by value (app/render/shading.py)
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
        if self.shading:   # spelled out only when on, so the pictures without it keep their ETags
            out["shading"] = True
        # English is not spelled out, so the English pictures' ETags stay as they were
        return out if self.lang == "en" else {**out, "lang": self.lang}


def _choice(value: str, en: str, zh: str) -> Choice:
    return Choice(value, Text(en, zh))


# The options as fields: the form, OpenAPI, the CLI flags and their parsing come from here.
OPTION_FIELDS = (
    Field("labels", "bool", Text("Labels", "标注"), Text("Draw labels (input/output sizes, the operation). Default true.",
          "绘制标注（输入/输出尺寸与运算）。默认 true。"), default=True),
    Field("numbers", "bool", Text("Numbers", "显示数值"), Text("Numbers mode: values in cells, weights as subscripts, the running sum. Default false.",
          "数值模式：单元格内显示数值，权重以下标显示，并给出累加过程。默认 false。"), default=False),
    Field("shading", "bool", Text("Shade by value", "按数值着色"), Text(
          "Shade input and output cells by value on a diverging scale (blue negative, white 0, red positive; one scale per map, with its legend). Default false.",
          "按数值给输入和输出单元着色，采用发散色标（蓝为负、白为 0、红为正；每个图各有色标及图例）。默认 false。"), default=False),
    Field("layout", "choice", Text("Layout", "布局"), Text("slanted (the reference look) or flat.", "slanted（参考动画的倾斜视图）或 flat（平面）。"),
          default="slanted", choices=(_choice("slanted", "slanted", "倾斜视图"), _choice("flat", "flat", "平面视图"))),
    Field("palette", "choice", Text("Colours", "配色"), Text("solarized (the reference colours) or colorblind (Okabe-Ito).",
          "solarized（参考动画的配色）或 colorblind（Okabe-Ito 色盲友好配色）。"),
          default="solarized", choices=(_choice("solarized", "Solarized", "Solarized"), _choice("colorblind", "colour-blind safe", "色盲友好"))),
    Field("scale", "real", Text("Scale", "缩放"), Text("Cell size; 1 = the reference's 29.5 px cells. 0.25 to 4.",
          "单元格大小；1 为参考动画的 29.5 像素。0.25 到 4。"), default=1.0, low=MIN_SCALE, high=MAX_SCALE),
    Field("ms", "int", Text("Milliseconds per frame", "每帧毫秒数"), Text("Milliseconds per frame (20 to 10000). Default 1000.",
          "每帧的毫秒数（20 到 10000）。默认 1000。"), default=1000, low=20, high=10_000),
    Field("granularity", "choice", Text("Frames", "帧"), Text("step (one frame per output cell) or row (one per output row), for large grids.",
          "step（每个输出单元一帧）或 row（每行一帧），适合大网格。"),
          default="step", choices=(_choice("step", "every step", "每一步"), _choice("row", "every row", "每一行"))),
    Field("frame", "int", Text("Frame", "帧序号"), Text("PNG / SVG only: which frame to draw (default 0).", "仅 PNG / SVG：绘制哪一帧（默认 0）。"),
          optional=True, low=0),
    Field("lang", "choice", Text("Label language", "标注语言"), Text(
          "en or zh: the language of the figure labels (zh needs a CJK font on the server; without one the labels stay English and the Content-Language header says so).",
          "en 或 zh：图中标注的语言（zh 需要服务器上有中日韩字体；没有时标注保持英文，Content-Language 响应头会注明）。"),
          default="en", choices=(_choice("en", "English", "英文"), _choice("zh", "Chinese", "中文"))),
)
OPTION_NAMES = tuple(f.name for f in OPTION_FIELDS)
assert OPTION_NAMES == tuple(RenderOptions.__dataclass_fields__)
LAYOUTS, PALETTES, GRANULARITIES, LANGUAGES = (tuple(c.value for c in f.choices) for f in OPTION_FIELDS if f.kind == "choice")


def build_options(raw: dict) -> RenderOptions:
    """Read render options from plain values (JSON or parsed query strings)."""
    from app.engine.spec import read

    unknown = sorted(set(raw) - set(OPTION_NAMES))
    if unknown:
        raise SpecError(unknown[0], "unknown_field", op="the renderer", listed=", ".join(OPTION_NAMES), fields=list(OPTION_NAMES))
    values = {f.name: read(f, raw[f.name] if raw.get(f.name) is not None else f.default, "render") for f in OPTION_FIELDS}
    return RenderOptions(**{**values, "lang": _drawable(values["lang"])})


def _drawable(lang: str) -> str:
    """The language the labels can be drawn in: Chinese needs a CJK font."""
    from .text import cjk_font_path

    return lang if lang == "en" or cjk_font_path() else "en"
