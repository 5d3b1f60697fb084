"""Gated convolution (Yu et al. 2019, DeepFill v2): a feature and a gate from one window.

Each frame writes what the window gives twice over, the feature (through the
activation) and the gate sigmoid(...) in 0..1, and their product, the output. The gate
map is drawn on the output map: each output cell, from the frame that computes
it, is washed toward white by 1 - gate, so a closed gate (0) leaves a pale cell
and an open one (1) the full colour. Numbers mode writes both sums with the
user's numbers: the feature's (weights) and the gate's (gate weights).
"""

from __future__ import annotations

import numpy as np

from app.engine.ops.gated_conv2d import ACT_NAMES

from .base import Drawer, clip, fmt, times

WASH = 0.85   # how pale a fully closed gate leaves its output cell


class Gated(Drawer):
    WORDS = {
        "product": {"en": "{act} × sigmoid({logit}) = {activated} × {gate} = {value}", "zh": "{act} × sigmoid({logit}) = {activated} × {gate} = {value}"},
        "feature": {"en": "feature: {terms} = {value}", "zh": "特征：{terms} = {value}"},
        "gate": {"en": "gate: sigmoid({terms}) = sigmoid({logit}) = {gate}", "zh": "门控：sigmoid({terms}) = sigmoid({logit}) = {gate}"},
    }

    @staticmethod
    def draws(trace) -> bool:
        return "gate" in trace.step_extras

    def frame(self, sweep: list[int]) -> list:
        if len(sweep) > 1 or self.b.o.numbers:
            return []
        return self.caption([self.product(sweep[0])])

    def product(self, s: int) -> str:
        e = self.t.step_extras
        act = ACT_NAMES[self.t.spec.activation].format(fmt(e["feature"][s]))
        return self.say("product", act=act, logit=fmt(e["gate_logit"][s]), activated=fmt(e["activated"][s]),
                        gate=fmt(e["gate"][s]), value=fmt(self.t.step_value[s]))

    def timed(self) -> list:
        if not self.b.frames_steps:
            return []
        first = self.frame_of_step()
        last = len(self.b.frames_steps) - 1
        items = []
        for k, g in enumerate(self.t.step_extras["gate"].tolist()):
            shade = round(WASH * (1 - g), 2)
            if shade <= 0:
                continue
            c, y, x = self.output_cell(k)
            look = self.b.style(f"gate_wash{shade:g}", fill="#ffffff", opacity=shade)
            items.append({"poly": f"out:{c}:{y}:{x}", "style": look, "from": int(first[k]), "to": last})
        return items

    def sum_lines(self, s: int) -> list[str]:
        t, e = self.t, self.t.step_extras
        real = t.taps_of(s)
        inputs = t.canvas.values.ravel()[t.tap_canvas[s, real]].tolist()
        oc = self.output_cell(t.step_index[s])[0]
        gate_w = np.asarray(t.extras["gate_weight"]).ravel()[t.tap_weight[s, real]].tolist()
        feature = [times(a, w) for a, w in zip(inputs, t.factors(s).tolist())]
        gate = [times(a, w) for a, w in zip(inputs, gate_w)]
        feature = clip(feature, 6) + ([fmt(t.spec.bias[oc])] if t.spec.bias is not None else [])
        gate = clip(gate, 6) + [fmt(np.asarray(t.extras["gate_bias"])[oc])]
        return [
            self.say("feature", terms=" + ".join(feature), value=fmt(e["feature"][s])),
            self.say("gate", terms=" + ".join(gate), logit=fmt(e["gate_logit"][s]), gate=fmt(e["gate"][s])),
            self.product(s),
        ]
