"""The record of one operation: every step, every tap, and the arithmetic.

Taps are kept as flat NumPy columns (one row per step, one column per tap) so that
building a 64x64 trace and writing it as JSON stays in the milliseconds. Flat
indices are -1 where the JSON says null. `to_json` is the one serialiser;
`to_dict` is its parsed form, for Python callers.

An operation that computes more than products and sums (a mask, a gate, sampling
points off the grid) names it in three optional dicts, written into the JSON
as they are and drawn later by name: `extras` for whole arrays (under
"extras", as nested lists), `step_extras` (a key of each step), `tap_extras`
(a key of each tap). Numbers are written as numbers (NaN as null); integer
arrays are flat indices into the tensor the taps read, written `[c,y,x]`
like `input_index` (-1 as null).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .spec import Spec


@dataclass(frozen=True)
class Canvas:
    """The grid the kernel is drawn over (gather) or stamped into (scatter).

    kinds: one letter per cell: i input, p padding, z inserted zero,
    x beyond the padded input (ceil_mode), o output, c cropped by padding.
    source: flat index into the H x W plane of the tensor the cell shows
    (input for gather, output for scatter), or -1.
    values: [C][CH][CW] what each cell holds; NaN where it holds no number.
    """

    role: str
    kinds: np.ndarray
    source: np.ndarray
    values: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        return self.kinds.shape


@dataclass(frozen=True)
class Trace:
    spec: Spec
    reduction: str                 # sum | mean | max (gather views), scatter
    output: np.ndarray             # [OC][OH][OW]
    canvas: Canvas
    step_index: np.ndarray         # [S] flat output index (gather) or input index (scatter)
    step_value: np.ndarray         # [S]
    tap_tensor: np.ndarray         # [S][T] flat input index (gather) / output index (scatter), -1 = null
    tap_canvas: np.ndarray         # [S][T] flat canvas index over [C][CH][CW]; -1: no tap (windows of
                                   #   varying size fill their row from the left, the rest is -1)
    tap_weight: np.ndarray | None  # [S][T] flat weight index, None for pooling
    tap_product: np.ndarray        # [S][T] NaN = null (ignored by the reduction)
    arithmetic: dict
    tap_coefficient: np.ndarray | None = None  # [S][T] interpolation coefficient (product = value x coefficient)
    winner: np.ndarray | None = None   # [S] tap position of the maximum (max pooling)
    divisor: np.ndarray | None = None  # [S] cells averaged (avg pooling)
    extras: dict = field(default_factory=dict)       # name -> array of any shape: the updated mask of a partial conv
    step_extras: dict = field(default_factory=dict)  # name -> [S] or [S][...]: a partial conv's scale, a gate's value
    tap_extras: dict = field(default_factory=dict)   # name -> [S][T] or [S][T][...]: a deformable tap's sampling point
    _json: list = field(default_factory=list, repr=False, compare=False)

    @property
    def ragged(self) -> bool:
        """Whether some steps read fewer taps than others (their rows end in -1)."""
        return bool((self.tap_canvas < 0).any())

    def taps_of(self, s: int) -> np.ndarray:
        """Positions of step s's real taps in its row."""
        return np.flatnonzero(self.tap_canvas[s] >= 0)

    def factors(self, s: int) -> np.ndarray | None:
        """What step s multiplies each real tap by: its weight or its coefficient (None: nothing)."""
        real = self.taps_of(s)
        if self.tap_coefficient is not None:
            return self.tap_coefficient[s, real]
        if self.tap_weight is not None:
            return self.spec.weight.ravel()[self.tap_weight[s, real]]
        return None

    @property
    def steps(self) -> int:
        return len(self.step_index)

    @property
    def step_shape(self) -> tuple[int, int, int]:
        """Shape of the tensor that step_index points into."""
        return self.spec.input.shape if self.spec.view == "scatter" else self.output.shape

    @property
    def tap_shape(self) -> tuple[int, int, int]:
        """Shape of the tensor that tap_tensor points into."""
        return self.output.shape if self.spec.view == "scatter" else self.spec.input.shape

    def to_json(self) -> bytes:
        if not self._json:
            self._json.append(_write(self).encode())
        return self._json[0]

    def to_dict(self) -> dict:
        return json.loads(self.to_json())

    def summary_json(self) -> bytes:
        """Everything but `steps` (with `step_count` instead): what a page redraws from (16x16, k3: 4.8 of 164 kB)."""
        return _write(self, steps=False).encode()


def number(x: float):
    """A float as JSON shows it best: integral values as integers, non-finite as null."""
    if not np.isfinite(x):
        return None
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else float(x)


def _numbers(arr: np.ndarray) -> list:
    """Column of JSON number texts (as Python objects whose str() is JSON)."""
    flat = np.asarray(arr, dtype=np.float64).ravel()
    nan = ~np.isfinite(flat)
    integral = (~nan) & (flat == np.round(flat)) & (np.abs(flat) < 2**53)
    if integral.all():
        return flat.astype(np.int64).tolist()
    out = np.array(flat.tolist(), dtype=object)
    out[integral] = flat[integral].astype(np.int64).tolist()
    out[nan] = "null"
    return out.tolist()


@lru_cache(maxsize=32)
def _index_table(shape: tuple[int, ...]) -> np.ndarray:
    """'[c,y,x]' text for every flat index of `shape`, then 'null' for index -1.

    Cached: the same few shapes come back request after request.
    """
    idx = np.indices(shape).reshape(len(shape), -1).T.tolist()
    return np.array(["[" + ",".join(map(str, i)) + "]" for i in idx] + ["null"], dtype=object)


def _nested(arr: np.ndarray) -> str:
    return json.dumps(_plain(arr), separators=(",", ":"))


def _plain(arr: np.ndarray) -> list:
    """Nested lists of JSON numbers as `number` writes each (integral values as int, non-finite as None), at once."""
    finite = np.isfinite(arr)
    integral = finite & (arr == np.round(arr)) & (np.abs(arr) < 2**53)
    out = arr.astype(object)
    out[integral] = arr[integral].astype(np.int64).tolist()
    out[~finite] = None
    return out.tolist()


def _write(t: Trace, steps: bool = True) -> str:
    """The trace as JSON text: a small head written by json, the bulky steps by template (or their count)."""
    spec, canvas = t.spec, t.canvas
    head = {
        "op": spec.op,
        "view": spec.view,
        "spec": spec.canonical(),
        "reduction": t.reduction,
        "input_shape": list(spec.input.shape),
        "output_shape": list(t.output.shape),
        "output_size": list(t.output.shape[1:]),
    }
    plane_width = t.tap_shape[2] if spec.view == "scatter" else spec.input_size[1]
    source = [[None if s < 0 else divmod(s, plane_width) for s in row] for row in canvas.source.tolist()]
    grid = {"role": canvas.role, "size": list(canvas.size), "kinds": ["".join(r) for r in canvas.kinds.tolist()], "source": source}
    compact = dict(separators=(",", ":"), ensure_ascii=False)
    return "".join([
        json.dumps(head, **compact)[:-1],
        ',"input":', _nested(spec.input),
        ',"weight":', _nested(spec.weight) if spec.weight is not None else "null",
        ',"bias":', _nested(spec.bias) if spec.bias is not None else "null",
        ',"output":', _nested(t.output),
        ',"canvas":', json.dumps(grid, **compact)[:-1], ',"values":', _nested(canvas.values), "}",
        ',"arithmetic":', json.dumps(t.arithmetic, **compact),
        ',"extras":{', ",".join(f'{json.dumps(k)}:{_template(np.shape(v)) % tuple(_numbers(v))}' for k, v in t.extras.items()), "}",
        *((',"steps":[', _steps(t), "]}") if steps else (f',"step_count":{t.steps}}}',)),
    ])


@lru_cache(maxsize=32)
def _template(shape: tuple[int, ...]) -> str:
    """'[[%s,%s],[%s,%s]]' for shape (2, 2): one nested JSON list to fill in."""
    if not shape:
        return "%s"
    return "[" + ",".join([_template(shape[1:])] * shape[0]) + "]"


def _texts(arr: np.ndarray, index_shape: tuple[int, ...]) -> list:
    """One JSON text per entry along arr's first axis: numbers, or for integer arrays
    flat indices into a tensor of `index_shape` written [c,y,x]."""
    arr = np.asarray(arr)
    cells = _index_table(index_shape)[arr.ravel()] if arr.dtype.kind in "iu" else np.asarray(_numbers(arr), dtype=object)
    if arr.ndim == 1:
        return cells.tolist()
    # every entry through one template, then cut apart (a NUL never occurs in JSON numbers)
    return ("\0".join([_template(arr.shape[1:])] * arr.shape[0]) % tuple(cells.tolist())).split("\0")


def _steps(t: Trace) -> str:
    """All steps through one %-template: C speed, no per-tap Python objects."""
    spec = t.spec
    S, T = t.tap_product.shape
    if S == 0:
        return ""
    scatter = spec.view == "scatter"
    step_key, tap_key = ("input_index", "output_index") if scatter else ("output_index", "input_index")
    canvas_shape = (t.canvas.values.shape[0],) + t.canvas.size
    tap_cols = {
        tap_key: _index_table(tuple(t.tap_shape))[t.tap_tensor.ravel()],
        "canvas_index": _index_table(canvas_shape)[t.tap_canvas.ravel()],
        "weight_index": _index_table(tuple(spec.weight.shape))[t.tap_weight.ravel()] if t.tap_weight is not None else ["null"] * (S * T),
        "product": _numbers(t.tap_product),
    }
    if t.tap_coefficient is not None:
        tap_cols["coefficient"] = _numbers(t.tap_coefficient)
    for name, arr in t.tap_extras.items():
        tap_cols[name] = _texts(np.asarray(arr).reshape((S * T,) + np.shape(arr)[2:]), tuple(t.tap_shape))
    tap_tmpl = "{" + ",".join(f'"{k}":%s' for k in tap_cols) + "%s}"
    winner = np.full((S, T), "", dtype=object)
    if t.winner is not None:
        real = np.isfinite(t.step_value)  # a window of padding only has no winner
        winner[np.flatnonzero(real), t.winner[real]] = ',"winner":true'
    tap_cols["winner"] = winner.ravel()

    step_cols = {step_key: _index_table(tuple(t.step_shape))[t.step_index], "value": _numbers(t.step_value)}
    if t.divisor is not None:
        step_cols["divisor"] = t.divisor.tolist()
    for name, arr in t.step_extras.items():
        step_cols[name] = _texts(arr, tuple(t.tap_shape))
    step_tmpl = "{" + "".join(f'"{k}":%s,' for k in step_cols) + '"taps":[' + ",".join([tap_tmpl] * T) + "]}"

    table = np.empty((S, len(step_cols) + T * len(tap_cols)), dtype=object)
    for j, col in enumerate(step_cols.values()):
        table[:, j] = col
    for j, col in enumerate(tap_cols.values()):
        table[:, len(step_cols) + j::len(tap_cols)] = np.asarray(col, dtype=object).reshape(S, T)
    if not t.ragged:
        return ",".join([step_tmpl] * S) % tuple(table.ravel().tolist())
    # windows of varying size: each step's template has as many taps as it reads
    counts = (t.tap_canvas >= 0).sum(axis=1)
    head = "{" + "".join(f'"{k}":%s,' for k in step_cols) + '"taps":['
    width = len(step_cols) + int(counts.max(initial=0)) * len(tap_cols)
    return ",".join(
        (head + ",".join([tap_tmpl] * n) + "]}") % tuple(row[:len(step_cols) + n * len(tap_cols)])
        for row, n in zip(table[:, :width].tolist(), counts.tolist())
    )
