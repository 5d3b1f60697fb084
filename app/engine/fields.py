"""Parsing of single spec fields: whole numbers, pairs, padding forms, arrays.

Each parser takes the raw value (from JSON or already coerced from a query string)
and the field name, and either returns a clean Python value or raises SpecError
that names the field and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .contract import Text
from .errors import SpecError
from .limits import MAX_ABS_VALUE

Pair = tuple[int, int]


def whole(value, param: str) -> int:
    """A whole number; integral floats (3.0) pass, booleans and text do not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(param, "not_whole", got=value)
    if isinstance(value, float) and not value.is_integer():
        raise SpecError(param, "not_whole", got=value)
    return int(value)


def pair(value, param: str) -> Pair:
    """PyTorch's `int or (h, w)`: one number means the same for height and width."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise SpecError(param, "not_pair", got=list(value), count=len(value))
        return whole(value[0], param), whole(value[1], param)
    n = whole(value, param)
    return n, n


def real(value, param: str) -> float:
    """A finite number, fractions allowed."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise SpecError(param, "not_number", got=value)
    return float(value)


def real_pair(value, param: str) -> tuple[float, float]:
    """A number or [h, w] of numbers (fractions allowed), finite."""
    items = list(value) if isinstance(value, (list, tuple)) else [value, value]
    if len(items) != 2:
        raise SpecError(param, "not_pair", got=items, count=len(items))
    return real(items[0], param), real(items[1], param)


def in_range(values: Pair | tuple[int, ...], param: str, low: int, high: int, what: Text | str = "") -> None:
    """`what` qualifies the bound in the message: " on each side"."""
    for v in values:
        if v < low:
            raise SpecError(param, "negative" if low == 0 else "too_small", got=v, low=low, what=what)
        if v > high:
            raise SpecError(param, "too_large", got=v, high=high, what=what)


def boolean(value, param: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise SpecError(param, "not_bool", got=value)


def choice(value, param: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise SpecError(param, "not_choice", got=value, options=list(options), listed=", ".join(options))
    return value


@dataclass(frozen=True)
class Sides:
    """Padding per side, the way F.pad sees it after PyTorch resolves the argument."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def rows(self) -> int:
        return self.top + self.bottom

    @property
    def cols(self) -> int:
        return self.left + self.right

    @property
    def symmetric(self) -> bool:
        return self.top == self.bottom and self.left == self.right


PADDING_WORDS = ("valid", "same", "full")
SIDE_NAMES = ("top", "bottom", "left", "right")


def padding(value, param: str = "padding", words: tuple[str, ...] = PADDING_WORDS):
    """Return a pair, one of `words`, or Sides; resolution needs the kernel."""
    if isinstance(value, str):
        return choice(value, param, words)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(SIDE_NAMES))
        if unknown:
            raise SpecError(param, "bad_sides", got=unknown[0])
        sides = Sides(*(whole(value.get(k, 0), param) for k in SIDE_NAMES))
        if any(v < 0 for v in (sides.top, sides.bottom, sides.left, sides.right)):
            raise SpecError(param, "negative", got=min(sides.top, sides.bottom, sides.left, sides.right))
        return sides
    p = pair(value, param)
    if min(p) < 0:
        raise SpecError(param, "negative", got=min(p))
    return p


def numbers(value, param: str) -> np.ndarray:
    """A nested list of finite numbers of moderate size, as a float64 array."""
    if not (isinstance(value, np.ndarray) and value.dtype.kind in "iuf") and _has_non_number(value):
        # NumPy would read "2" as 2.0 and true as 1.0; a number field takes numbers only, like `whole`
        raise SpecError(param, "not_numbers", why=_NO_TEXT)
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecError(param, "not_numbers", why=_RAGGED) from None
    except OverflowError:   # an integer beyond the float range
        raise SpecError(param, "too_large_value", high=MAX_ABS_VALUE) from None
    if arr.ndim == 0:
        raise SpecError(param, "not_numbers", why=_SCALAR)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = [int(i) for i in np.argwhere(bad)[0]]
        raise SpecError(param, "not_finite", found=float(arr[bad][0]), at=where)
    if np.abs(arr).max(initial=0) > MAX_ABS_VALUE:
        raise SpecError(param, "too_large_value", high=MAX_ABS_VALUE)
    return arr


_NO_TEXT = Text(" (no text, true/false or null)", "（不能有文本、true/false 或 null）")
_RAGGED = Text(", all rows the same length", "，且每行长度相同")
_SCALAR = Text(", not a single value", "，而不是单个数")
_PLAIN = {int, float}


def _has_non_number(value) -> bool:
    """True if a nested list holds text, a boolean or null anywhere (rows of plain numbers: one C-speed pass each)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple, np.ndarray)):
            if isinstance(v, (list, tuple)) and set(map(type, v)) <= _PLAIN:
                continue
            stack.extend(v)
        elif isinstance(v, (bool, np.bool_, str, bytes)) or v is None:
            return True
    return False


def shaped(arr: np.ndarray, param: str, shapes: list[tuple[int, ...]], describe: str) -> np.ndarray:
    """The array in the first of `shapes` (others, like [H][W] for one channel, reshape into it)."""
    if arr.shape not in shapes:
        got = "[" + "][".join(str(n) for n in arr.shape) + "]"
        raise SpecError(param, "bad_shape", expected=describe, got=got)
    out = arr.reshape(shapes[0])
    out.flags.writeable = False
    return out
