"""Kernels of image processing, as data: the one list the image page, the image API
and the playground's value editor read (served as `GET /api/v1/kernels`).

Each kernel is whole numbers over a divisor, so it can be shown as "1/16 x [...]"
and its weights are exactly `numbers / divisor` in float64. Convolution here is
PyTorch's cross-correlation (no flip): Sobel x is positive where brightness grows
to the right, Sobel y where it grows downwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .contract import Text


@dataclass(frozen=True)
class Kernel:
    name: str
    label: Text
    numbers: tuple[tuple[int, ...], ...]
    divisor: int = 1

    @property
    def weight(self) -> np.ndarray:
        """[kh][kw] float64: numbers / divisor."""
        out = np.array(self.numbers, dtype=np.float64) / self.divisor
        out.flags.writeable = False
        return out

    def describe(self) -> dict:
        return {"name": self.name, "label": self.label.as_dict(), "size": list(np.shape(self.numbers)),
                "numbers": [list(r) for r in self.numbers], "divisor": self.divisor, "weight": self.weight.tolist()}


def _outer(v: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(a * b for b in v) for a in v)


KERNELS: tuple[Kernel, ...] = (
    Kernel("identity", Text("Identity", "恒等（原图）"), ((0, 0, 0), (0, 1, 0), (0, 0, 0))),
    Kernel("box", Text("Mean (box blur) 3x3", "均值（方框模糊）3x3"), ((1, 1, 1),) * 3, 9),
    Kernel("gaussian3", Text("Gaussian blur 3x3", "高斯模糊 3x3"), _outer((1, 2, 1)), 16),
    Kernel("gaussian5", Text("Gaussian blur 5x5", "高斯模糊 5x5"), _outer((1, 4, 6, 4, 1)), 256),
    Kernel("sharpen", Text("Sharpen", "锐化"), ((0, -1, 0), (-1, 5, -1), (0, -1, 0))),
    Kernel("sobel_x", Text("Sobel x (vertical edges)", "Sobel x（竖直边缘）"), ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1))),
    Kernel("sobel_y", Text("Sobel y (horizontal edges)", "Sobel y（水平边缘）"), ((-1, -2, -1), (0, 0, 0), (1, 2, 1))),
    Kernel("prewitt_x", Text("Prewitt x (vertical edges)", "Prewitt x（竖直边缘）"), ((-1, 0, 1),) * 3),
    Kernel("prewitt_y", Text("Prewitt y (horizontal edges)", "Prewitt y（水平边缘）"), ((-1, -1, -1), (0, 0, 0), (1, 1, 1))),
    Kernel("laplacian4", Text("Laplacian (4-neighbour)", "拉普拉斯（4 邻域）"), ((0, 1, 0), (1, -4, 1), (0, 1, 0))),
    Kernel("laplacian8", Text("Laplacian (8-neighbour)", "拉普拉斯（8 邻域）"), ((1, 1, 1), (1, -8, 1), (1, 1, 1))),
    Kernel("emboss", Text("Emboss", "浮雕"), ((-2, -1, 0), (-1, 1, 1), (0, 1, 2))),
)

BY_NAME = {k.name: k for k in KERNELS}
