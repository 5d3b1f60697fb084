"""The engine against PyTorch: outputs, accepted specs, and every tap (via autograd).

PyTorch (torch.nn / torch.nn.functional, float64) is the independent truth. Specs
are drawn at random by hypothesis over every op and option, small enough to run
thousands of examples in CI.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from app.engine import SpecError, build_spec, run

SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@st.composite
def specs(draw, ops=("conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d")):
    op = draw(st.sampled_from(ops))
    h, w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    spec = {"op": op, "input_size": [h, w], "kernel_size": [kh, kw]}
    pair = lambda lo, hi: st.one_of(st.integers(lo, hi), st.lists(st.integers(lo, hi), min_size=2, max_size=2))  # noqa: E731
    spec["stride"] = draw(pair(1, 3))
    if op in ("conv2d", "conv_transpose2d"):
        groups = draw(st.integers(1, 3))
        spec["groups"] = groups
        spec["in_channels"] = groups * draw(st.integers(1, 2))
        spec["out_channels"] = groups * draw(st.integers(1, 2))
        spec["dilation"] = draw(pair(1, 3))
        spec["bias"] = draw(st.booleans())
    else:
        spec["in_channels"] = draw(st.integers(1, 2))
    if op == "conv2d":
        spec["padding"] = draw(st.one_of(
            pair(0, 3), st.sampled_from(["valid", "same", "full"]),
            st.fixed_dictionaries({k: st.integers(0, 3) for k in ("top", "bottom", "left", "right")})))
        spec["padding_mode"] = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    elif op == "conv_transpose2d":
        spec["padding"] = draw(pair(0, 3))
        spec["output_padding"] = draw(pair(0, 2))
        spec["view"] = draw(st.sampled_from(["gather", "scatter"]))
    else:
        spec["padding"] = draw(pair(0, 2))
        spec["ceil_mode"] = draw(st.booleans())
        if op == "max_pool2d":
            spec["dilation"] = draw(pair(1, 2))
        else:
            spec["count_include_pad"] = draw(st.booleans())
    spec["seed"] = draw(st.integers(0, 2**31 - 1))
    spec["integers"] = draw(st.booleans())
    return spec


def _pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


def arrays(spec: dict) -> dict:
    """Random inputs, weights and bias for a spec (integers or floats)."""
    rng = np.random.default_rng(spec["seed"])
    make = (lambda shape: rng.integers(-3, 4, shape).astype(float)) if spec["integers"] else (lambda shape: rng.normal(size=shape).round(4))
    h, w = spec["input_size"]
    out = {"input": make((spec["in_channels"], h, w))}
    kh, kw = spec["kernel_size"]
    if spec["op"] == "conv2d":
        out["weight"] = make((spec["out_channels"], spec["in_channels"] // spec["groups"], kh, kw))
    elif spec["op"] == "conv_transpose2d":
        out["weight"] = make((spec["in_channels"], spec["out_channels"] // spec["groups"], kh, kw))
    if spec.get("bias"):
        out["bias"] = make((spec["out_channels"],))
    return out


def torch_forward(spec: dict, values: dict, x: torch.Tensor | None = None, weight: torch.Tensor | None = None):
    """What PyTorch computes for the spec; raises whatever PyTorch raises."""
    x = torch.tensor(values["input"])[None] if x is None else x
    op = spec["op"]
    stride, pad = _pair(spec["stride"]), spec["padding"]
    if op in ("conv2d", "conv_transpose2d"):
        w = torch.tensor(values["weight"]) if weight is None else weight
        b = torch.tensor(values["bias"]) if "bias" in values else None
        d, g = _pair(spec["dilation"]), spec["groups"]
        if op == "conv_transpose2d":
            return F.conv_transpose2d(x, w, b, stride, _pair(pad), _pair(spec["output_padding"]), g, d)
        mode = spec["padding_mode"]
        if pad == "full":
            pad = tuple(dd * (k - 1) for dd, k in zip(d, spec["kernel_size"]))
        if isinstance(pad, dict):
            x = F.pad(x, (pad["left"], pad["right"], pad["top"], pad["bottom"]), mode="constant" if mode == "zeros" else mode)
            return F.conv2d(x, w, b, stride, 0, d, g)
        # nn.Conv2d itself: its own reading of padding strings and padding modes
        module = torch.nn.Conv2d(spec["in_channels"], spec["out_channels"], tuple(spec["kernel_size"]), stride,
                                 pad if isinstance(pad, str) else _pair(pad), d, g, b is not None, mode).double()
        params = {"weight": w, **({"bias": b} if b is not None else {})}
        return torch.func.functional_call(module, params, (x,))
    k, p = tuple(spec["kernel_size"]), _pair(pad)
    if op == "max_pool2d":
        return F.max_pool2d(x, k, stride, p, _pair(spec["dilation"]), spec["ceil_mode"], return_indices=True)
    return F.avg_pool2d(x, k, stride, p, spec["ceil_mode"], spec["count_include_pad"])


def engine_spec(spec: dict, values: dict) -> dict:
    raw = {k: v for k, v in spec.items() if k not in ("seed", "integers", "bias")}
    return {**raw, **{k: v.tolist() for k, v in values.items()}}


def torch_or_error(spec, values):
    try:
        with torch.no_grad():
            out = torch_forward(spec, values)
    except (RuntimeError, ValueError) as exc:
        return None, exc
    first = out[0] if isinstance(out, tuple) else out
    if first.numel() == 0:
        return None, RuntimeError("empty output")
    return out, None


@settings(max_examples=1500, **SETTINGS)
@given(spec=specs())
def test_outputs_and_acceptance_match_pytorch(spec):
    torch.set_default_dtype(torch.float64)
    values = arrays(spec)
    expected, error = torch_or_error(spec, values)
    try:
        trace = run(build_spec(engine_spec(spec, values)))
    except SpecError as exc:
        assert error is not None, f"engine refused what PyTorch accepts: {exc.message}"
        event(f"both refuse ({exc.param})")
        return
    event(f"both accept: {spec['op']}")
    assert error is None, f"engine accepted what PyTorch refuses ({error})"
    out = expected[0] if isinstance(expected, tuple) else expected
    np.testing.assert_allclose(trace.output, out[0].numpy(), rtol=1e-9, atol=1e-9)
    if spec["op"] == "max_pool2d":
        # the winning tap reads the cell PyTorch's return_indices names
        h, w = spec["input_size"]
        real = np.isfinite(trace.step_value)  # -inf windows (padding only) have no meaningful index
        read = trace.tap_tensor[np.arange(trace.steps), trace.winner] % (h * w)
        assert (read[real] == expected[1][0].numpy().ravel()[real]).all()


@settings(max_examples=300, **SETTINGS)
@given(spec=specs(ops=("conv2d", "conv_transpose2d")))
def test_taps_are_exactly_what_autograd_says_each_output_reads(spec):
    """d out[c,y,x] / d input and / d weight, from PyTorch, equal the taps' sums."""
    torch.set_default_dtype(torch.float64)
    values = arrays({**spec, "integers": False})
    expected, error = torch_or_error(spec, values)
    assume(error is None)
    trace = run(build_spec(engine_spec(spec, values)))
    x = torch.tensor(values["input"])[None].requires_grad_(True)
    wt = torch.tensor(values["weight"]).requires_grad_(True)
    out = torch_forward(spec, values, x, wt)[0]
    weight = trace.spec.weight.ravel()
    canvas = trace.canvas.values.ravel()
    if spec.get("view") == "scatter":
        # each output cell = sum of the products stamped into it (plus bias)
        acc = np.zeros(trace.output.size)
        ok = trace.tap_tensor >= 0
        np.add.at(acc, trace.tap_tensor[ok], trace.tap_product[ok])
        bias = values.get("bias", np.zeros(spec["out_channels"]))
        np.testing.assert_allclose(acc.reshape(trace.output.shape) + bias[:, None, None], out.detach().numpy(), rtol=1e-9, atol=1e-9)
        return
    flat = out.reshape(-1)
    for s in range(0, trace.steps, max(1, trace.steps // 6)):
        gx, gw = torch.autograd.grad(flat[int(trace.step_index[s])], (x, wt), retain_graph=True)
        want_x = np.zeros(x.numel())
        ok = trace.tap_tensor[s] >= 0
        np.add.at(want_x, trace.tap_tensor[s][ok], weight[trace.tap_weight[s][ok]])
        np.testing.assert_allclose(gx.numpy().ravel(), want_x, atol=1e-9)
        want_w = np.zeros(wt.numel())
        np.add.at(want_w, trace.tap_weight[s], canvas[trace.tap_canvas[s]])
        np.testing.assert_allclose(gw.numpy().ravel(), want_w, atol=1e-9)
        # and the step's value is its products summed, plus the bias
        bias = values.get("bias", np.zeros(spec["out_channels"]))[int(trace.step_index[s]) // (trace.output.shape[1] * trace.output.shape[2])]
        assert trace.tap_product[s].sum() + bias == pytest.approx(trace.step_value[s], abs=1e-9)


@settings(max_examples=300, **SETTINGS)
@given(spec=specs(ops=("avg_pool2d", "max_pool2d")))
def test_pooling_windows_match_autograd(spec):
    """For avg pooling, d out / d input is 1/divisor on exactly the window's input cells."""
    torch.set_default_dtype(torch.float64)
    values = arrays({**spec, "integers": False})
    expected, error = torch_or_error(spec, values)
    assume(error is None)
    trace = run(build_spec(engine_spec(spec, values)))
    if spec["op"] == "max_pool2d":
        products = np.where(np.isnan(trace.tap_product), -np.inf, trace.tap_product)
        assert (products.max(axis=1) == trace.step_value).all()
        return
    x = torch.tensor(values["input"])[None].requires_grad_(True)
    flat = torch_forward(spec, values, x).reshape(-1)
    for s in range(trace.steps):
        (gx,) = torch.autograd.grad(flat[s], (x,), retain_graph=True)
        want = np.zeros(x.numel())
        ok = trace.tap_tensor[s] >= 0
        np.add.at(want, trace.tap_tensor[s][ok], 1.0 / trace.divisor[s])
        np.testing.assert_allclose(gx.numpy().ravel(), want, atol=1e-12)
