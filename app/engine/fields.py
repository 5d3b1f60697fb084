"""Parsing of single spec fields: whole numbers, pairs, padding forms, arrays.

Each parser takes the raw value (from JSON or already coerced from a query string)
and the field name, and either returns a clean Python value or raises SpecError
that names the field and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import SpecError
from .limits import MAX_ABS_VALUE

Pair = tuple[int, int]


def whole(value, param: str) -> int:
    """A whole number; integral floats (3.0) pass, booleans and text do not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(param, "not_whole", f"must be a whole number (got {value!r})", got=value)
    if isinstance(value, float) and not value.is_integer():
        raise SpecError(param, "not_whole", f"must be a whole number (got {value!r})", got=value)
    return int(value)


def pair(value, param: str) -> Pair:
    """PyTorch's `int or (h, w)`: one number means the same for height and width."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise SpecError(param, "not_pair", f"must be one number or a pair [height, width] (got {len(value)} numbers)", got=list(value))
        return whole(value[0], param), whole(value[1], param)
    n = whole(value, param)
    return n, n


def in_range(values: Pair | tuple[int, ...], param: str, low: int, high: int, what: str = "") -> None:
    for v in values:
        if v < low:
            rule = "at least 1" if low == 1 else f"at least {low}"
            raise SpecError(param, "too_small", f"must be {rule}{what} (got {v})", got=v, low=low)
        if v > high:
            raise SpecError(param, "too_large", f"must be at most {high}{what} (got {v}); this cap keeps one request from overloading the server", got=v, high=high)


def boolean(value, param: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise SpecError(param, "not_bool", f"must be true or false (got {value!r})", got=value)


def choice(value, param: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(options)
        raise SpecError(param, "not_choice", f"must be one of {listed} (got {value!r})", got=value, options=list(options))
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


def padding(value, param: str = "padding"):
    """Return a pair, one of PADDING_WORDS, or Sides; resolution needs the kernel."""
    if isinstance(value, str):
        return choice(value, param, PADDING_WORDS)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(SIDE_NAMES))
        if unknown:
            raise SpecError(param, "bad_sides", f"per-side padding takes top, bottom, left and right (got {unknown[0]!r})", got=unknown[0])
        sides = Sides(*(whole(value.get(k, 0), param) for k in SIDE_NAMES))
        if any(v < 0 for v in (sides.top, sides.bottom, sides.left, sides.right)):
            raise SpecError(param, "negative", "must not be negative", got=value)
        return sides
    p = pair(value, param)
    if min(p) < 0:
        raise SpecError(param, "negative", f"must not be negative (got {min(p)})", got=min(p))
    return p


def numbers(value, param: str) -> np.ndarray:
    """A nested list of finite numbers of moderate size, as a float64 array."""
    if not (isinstance(value, np.ndarray) and value.dtype.kind in "iuf") and _has_non_number(value):
        # NumPy would read "2" as 2.0 and true as 1.0; a number field takes numbers only, like `whole`
        raise SpecError(param, "not_numbers", "must be a nested list of numbers (no text, true/false or null)", shape="")
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecError(param, "not_numbers", "must be a nested list of numbers, all rows the same length", shape="") from None
    except OverflowError:   # an integer beyond the float range
        raise SpecError(param, "too_large_value", f"values must lie between -{MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}", high=MAX_ABS_VALUE) from None
    if arr.ndim == 0:
        raise SpecError(param, "not_numbers", "must be a nested list of numbers, not a single value", shape="")
    bad = ~np.isfinite(arr)
    if bad.any():
        where = [int(i) for i in np.argwhere(bad)[0]]
        raise SpecError(param, "not_finite", f"values must be finite numbers (found {arr[bad][0]} at {where})", at=where)
    if np.abs(arr).max(initial=0) > MAX_ABS_VALUE:
        raise SpecError(param, "too_large_value", f"values must lie between -{MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}", high=MAX_ABS_VALUE)
    return arr


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
        raise SpecError(param, "bad_shape", f"expected shape {describe}, got {got}", expected=describe, got=got)
    out = arr.reshape(shapes[0])
    out.flags.writeable = False
    return out
