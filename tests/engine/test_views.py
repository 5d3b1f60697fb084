"""The matrix form and the backward pass, against torch.autograd.

The matrix C of a linear operation is its Jacobian: torch.autograd.functional.jacobian
computes it independently. The backward pass's grad_input, grad_weight and grad_bias
are what autograd puts in .grad for the same random dL/dY.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.engine import SpecError, build_spec, run
from app.engine import backward as bw
from app.engine import matrix
from torch_truth import SETTINGS, examples, raw_specs, torch_forward, torch_tensors, torch_verdict, with_arrays

LINEAR_OPS = ("conv2d", "conv_transpose2d", "avg_pool2d")
ALL_OPS = LINEAR_OPS + ("max_pool2d",)


def _small(raw: dict) -> bool:
    h, w = (raw["input_size"], raw["input_size"]) if isinstance(raw["input_size"], int) else raw["input_size"]
    return h * w * raw.get("in_channels", 1) <= 64


def _built(raw, meta, view=None):
    spec, arrays = with_arrays(raw, {**meta, "arrays": "given"})
    if view:
        spec["view"] = view
    out, err = torch_verdict(raw, arrays)
    assume(err is None)
    try:
        built = build_spec(spec)
    except SpecError:
        assume(False)
    return built, arrays


def _forward(raw, w, b):
    def f(x):
        out = torch_forward(raw, x[None], w, b)
        return (out[0] if isinstance(out, tuple) else out)[0]
    return f


@settings(max_examples=examples(300), **SETTINGS)
@given(case=st.sampled_from(LINEAR_OPS).flatmap(lambda op: raw_specs(op=op)), view=st.sampled_from(["gather", "scatter"]))
def test_the_matrix_is_the_jacobian(case, view):
    raw, meta = case
    assume(_small(raw))
    built, arrays = _built(raw, meta, view if raw["op"] == "conv_transpose2d" else None)
    trace = run(built)
    x, w, b = torch_tensors(arrays)
    jac = torch.autograd.functional.jacobian(_forward(raw, w, None), x[0]).reshape(trace.output.size, -1).numpy()
    C = matrix.dense(trace)
    np.testing.assert_allclose(C, jac, rtol=1e-12, atol=1e-12)
    flat = built.input.ravel()
    expected = C @ flat + (0 if built.bias is None else np.repeat(built.bias, trace.output[0].size))
    np.testing.assert_allclose(trace.output.ravel(), expected, rtol=1e-10, atol=1e-10)


@settings(max_examples=examples(200), **SETTINGS)
@given(case=raw_specs(op="conv_transpose2d"))
def test_the_transposed_matrix_is_the_transpose_of_the_matching_conv2d(case):
    raw, meta = case
    assume(_small(raw))
    built, _ = _built(raw, meta)
    conv = matrix.transpose_of(built)
    if conv is None:
        assert any(o >= s for o, s in zip(built.output_padding, built.stride))
        return
    oh, ow = run(built).output.shape[1:]
    assume(max(oh, ow) <= 64)
    try:
        conv_spec = build_spec({**conv, "weight": built.weight.tolist()})
    except SpecError:
        assume(False)
    np.testing.assert_array_equal(matrix.dense(run(built)), matrix.dense(run(conv_spec)).T)


@settings(max_examples=examples(300), **SETTINGS)
@given(case=raw_specs(op="conv2d"))
def test_im2col_is_unfold(case):
    raw, meta = case
    built, arrays = _built(raw, meta)
    from torch_truth import conv2d_sides, torch_pad

    x = torch.tensor(built.input)[None]
    padded = torch_pad(x, conv2d_sides(raw), raw.get("padding_mode", "zeros"))
    expected = F.unfold(padded, built.kernel_size, dilation=built.dilation, stride=built.stride)[0].numpy()
    np.testing.assert_array_equal(matrix.im2col(run(built)), expected)


def test_max_pooling_has_no_matrix():
    try:
        matrix.entries(run(build_spec({"op": "max_pool2d"})))
    except SpecError as e:
        assert e.param == "op" and e.code == "not_linear" and "not linear" in e.message
    else:
        raise AssertionError("max pooling is not linear: no matrix")


@settings(max_examples=examples(400), **SETTINGS)
@given(case=st.sampled_from(ALL_OPS).flatmap(lambda op: raw_specs(op=op)), view=st.sampled_from(["gather", "scatter"]),
       seed=st.integers(0, 2**16))
def test_gradients_equal_autograd(case, view, seed):
    raw, meta = case
    built, arrays = _built({**raw}, {**meta, "bias": True}, view if raw["op"] == "conv_transpose2d" else None)
    trace = run(built)
    # a dilated max window of padding only gives -inf; PyTorch's backward then writes through a bad
    # index and corrupts its heap (seen here: "malloc(): unaligned tcache chunk"), so it is no truth there
    assume(np.isfinite(trace.step_value).all())
    g = np.random.default_rng(seed).integers(-3, 4, trace.output.shape).astype(np.float64)
    b = bw.backward(trace, g.tolist())
    x, w, bias = torch_tensors(arrays)
    x.requires_grad_(True)
    params = [t for t in (w, bias) if t is not None]
    for t in params:
        t.requires_grad_(True)
    out = torch_forward(raw, x, w, bias)
    out = out[0] if isinstance(out, tuple) else out
    out.backward(torch.tensor(g)[None])
    np.testing.assert_allclose(b.grad_input, x.grad[0].numpy(), rtol=1e-12, atol=1e-12)
    if w is not None:
        np.testing.assert_allclose(b.grad_weight, w.grad.numpy(), rtol=1e-12, atol=1e-12)
    if bias is not None:
        np.testing.assert_allclose(b.grad_bias, bias.grad.numpy(), rtol=1e-12, atol=1e-12)
    # each step's products add up to its grad_input cell
    np.testing.assert_allclose(np.nansum(b.tap_product, axis=1), b.grad_input.ravel(), rtol=1e-12, atol=1e-12)


@settings(max_examples=examples(300), **SETTINGS)
@given(case=st.sampled_from(("conv2d", "conv_transpose2d")).flatmap(lambda op: raw_specs(op=op)), seed=st.integers(0, 2**16))
def test_the_drawn_full_convolution_gives_the_gradient(case, seed):
    raw, meta = case
    built, _ = _built(raw, meta)
    trace = run(built)
    g = np.random.default_rng(seed).integers(-3, 4, trace.output.shape).astype(np.float64)
    drawn = bw.drawn_as(built, g)
    if drawn is None:
        assert raw["op"] == "conv2d" and (built.padding_mode != "zeros" or not built.padding.symmetric) or raw["op"] == "conv_transpose2d"
        return
    try:
        as_op = run(build_spec(drawn))
    except SpecError as e:
        assume(e.code == "too_many_taps")
        return
    np.testing.assert_allclose(as_op.output, bw.backward(trace, g.tolist()).grad_input, rtol=1e-12, atol=1e-12)


def test_a_hand_worked_gradient():
    # 3x3 input, 2x2 kernel of ones, stride 1: each input cell's gradient counts the windows that cover it
    b = bw.backward(run(build_spec({"input_size": 3, "kernel_size": 2, "weight": [[1, 1], [1, 1]]})), [[[1, 1], [1, 1]]])
    np.testing.assert_array_equal(b.grad_input[0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_a_max_window_of_padding_only_sends_nothing_back():
    # a 1x1 input, kernel 2, dilation 2, padding 1: the one window's taps (corners of a 3x3) all read padding
    trace = run(build_spec({"op": "max_pool2d", "input_size": 1, "kernel_size": 2, "dilation": 2, "padding": 1, "stride": 1}))
    assert not np.isfinite(trace.step_value).all()
    b = bw.backward(trace, np.ones(trace.output.shape).tolist())
    finite = np.isfinite(trace.step_value)
    assert b.grad_input.sum() == finite.sum()   # each finite window sends its 1 to its winner; -inf windows send nothing


def test_a_bad_grad_output_is_refused():
    trace = run(build_spec({"input_size": 5}))
    for bad, code in (([[1, 2], [3, 4]], "bad_shape"), ([[float("nan")] * 3] * 3, "not_finite")):
        try:
            bw.backward(trace, bad)
        except SpecError as e:
            assert e.param == "grad_output" and e.code == code
        else:
            raise AssertionError(f"{bad} must be refused")


def test_operations_whose_taps_are_not_plain_products_are_refused_not_differentiated_wrongly():
    # a mask's rescaling (partial conv, also as conv2d's partial padding) and bilinear samples (deformable)
    for raw in ({"op": "partial_conv2d", "input_size": 6}, {"input_size": 5, "padding": 1, "padding_mode": "partial"},
                {"op": "deform_conv2d", "input_size": 5}, {"op": "gated_conv2d", "input_size": 5}):
        trace = run(build_spec(raw))
        for view in (matrix.entries, bw.backward):
            try:
                view(trace)
            except SpecError as e:
                assert e.param == "op" and e.code == "no_linear_view", (raw, e.message)
            else:
                raise AssertionError(f"{raw}: {view.__name__} must refuse")


def test_upsampling_and_adaptive_pooling_have_exact_gradients():
    for raw in ({"op": "upsample", "input_size": 3, "scale_factor": 2, "mode": "bilinear"},
                {"op": "adaptive_avg_pool2d", "input_size": 5, "output_size": 3},
                {"op": "adaptive_max_pool2d", "input_size": 5, "output_size": 2}):
        built = build_spec(raw)
        trace = run(built)
        g = np.arange(trace.output.size, dtype=np.float64).reshape(trace.output.shape) - 2
        x = torch.tensor(built.input, requires_grad=True)
        if raw["op"] == "upsample":
            out = F.interpolate(x[None], scale_factor=2, mode="bilinear")[0]
        elif raw["op"] == "adaptive_avg_pool2d":
            out = F.adaptive_avg_pool2d(x[None], 3)[0]
        else:
            out = F.adaptive_max_pool2d(x[None], 2)[0]
        out.backward(torch.tensor(g))
        np.testing.assert_allclose(bw.backward(trace, g.tolist()).grad_input, x.grad.numpy(), rtol=1e-12, atol=1e-12)
