"""Every output value, and the set of accepted specs, against PyTorch (float64).

hypothesis draws specs over every op and option (all padding forms and modes, groups
including depthwise, dilation, output_padding, ceil_mode, count_include_pad, both
transposed views, integer and float values, given and default arrays). PyTorch
computes the expected output; the engine's output must match it (exactly for
integer values). A second search crosses every boundary and checks that PyTorch
raises exactly when build_spec raises SpecError.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, event, given, settings

from app.engine import SpecError, build_spec, run
from torch_truth import (
    MAX_TAPS, SETTINGS, TORCH_ERRORS, check_constructor, examples, expected_taps, raw_specs, torch_forward,
    torch_tensors, torch_verdict, with_arrays,
)

EXAMPLES = {"conv2d": 1500, "conv_transpose2d": 1200, "max_pool2d": 1000, "avg_pool2d": 1000}


def assert_same_output(engine_out: np.ndarray, expected: np.ndarray, exact: bool, what: str) -> None:
    assert engine_out.shape == expected.shape, f"{what}: shape {engine_out.shape} != PyTorch's {expected.shape}"
    if exact:  # small integers: every sum is exact in float64 on both sides
        np.testing.assert_array_equal(engine_out, expected, err_msg=what)
    else:
        np.testing.assert_allclose(engine_out, expected, rtol=1e-10, atol=1e-10, err_msg=what)


def check_output(raw: dict, meta: dict) -> None:
    spec, arrays = with_arrays(raw, meta)
    views = ("gather", "scatter") if raw["op"] == "conv_transpose2d" else (None,)
    for view in views:
        if view:
            spec["view"] = view
        try:
            built = build_spec(spec)
        except SpecError as exc:
            # the only refusal allowed for a spec PyTorch runs is the documented tap cap
            # PyTorch's verdict does not depend on the values: random ones of the right shapes
            x, w, b = torch_tensors(with_arrays(raw, {**meta, "arrays": "given"})[1])
            try:
                check_constructor(raw)
                with torch.no_grad():
                    out = torch_forward({**raw, "view": view}, x, w, b)
            except TORCH_ERRORS:
                return  # both refuse; the acceptance test covers this ground
            out = out[0] if isinstance(out, tuple) else out
            if out.numel() == 0:
                return
            taps = expected_taps({**raw, "view": view}, tuple(out.shape[1:]))
            assert exc.code == "too_many_taps" and taps > MAX_TAPS, f"engine refused a spec PyTorch runs: {exc.message}"
            assert exc.param == "input_size"
            event("tap cap")
            return
        x, w, b = torch_tensors(arrays, built)
        try:
            check_constructor(raw)
            with torch.no_grad():
                expected = torch_forward(raw, x, w, b)
        except TORCH_ERRORS as exc:
            pytest.fail(f"engine accepted a spec PyTorch refuses ({exc}): {spec}")
        values = expected[0] if isinstance(expected, tuple) else expected
        assume(values.numel() > 0)
        trace = run(built)
        # one tap per (step, kernel cell, input channel of the group), within the cap
        taps = expected_taps({**raw, "view": view, "in_channels": built.in_channels, "groups": built.groups}, tuple(values.shape[1:]))
        assert trace.tap_product.size == taps <= MAX_TAPS
        exact = meta["integers"]  # default arrays are small integers too
        assert_same_output(trace.output, values[0].numpy(), exact, f"{raw['op']} {view or ''} {spec}")
        if raw["op"] == "max_pool2d":
            # the winning tap's input cell is the one return_indices names (first maximum)
            idx = expected[1][0].numpy().ravel()
            real = np.isfinite(trace.step_value)  # windows wholly on padding: -inf, no index
            h, w_ = built.input_size
            read = trace.tap_tensor[np.arange(trace.steps), trace.winner] % (h * w_)
            np.testing.assert_array_equal(read[real], idx[real])
        event(f"{raw['op']} {view or ''} {raw.get('padding_mode', '')} {'int' if meta['integers'] else 'float'}")


def _outputs_test(op: str):
    @settings(max_examples=examples(EXAMPLES[op]), **SETTINGS)
    @given(case=raw_specs(op=op))
    def test(case):
        check_output(*case)

    test.__doc__ = f"{op}: the engine's output equals PyTorch's for random valid specs."
    return test


test_conv2d_outputs_match_pytorch = _outputs_test("conv2d")
test_conv_transpose2d_outputs_match_pytorch = _outputs_test("conv_transpose2d")
test_max_pool2d_outputs_match_pytorch = _outputs_test("max_pool2d")
test_avg_pool2d_outputs_match_pytorch = _outputs_test("avg_pool2d")


@settings(max_examples=examples(3000), **SETTINGS)
@given(case=raw_specs(wide=True))
def test_engine_accepts_exactly_what_pytorch_accepts(case):
    raw, meta = case
    meta = {**meta, "arrays": "given", "infer_channels": False}
    spec, arrays = with_arrays(raw, meta)
    expected, torch_error = torch_verdict(raw, arrays)
    try:
        trace = run(build_spec(spec))
    except SpecError as exc:
        if torch_error is None:
            out = expected[0] if isinstance(expected, tuple) else expected
            taps = expected_taps(raw, tuple(out.shape[1:]))
            assert exc.code == "too_many_taps" and taps > MAX_TAPS, f"engine refused what PyTorch accepts: {exc.message} -- {raw}"
            event("both accept, engine cap")
            return
        event(f"both refuse: {exc.code}")
        return
    assert torch_error is None, f"engine accepted what PyTorch refuses ({torch_error}) -- {raw}"
    out = expected[0] if isinstance(expected, tuple) else expected
    assert_same_output(trace.output, out[0].numpy(), meta["integers"], str(raw))
    event(f"both accept: {raw['op']}")


# ---------------------------------------------------------------- named corners
# Each spec sits on one side of one of PyTorch's rules; PyTorch decides which.

CORNERS = [
    # circular padding may equal the input side; one more wraps twice
    {"op": "conv2d", "input_size": 3, "kernel_size": 3, "padding": 3, "padding_mode": "circular"},
    {"op": "conv2d", "input_size": 3, "kernel_size": 3, "padding": 4, "padding_mode": "circular"},
    {"op": "conv2d", "input_size": [1, 4], "kernel_size": 1, "padding": [1, 0], "padding_mode": "circular"},
    {"op": "conv2d", "input_size": [4, 2], "kernel_size": 2, "padding": {"top": 0, "bottom": 0, "left": 2, "right": 3}, "padding_mode": "circular"},
    # reflect padding must be smaller than the input side
    {"op": "conv2d", "input_size": 3, "kernel_size": 3, "padding": 2, "padding_mode": "reflect"},
    {"op": "conv2d", "input_size": 3, "kernel_size": 3, "padding": 3, "padding_mode": "reflect"},
    {"op": "conv2d", "input_size": [1, 5], "kernel_size": 1, "padding": [1, 0], "padding_mode": "reflect"},
    {"op": "conv2d", "input_size": [1, 5], "kernel_size": 1, "padding": [0, 2], "padding_mode": "reflect"},
    {"op": "conv2d", "input_size": [3, 3], "kernel_size": [2, 2], "padding": {"top": 2, "bottom": 0, "left": 0, "right": 0}, "padding_mode": "reflect"},
    {"op": "conv2d", "input_size": [3, 3], "kernel_size": [2, 2], "padding": {"top": 3, "bottom": 0, "left": 0, "right": 0}, "padding_mode": "reflect"},
    # replicate: any padding
    {"op": "conv2d", "input_size": 1, "kernel_size": 3, "padding": 3, "padding_mode": "replicate"},
    # 'same': stride 1 only, even kernels put the extra on the bottom/right, any padding_mode
    {"op": "conv2d", "input_size": 5, "kernel_size": 4, "padding": "same"},
    {"op": "conv2d", "input_size": 5, "kernel_size": [4, 3], "dilation": [1, 2], "padding": "same", "padding_mode": "reflect"},
    {"op": "conv2d", "input_size": 5, "kernel_size": [2, 2], "dilation": 3, "padding": "same", "padding_mode": "circular"},
    {"op": "conv2d", "input_size": 5, "kernel_size": 3, "stride": 2, "padding": "same"},
    {"op": "conv2d", "input_size": 5, "kernel_size": 3, "stride": [1, 2], "padding": "same", "padding_mode": "replicate"},
    {"op": "conv2d", "input_size": 5, "kernel_size": 3, "stride": 2, "padding": "valid"},
    # the (dilated) kernel against the padded input
    {"op": "conv2d", "input_size": 4, "kernel_size": 3, "dilation": 2},
    {"op": "conv2d", "input_size": 5, "kernel_size": 3, "dilation": 2},
    {"op": "conv2d", "input_size": 4, "kernel_size": 3, "dilation": 2, "padding": {"top": 1, "bottom": 0, "left": 0, "right": 1}},
    {"op": "conv2d", "input_size": 2, "kernel_size": 5, "padding": [2, 1]},
    # groups
    {"op": "conv2d", "input_size": 4, "in_channels": 4, "out_channels": 4, "groups": 4},
    {"op": "conv2d", "input_size": 4, "in_channels": 2, "out_channels": 4, "groups": 2},
    {"op": "conv2d", "input_size": 4, "in_channels": 4, "out_channels": 2, "groups": 4},
    {"op": "conv2d", "input_size": 4, "in_channels": 3, "out_channels": 3, "groups": 2},
    {"op": "conv_transpose2d", "input_size": 3, "in_channels": 2, "out_channels": 3, "groups": 2},
    {"op": "conv_transpose2d", "input_size": 3, "in_channels": 4, "out_channels": 2, "groups": 2},
    # output_padding must be smaller than the stride or the dilation
    {"op": "conv_transpose2d", "input_size": 3, "stride": 2, "output_padding": 1},
    {"op": "conv_transpose2d", "input_size": 3, "stride": 2, "output_padding": 2},
    {"op": "conv_transpose2d", "input_size": 3, "dilation": 3, "output_padding": 2},
    {"op": "conv_transpose2d", "input_size": 3, "stride": [2, 1], "dilation": [1, 2], "output_padding": [1, 1]},
    {"op": "conv_transpose2d", "input_size": 3, "stride": [2, 1], "output_padding": [1, 1]},
    # transposed padding may crop down to a single cell, never to nothing
    {"op": "conv_transpose2d", "input_size": 2, "kernel_size": 1, "padding": 0},
    {"op": "conv_transpose2d", "input_size": 3, "kernel_size": 1, "padding": 1},
    {"op": "conv_transpose2d", "input_size": 2, "kernel_size": 1, "padding": 1},
    {"op": "conv_transpose2d", "input_size": 2, "kernel_size": 1, "stride": 3, "padding": 1, "output_padding": 2},
    {"op": "conv_transpose2d", "input_size": 2, "kernel_size": 3, "padding": 3},
    # pooling padding: at most half the kernel
    {"op": "max_pool2d", "input_size": 5, "kernel_size": 3, "padding": 1},
    {"op": "max_pool2d", "input_size": 5, "kernel_size": 3, "padding": 2},
    {"op": "max_pool2d", "input_size": 5, "kernel_size": 2, "dilation": 3, "padding": 2},
    {"op": "max_pool2d", "input_size": 5, "kernel_size": [4, 1], "padding": [2, 0]},
    {"op": "max_pool2d", "input_size": 5, "kernel_size": [4, 1], "padding": [2, 1]},
    {"op": "avg_pool2d", "input_size": 5, "kernel_size": 2, "padding": 1},
    {"op": "avg_pool2d", "input_size": 5, "kernel_size": 2, "padding": 2},
    # ceil_mode: a last window that would start in the right padding is dropped ...
    {"op": "max_pool2d", "input_size": 5, "kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True},
    {"op": "avg_pool2d", "input_size": 4, "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"op": "avg_pool2d", "input_size": 4, "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
    {"op": "avg_pool2d", "input_size": 6, "kernel_size": 3, "stride": 3, "padding": 1, "ceil_mode": True},
    # ... one that starts inside the input may hang past it, even when the kernel is larger than the input
    {"op": "max_pool2d", "input_size": 2, "kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"op": "avg_pool2d", "input_size": 2, "kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"op": "max_pool2d", "input_size": 2, "kernel_size": 3, "stride": 1, "ceil_mode": True},
    {"op": "avg_pool2d", "input_size": 1, "kernel_size": 3, "stride": 3, "ceil_mode": True},
    {"op": "avg_pool2d", "input_size": 1, "kernel_size": 3, "stride": 3, "padding": 1, "ceil_mode": True},
    {"op": "max_pool2d", "input_size": 1, "kernel_size": 4, "stride": 3, "padding": 2, "ceil_mode": True},
    {"op": "max_pool2d", "input_size": 7, "kernel_size": 2, "stride": 3, "ceil_mode": True},
    {"op": "avg_pool2d", "input_size": 7, "kernel_size": 2, "stride": 3, "ceil_mode": True},
    # a dilated max-pool window can fall wholly on padding: -inf, as in PyTorch
    {"op": "max_pool2d", "input_size": 1, "kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2},
    {"op": "max_pool2d", "input_size": [3, 1], "kernel_size": 2, "stride": 1, "padding": 1, "dilation": [1, 2]},
    # default stride of pooling is the kernel
    {"op": "avg_pool2d", "input_size": 7, "kernel_size": [2, 3]},
    {"op": "max_pool2d", "input_size": 7, "kernel_size": 3, "ceil_mode": True},
]


def _complete(raw: dict) -> dict:
    """The fields torch_truth needs spelled out (the engine's defaults are PyTorch's / the paper's)."""
    raw = {"kernel_size": 3, **raw}
    if raw["op"].startswith("conv"):
        raw.setdefault("in_channels", 1)
        raw.setdefault("out_channels", raw["in_channels"])
    return raw


def _corner_id(raw):
    return "-".join(f"{k}={v}" for k, v in raw.items() if k != "op").replace(" ", "")[:80]


@pytest.mark.parametrize("raw", CORNERS, ids=[f"{r['op']}:{_corner_id(r)}" for r in CORNERS])
@pytest.mark.parametrize("integers", [True, False])
def test_named_corners(raw, integers):
    meta = {"seed": 7, "integers": integers, "bias": raw["op"].startswith("conv"), "arrays": "given",
            "flat_input": False, "infer_channels": False}
    raw = _complete(raw)
    spec, arrays = with_arrays(raw, meta)
    expected, torch_error = torch_verdict(raw, arrays)
    views = ("gather", "scatter") if raw["op"] == "conv_transpose2d" else (None,)
    for view in views:
        if view:
            spec["view"] = view
        if torch_error is not None:
            with pytest.raises(SpecError):
                build_spec(spec)
            continue
        trace = run(build_spec(spec))
        out = expected[0] if isinstance(expected, tuple) else expected
        assert_same_output(trace.output, out[0].numpy(), integers, str(spec))


def test_corners_cover_both_sides_of_every_rule():
    """The list above is only useful if PyTorch really accepts some and refuses others."""
    verdicts = []
    for raw in CORNERS:
        raw = _complete(raw)
        meta = {"seed": 1, "integers": True, "arrays": "given", "flat_input": False, "infer_channels": False}
        verdicts.append(torch_verdict(raw, with_arrays(raw, meta)[1])[1] is None)
    assert 15 <= sum(verdicts) <= len(verdicts) - 15


def test_default_arrays_follow_pytorch_defaults():
    """A spec with nothing but the op and sizes: PyTorch's defaults (stride 1 / kernel, padding 0, no bias)."""
    for op in ("conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"):
        raw = {"op": op, "input_size": 6, "kernel_size": 2}
        built = build_spec(raw)
        x, w, b = torch_tensors({}, built)
        assert b is None
        with torch.no_grad():
            out = torch_forward(raw, x, w, None)
        out = out[0] if isinstance(out, tuple) else out
        np.testing.assert_array_equal(run(built).output, out[0].numpy())


@pytest.mark.parametrize("seed", range(3))
def test_largest_allowed_trace_matches_pytorch(seed):
    """Near the caps (64x64, 8 channels, 11x11 kernel): still the same numbers."""
    rng = np.random.default_rng(seed)
    raw = {"op": "conv2d", "input_size": 64, "in_channels": 8, "out_channels": 8, "groups": 8, "kernel_size": 3,
           "stride": 3, "padding": 1, "padding_mode": ["reflect", "replicate", "circular"][seed]}
    arrays = {"input": rng.uniform(-1e3, 1e3, (8, 64, 64)), "weight": rng.uniform(-1, 1, (8, 1, 3, 3)), "bias": rng.normal(size=8)}
    spec = {**raw, **{k: v.tolist() for k, v in arrays.items()}}
    out = run(build_spec(spec)).output
    x, w, b = torch_tensors(arrays)
    assert expected_taps(raw, out.shape) <= MAX_TAPS
    with torch.no_grad():
        np.testing.assert_allclose(out, torch_forward(raw, x, w, b)[0].numpy(), rtol=1e-10, atol=1e-8)
    big = {"op": "max_pool2d", "input_size": 64, "in_channels": 1, "kernel_size": 11, "stride": 5, "padding": 5, "ceil_mode": True}
    xin = rng.integers(-50, 50, (1, 64, 64)).astype(float)
    t = run(build_spec({**big, "input": xin.tolist()}))
    np.testing.assert_array_equal(t.output, torch_forward(big, torch.tensor(xin)[None])[0][0].numpy())
