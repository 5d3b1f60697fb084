"""What every extras drawer can add to a scene; the default adds nothing."""

from __future__ import annotations

import math

import numpy as np


class Drawer:
    def __init__(self, builder):
        self.b, self.t = builder, builder.t

    @staticmethod
    def draws(trace) -> bool:
        return False

    def base(self) -> list:
        """Items of the static picture, over the cell fills and under the grid lines."""
        return []

    def frame(self, sweep: list[int]) -> list:
        """Items of the frame that shows `sweep` (one step, or a row's)."""
        return []

    def timed(self) -> list:
        """Items that stay from the frame that computes them (drawn under the frames' items)."""
        return []

    def sum_lines(self, s: int) -> list[str] | None:
        """Numbers mode's running sum of step s as lines (None: the plain sum)."""
        return None

    def legend(self) -> str:
        """Words added to the label under the read map."""
        return ""

    # -- helpers shared by the drawers -----------------------------------------
    WORDS: dict[str, dict[str, str]] = {}   # this drawer's words, English and Simplified Chinese (the glossary's terms)

    def say(self, key: str, **args) -> str:
        return self.WORDS[key][self.b.o.lang].format(**args)

    def caption(self, lines: list[str]) -> list:
        """Text lines where numbers mode writes its running sum (the scene's own sum lines)."""
        return self.b.sum_texts(lines)

    def frame_of_step(self) -> np.ndarray:
        """[S] the frame that computes each step."""
        return np.searchsorted(np.asarray(self.b.frames_steps), np.arange(self.t.steps))

    def canvas_cell(self, flat: int) -> tuple[int, int, int]:
        ch, cw = self.t.canvas.size
        c, rest = divmod(int(flat), ch * cw)
        return c, rest // cw, rest % cw

    def output_cell(self, k: int) -> tuple[int, int, int]:
        _, oh, ow = self.t.output.shape
        c, rest = divmod(int(k), oh * ow)
        return c, rest // ow, rest % ow


def dot(centre, radius: float, sides: int = 12) -> list[tuple[float, float]]:
    """A round dot (a regular polygon) in page units: round on the page whatever the projection."""
    x, y = centre
    return [(x + radius * math.cos(2 * math.pi * i / sides), y + radius * math.sin(2 * math.pi * i / sides)) for i in range(sides)]


def fmt(x) -> str:
    """A number as the scene writes it (2 decimals at most)."""
    from ..scene import _fmt   # the scene imports the drawers: asked for when drawing, not at import

    return _fmt(x)


def clip(terms: list[str], limit: int = 12) -> list[str]:
    """At most `limit` terms of a sum, the rest as an ellipsis, as the scene's running sum."""
    from ..scene import _clip

    return _clip(terms, limit)


def times(*factors) -> str:
    """a×b×…, a negative factor after the first in parentheses: 3×(-1)."""
    return "×".join(fmt(f) if i == 0 or f >= 0 else f"({fmt(f)})" for i, f in enumerate(factors))
