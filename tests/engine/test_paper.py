"""The paper's numerical figures, exactly, and the reference animations' sizes and frame counts.

The reference data is tests/data/conv_arithmetic.json (Dumoulin & Visin, "A guide to convolution
arithmetic for deep learning", arXiv:1603.07285, in PyTorch terms; see tests/data/README.md).
A missing file is a failure, not a skip: these are the project's acceptance numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.engine import trace

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "conv_arithmetic.json"


@pytest.fixture(scope="module")
def reference() -> dict:
    if not REFERENCE.is_file():
        pytest.fail(f"reference data not found at {REFERENCE}; these tests check the engine against it "
                    "and must not be skipped", pytrace=False)
    return json.loads(REFERENCE.read_text())


def _figures():
    if not REFERENCE.is_file():
        return ["missing"]
    return json.loads(REFERENCE.read_text())["numerical"]["figures"]


def _animations():
    if not REFERENCE.is_file():
        return ["missing"]
    return json.loads(REFERENCE.read_text())["animations"]


def test_reference_has_what_these_tests_need(reference):
    assert len(reference["numerical"]["figures"]) == 4
    assert {f["op"] for f in reference["numerical"]["figures"]} == {"conv2d", "avg_pool2d", "max_pool2d"}
    assert len(reference["animations"]) == 15
    assert np.array(reference["numerical"]["input"]).shape == (5, 5)
    assert np.array(reference["numerical"]["kernel"]).shape == (3, 3)


@pytest.mark.parametrize("fig", _figures(), ids=lambda f: f["name"] if isinstance(f, dict) else f)
def test_numerical_figure_reproduced_exactly(reference, fig):
    num = reference["numerical"]
    spec = {"op": fig["op"], "kernel_size": fig["kernel_size"], "stride": fig["stride"], "padding": fig["padding"],
            "input": num["input"]}
    if fig["op"] == "conv2d":
        spec["weight"] = num["kernel"]
    t = trace(spec)
    expected = np.array(fig["expected"], dtype=np.float64)
    assert t.output.shape == (1,) + expected.shape
    # exactly: bit for bit, including the averages (15/9 is the same double on both sides)
    assert t.output[0].tolist() == expected.tolist(), fig["name"]
    # and the JSON says the same numbers
    assert t.to_dict()["output"][0] == [[int(v) if float(v).is_integer() else v for v in row] for row in fig["expected"]]


@pytest.mark.parametrize("fig", _figures(), ids=lambda f: f["name"] if isinstance(f, dict) else f)
def test_numerical_figure_from_the_default_values(reference, fig):
    """With no arrays given, a 5x5 input and a 3x3 kernel are the paper's numbers, so the default spec shows its figures."""
    num = reference["numerical"]
    t = trace({"op": fig["op"], "input_size": 5, "kernel_size": fig["kernel_size"], "stride": fig["stride"], "padding": fig["padding"]})
    assert t.spec.input[0].tolist() == num["input"]
    if fig["op"] == "conv2d":
        assert t.spec.weight[0, 0].tolist() == num["kernel"]
    assert t.output[0].tolist() == np.array(fig["expected"], dtype=np.float64).tolist()


@pytest.mark.parametrize("row", _animations(), ids=lambda r: r["name"] if isinstance(r, dict) else r)
def test_reference_animation_size_and_frames(reference, row):
    spec = {k: row[k] for k in ("op", "input_size", "kernel_size", "stride", "padding", "dilation")}
    if row["op"] == "conv_transpose2d":
        spec["output_padding"] = row["output_padding"]
    t = trace(spec)
    assert list(t.output.shape[1:]) == row["output_size"], row["name"]
    assert t.to_dict()["output_size"] == row["output_size"], row["name"]
    assert [a["value"] for a in t.arithmetic["output_size"]] == row["output_size"], row["name"]
    # one frame per output cell: the reference GIFs draw the gather view
    assert t.steps == row["anchor_frames"], row["name"]
