"""The figure labels' words, in English and Simplified Chinese (the glossary's terms).

Only the words: `scene.labels` decides which are said. Kept in the renderer, which
knows nothing of the web layer's page strings.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "input": {"en": "input {h}×{w}", "zh": "输入 {h}×{w}"},
    "output": {"en": "output {h}×{w}", "zh": "输出 {h}×{w}"},
    "channels": {"en": " × {n} channels", "zh": " × {n} 通道"},
    "cropped": {"en": " (cropped from {h}×{w})", "zh": "（由 {h}×{w} 裁剪）"},
    "grown": {"en": ", {how} to {h}×{w}", "zh": "，{how}至 {h}×{w}"},
    "padded": {"en": "padded", "zh": "填充"},
    "inserted": {"en": "zeros inserted and padded", "zh": "插零并填充"},
    "ceil": {"en": "ceil_mode windows reach", "zh": "ceil_mode 窗口延伸"},
    "and": {"en": ", ", "zh": "、"},
    "hatched": {"en": " (hatched: never read)", "zh": "（斜线：从未读取）"},
    "shade_out": {"en": "output values", "zh": "输出数值"},
    "shade_in": {"en": "input values", "zh": "输入数值"},
    "stamps": {"en": "input[{c},{y},{x}] = {v} stamps {v} × kernel into the output",
               "zh": "输入[{c},{y},{x}] = {v}：把 {v} × 卷积核 加到输出上"},
    "cone": {"en": "output[{c},{y},{x}] reads the tinted cells of every map below (dashed: the recurrence's field)",
             "zh": "输出[{c},{y},{x}] 依赖下方各层中着色的单元（虚线：递推公式给出的感受野）"},
}


def say(key: str, lang: str, **args) -> str:
    return WORDS[key][lang].format(**args)
