"""The teaching views' pictures against torch: the matrix drawn (read back from the SVG)
is autograd's Jacobian, the lit row of each frame is the window F.unfold takes, the
im2col product is F.unfold's, and the backward picture's numbers are autograd's gradient."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from app.engine import SpecError, build_spec, run
from app.render.options import build_options
from app.render.teaching import build_view_scene
from app.render.writers import writer

POINTS = re.compile(r'<polygon points="([^"]+)" fill="none" stroke')
FILLED = re.compile(r'<polygon points="([^"]+)" fill="(#[0-9a-f]{6})"')
TEXT = re.compile(r'<text x="([-\d.]+)" y="([-\d.]+)"[^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>')

CONV = {"input_size": [4, 5], "kernel_size": [3, 2], "stride": [1, 2], "padding": 1,
        "weight": [[[[1, -2], [3, 4], [5, -6]]]], "input": np.arange(1, 21).reshape(1, 4, 5).tolist()}


def jacobian(spec: dict) -> np.ndarray:
    x = torch.tensor(spec["input"], dtype=torch.float64)[None]
    w = torch.tensor(spec["weight"], dtype=torch.float64)
    if spec.get("op") == "conv_transpose2d":
        fn = lambda t: F.conv_transpose2d(t, w, stride=spec["stride"], padding=spec["padding"])  # noqa: E731
    else:
        fn = lambda t: F.conv2d(t, w, stride=spec["stride"], padding=spec["padding"])  # noqa: E731
    j = torch.autograd.functional.jacobian(fn, x)
    return j.reshape(fn(x).numel(), x.numel()).numpy()


def box(points: str):
    pts = [tuple(map(float, p.split(","))) for p in points.split()]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def drawn_matrix(svg: str, shape) -> np.ndarray:
    """The numbers written inside the largest outlined block of the picture (C), placed by cell."""
    x0, y0, x1, y1 = max((box(p) for p in POINTS.findall(svg)), key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    rows, cols = shape
    assert (x1 - x0) / cols == pytest.approx((y1 - y0) / rows, abs=0.05)   # square cells
    out = np.zeros(shape)
    for x, y, text in TEXT.findall(svg):
        x, y = float(x), float(y)
        if x0 < x < x1 and y0 < y < y1:
            out[int((y - y0) / (y1 - y0) * rows), int((x - x0) / (x1 - x0) * cols)] = float(text)
    return out


def scene(name, spec, **options):
    return build_view_scene(name, run(build_spec(spec)), build_options(options))


def test_the_matrix_written_in_the_svg_is_the_jacobian():
    j = jacobian({**CONV, "stride": [1, 2], "padding": 1})
    svg = writer("svg").write(scene("matrix", CONV, numbers=True), 0).decode()
    assert np.array_equal(drawn_matrix(svg, j.shape), j)


def test_the_transposed_matrix_is_drawn_as_the_jacobian_transposed():
    spec = {"op": "conv_transpose2d", "input_size": 3, "kernel_size": 3, "stride": 2, "padding": 1,
            "weight": np.arange(1, 10).reshape(1, 1, 3, 3).tolist(), "input": np.arange(1, 10).reshape(1, 3, 3).tolist()}
    j = jacobian(spec)   # [25 outputs, 9 inputs]
    sc = scene("matrix", spec, numbers=True)
    assert sc["meta"]["highlight"] == "column"
    svg = writer("svg").write(sc, 0).decode()
    assert np.array_equal(drawn_matrix(svg, j.T.shape), j.T)


def lit(sc, frame: int, prefix: str) -> set:
    """Cells a frame tints among the polygons named prefix:..."""
    tap = [k for k, v in sc["styles"].items() if k == "tap"]
    return {it["poly"] for it in sc["frames"][frame]["items"] if it.get("poly", "").startswith(prefix) and it["style"] in tap}


def test_each_frame_lights_the_window_unfold_takes_and_autograd_differentiates():
    sc = scene("matrix", CONV)
    j = jacobian(CONV)
    h, w = CONV["input_size"]
    # F.unfold of the cell numbers (padding marked -1): each column is one window's input cells
    cells = torch.arange(h * w, dtype=torch.float64).reshape(1, 1, h, w)
    windows = F.unfold(F.pad(cells, (1, 1, 1, 1), value=-1), (3, 2), stride=(1, 2))[0].T
    assert len(sc["frames"]) == j.shape[0] == windows.shape[0]
    for r in range(j.shape[0]):
        from_unfold = {f"input:0:{int(i) // w}:{int(i) % w}" for i in windows[r].tolist() if i >= 0}
        from_autograd = {f"input:0:{i // w}:{i % w}" for i in np.flatnonzero(j[r])}
        assert lit(sc, r, "input:") == from_unfold == from_autograd


def test_the_matrix_png_shows_the_nonzero_pattern():
    """Decoded pixels: every C cell off the lit row is pale where the Jacobian is nonzero, white where it is zero."""
    j = jacobian(CONV)
    sc = scene("matrix", CONV)
    svg = writer("svg").write(sc, 0).decode()
    x0, y0, x1, y1 = max((box(p) for p in POINTS.findall(svg)), key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    img = np.asarray(Image.open(io.BytesIO(writer("png").write(sc, 0))).convert("RGB")).astype(int)
    rows, cols = j.shape
    u = (x1 - x0) / cols
    for r in range(1, rows):   # frame 0 lights row 0
        for c in range(cols):
            px = img[int(y0 + (r + 0.5) * u + 0.25 * u), int(x0 + (c + 0.5) * u + 0.25 * u)]
            assert (px.sum() < 3 * 250) == (j[r, c] != 0), (r, c, px)


def test_im2col_draws_unfold_and_the_product_is_the_output():
    spec = {**CONV, "stride": 1}
    sc = scene("im2col", spec, numbers=True)
    x = torch.tensor(spec["input"], dtype=torch.float64)[None]
    unfold = F.unfold(x, (3, 2), padding=1)[0].numpy()   # [6, windows]
    svg = writer("svg").write(sc, 0).decode()
    assert np.array_equal(drawn_matrix(svg, unfold.shape), unfold)
    out = F.conv2d(x, torch.tensor(spec["weight"], dtype=torch.float64), padding=1)[0, 0].numpy().ravel()
    sums = [it["text"] for f in sc["frames"] for it in f["items"] if it.get("text", "").startswith("Y[")]
    assert [float(s.rsplit("= ", 1)[1]) for s in sums] == out.tolist()


@pytest.mark.parametrize("spec", [
    {"input_size": 4, "kernel_size": 3, "stride": 2, "padding": 1},
    {"op": "max_pool2d", "input_size": 4, "kernel_size": 2},
    {"op": "avg_pool2d", "input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1},
])
def test_the_backward_picture_writes_autograds_gradient(spec):
    trace = run(build_spec(spec))
    x = torch.tensor(trace.spec.input, dtype=torch.float64, requires_grad=True)[None]
    x.retain_grad()
    k = spec["kernel_size"]
    s, p = spec.get("stride", k if "pool" in spec.get("op", "") else 1), spec.get("padding", 0)
    op = spec.get("op", "conv2d")
    y = {"conv2d": lambda: F.conv2d(x, torch.tensor(trace.spec.weight), stride=s, padding=p),
         "max_pool2d": lambda: F.max_pool2d(x, k, s, p), "avg_pool2d": lambda: F.avg_pool2d(x, k, s, p)}[op]()
    g = torch.arange(1, y.numel() + 1, dtype=torch.float64).reshape(y.shape)
    y.backward(g)
    sc = build_view_scene("backward", trace, build_options({"numbers": True}), grad_output=g[0].tolist())
    truth = x.grad[0, 0].numpy()
    # one frame per input cell, in order; each writes the sum that makes its gradient
    assert sc["meta"]["steps"] == list(range(truth.size))
    for i, frame in enumerate(sc["frames"]):
        sums = [it["text"] for it in frame["items"] if " = " in it.get("text", "")]
        assert len(sums) == 1 and float(sums[0].rsplit("= ", 1)[1]) == pytest.approx(truth.ravel()[i], abs=0.005), (i, sums)   # written with 2 decimals
    written = [it["text"] for it in sc["base"] if it.get("text", "").startswith("dL/dX = [")]
    if truth.size <= 16:   # the formula line writes the whole gradient out
        assert np.allclose(json.loads(written[0].split("= ", 1)[1]), truth, atol=0.005)


def test_views_refuse_what_they_cannot_draw():
    with pytest.raises(SpecError) as e:
        scene("im2col", {"op": "avg_pool2d", "input_size": 4, "kernel_size": 2})
    assert e.value.param == "op" and e.value.code == "no_im2col"
    with pytest.raises(SpecError) as e:   # partial padding rescales each window: the output is not W · unfold
        scene("im2col", {"input_size": 4, "padding": 1, "padding_mode": "partial"})
    assert e.value.code == "no_linear_view"
    with pytest.raises(SpecError) as e:
        scene("matrix", {"input_size": 30, "kernel_size": 1})
    assert e.value.code == "matrix_too_large"


def test_the_forward_picture_lights_the_outputs_whose_gradient_reaches_each_input_cell():
    """Frame i of the backward view tints, in the forward picture, exactly the outputs o with dy[o]/dx[i] != 0."""
    j = jacobian(CONV)   # [outputs, inputs]
    sc = scene("backward", CONV)
    ow = 3   # CONV's output is 4x3
    assert len(sc["frames"]) == j.shape[1]
    for i, frame in enumerate(sc["frames"]):
        lit = {it["poly"] for it in frame["items"] if it.get("poly", "").startswith("out:") and it["style"] == "tap"}
        assert lit == {f"out:0:{o // ow}:{o % ow}" for o in np.flatnonzero(j[:, i])}, i


@pytest.mark.parametrize("spec", [
    {"input_size": [5, 4], "kernel_size": 3, "dilation": 2, "padding": [2, 1], "in_channels": 2, "out_channels": 2},
    {"input_size": 4, "kernel_size": 2, "in_channels": 4, "out_channels": 2, "groups": 2, "stride": 2},
    {"input_size": 5, "kernel_size": 3, "padding": 1, "padding_mode": "reflect"},
    {"op": "conv_transpose2d", "input_size": 3, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1, "out_channels": 2},
    {"op": "conv_transpose2d", "input_size": 3, "kernel_size": 2, "stride": 2, "view": "scatter"},
])
def test_every_frame_lights_the_cells_autograd_links(spec):
    """Frame s lights on the input grid the input cells and on the output grid the output cells that
    torch's Jacobian links through the step s computes (conv2d and gather: an output cell's row of J;
    scatter: an input cell's column)."""
    trace = run(build_spec(spec))
    s = trace.spec
    x = torch.tensor(s.input, dtype=torch.float64)[None]
    w = torch.tensor(s.weight, dtype=torch.float64)
    if s.op == "conv2d":
        mode = {"zeros": "constant"}.get(s.padding_mode, s.padding_mode)
        pad = (s.padding.left, s.padding.right, s.padding.top, s.padding.bottom)
        fn = lambda t: F.conv2d(F.pad(t, pad, mode=mode), w, stride=s.stride, dilation=s.dilation, groups=s.groups)  # noqa: E731
    else:
        fn = lambda t: F.conv_transpose2d(t, w, stride=s.stride, padding=(s.padding.top, s.padding.left),  # noqa: E731
                                          output_padding=s.output_padding, dilation=s.dilation, groups=s.groups)
    out = fn(x)
    j = torch.autograd.functional.jacobian(fn, x).reshape(out.numel(), x.numel()).numpy()
    sc = build_view_scene("matrix", trace, build_options({}))
    name = lambda prefix, shape, flat: "{}:{}:{}:{}".format(prefix, *np.unravel_index(flat, shape))  # noqa: E731
    for f, step in enumerate(trace.step_index.tolist()):
        if s.view == "scatter":   # step = an input cell, stamping its column of J
            ins, outs = [step], np.flatnonzero(j[:, step])
        else:                     # step = an output cell, reading its row of J
            ins, outs = np.flatnonzero(j[step]), [step]
        assert lit(sc, f, "input:") == {name("input", x.shape[1:], i) for i in ins}, f
        assert lit(sc, f, "output:") == {name("output", out.shape[1:], o) for o in outs}, f
