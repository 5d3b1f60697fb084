"""The paper's numerical figures and the reference animations' shapes."""

from __future__ import annotations

import numpy as np

from app.engine import trace


def test_numerical_figures_reproduced_exactly(reference):
    num = reference["numerical"]
    for fig in num["figures"]:
        spec = {"op": fig["op"], "input_size": 5, "kernel_size": fig["kernel_size"], "stride": fig["stride"],
                "padding": fig["padding"], "input": num["input"]}
        if fig["op"] == "conv2d":
            spec["weight"] = num["kernel"]
        out = trace(spec).output[0]
        np.testing.assert_array_equal(out, np.array(fig["expected"], dtype=float), err_msg=fig["name"])


def test_default_values_are_the_papers(reference):
    """With no arrays given, a 5x5 input and 3x3 kernel show the paper's numbers."""
    num = reference["numerical"]
    t = trace({})
    np.testing.assert_array_equal(t.spec.input[0], num["input"])
    np.testing.assert_array_equal(t.spec.weight[0, 0], num["kernel"])
    assert t.output[0].tolist() == num["figures"][0]["expected"]


def test_reference_animations_have_their_sizes_and_frames(reference):
    for row in reference["animations"]:
        spec = {k: row[k] for k in ("op", "input_size", "kernel_size", "stride", "padding", "dilation")}
        if row["op"] == "conv_transpose2d":
            spec["output_padding"] = row["output_padding"]
        t = trace(spec)
        assert list(t.output.shape[1:]) == row["output_size"], row["name"]
        assert t.steps == row["anchor_frames"], row["name"]


def test_defaults_are_stable_when_the_input_grows():
    small = trace({"input_size": 6}).spec.input[0]
    large = trace({"input_size": 9}).spec.input[0]
    np.testing.assert_array_equal(large[:6, :6], small)
