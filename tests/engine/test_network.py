"""Networks: every refusal names the layer and field; receptive fields by hand; presets' numbers; permalinks.

The numbers here are worked out by hand (fields of textbook stacks, the separable
Sobel's multiplications, 1/N + 1/k^2); values against PyTorch are in
test_network_torch.py.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings

from app.engine import SpecError
from app.engine.network import build_network, dependency_field
from app.engine.network_text import parse_layers, query
from app.engine.networks_presets import PRESETS, compare, get
from network_truth import stacks
from torch_truth import SETTINGS, examples

C = "conv2d"

REFUSALS = [
    # what comes from the layer below
    ({"input_size": 8, "in_channels": 4, "layers": [{"op": C, "out_channels": 4}, {"op": C, "groups": 3}]},
     "layers[1].groups", "net_groups_divide", "layers[1].groups: 3 does not divide the 4 channels coming from layers[0]",
     "layers[1].groups：3 不能整除来自 layers[0] 的 4 个通道"),
    ({"input_size": 6, "in_channels": 3, "layers": [{"op": C, "groups": 2, "out_channels": 4}]},
     "layers[0].groups", "net_groups_divide", "layers[0].groups: 2 does not divide the 3 channels coming from the network's input",
     "layers[0].groups：2 不能整除来自网络输入的 3 个通道"),
    ({"input_size": 8, "layers": [{"op": C}, {"op": C}, {"op": C, "dilation": 2}]},
     "layers[2].kernel_size", "net_kernel_too_large",
     "layers[2].kernel_size: the dilated kernel (5x5) is larger than the padded input (4x4) it receives from layers[1]",
     "layers[2].kernel_size：膨胀后的卷积核（5x5）比它从 layers[1] 收到的填充后输入（4x4）还大"),
    ({"input_size": 4, "layers": [{"op": "max_pool2d", "kernel_size": 2}, {"op": C}]},
     "layers[1].kernel_size", "net_kernel_too_large", "the kernel (3x3) is larger than the padded input (2x2) it receives from layers[0]", None),
    # the catalogue's own wording, under the layer's path
    ({"layers": [{"op": C, "stride": 0}]}, "layers[0].stride", "too_small", "layers[0].stride: must be at least 1 (got 0)", "layers[0].stride：必须至少为 1（收到 0）"),
    ({"layers": [{"op": C}, {"op": "max_pool2d", "groups": 2}]}, "layers[1].groups", "not_for_op",
     "layers[1].groups: max_pool2d has no groups; conv2d, conv_transpose2d", None),
    ({"layers": [{"op": "avg_pool2d", "out_channels": 2}]}, "layers[0].out_channels", "keeps_channels",
     "avg_pool2d keeps the channel count: leave it out or set it to in_channels (1)", None),
    ({"layers": [{"op": "conv3d"}]}, "layers[0].op", "not_choice", "layers[0].op: must be one of", None),
    ({"input_size": [5, 1], "layers": [{"op": C, "weight": [[1, 2]]}]}, "layers[0].kernel_size", "net_kernel_too_large",
     "the kernel (1x2) is larger than the padded input (5x1) it receives from the network's input", None),
    ({"in_channels": 2, "layers": [{"op": C, "weight": [[[[1]]]]}]}, "layers[0].weight", "bad_shape",
     "layers[0].weight: expected shape [1][2][1][1]", None),
    ({"layers": [{"op": C, "colour": 1}]}, "layers[0].colour", "unknown_field",
     "layers[0].colour: is not a field of conv2d; its fields are op, out_channels, groups", None),
    # what the network's input sets is not a layer's to say
    ({"layers": [{"op": C, "in_channels": 2}]}, "layers[0].in_channels", "net_from_previous",
     "layers[0].in_channels: comes from the network's input; leave it out of the layer", "layers[0].in_channels：由网络输入决定；请不要在层中给出"),
    ({"layers": [{"op": C}, {"op": C, "input_size": 3}]}, "layers[1].input_size", "net_from_previous", "comes from layers[0]; leave it out", None),
    ({"layers": [{"op": C}, {"input": [[1]]}]}, "layers[1].input", "net_from_previous", "comes from layers[0]", None),
    # the network itself
    ({"layers": []}, "layers", "net_no_layers", "layers: must be a list of at least one layer (got [])", "layers：必须是至少含一层的列表（收到 []）"),
    ({}, "layers", "net_no_layers", "must be a list of at least one layer (got null)", None),
    ({"layers": {"op": C}}, "layers", "net_no_layers", "must be a list of at least one layer", None),
    ({"layers": [{"op": C, "kernel_size": 1}] * 9}, "layers", "net_too_many_layers", "layers: a network has at most 8 layers (got 9)", "网络最多 8 层（收到 9）"),
    ({"layers": [{"op": C}, "conv2d"]}, "layers[1]", "net_layer_not_object", "layers[1]: must be an object with the layer's fields", None),
    ({"layers": [{"op": C}], "depth": 3}, "depth", "unknown_field", "depth: is not a field of a network; its fields are input_size, in_channels, input, layers", None),
    ({"input_size": 65, "layers": [{"op": C}]}, "input_size", "too_large", "input_size: must be at most 64", None),
    ({"in_channels": 2, "input": [[1, 2], [3, 4]], "layers": [{"op": C}]}, "input", "bad_shape", "input: expected shape [2][2][2]", None),
    ({"input": [[1, float("nan")]], "layers": [{"op": C, "kernel_size": 1}]}, "input", "not_finite", "input: values must be finite", None),
    # the caps: 50,000 taps per layer (the trace's), 200,000 in all
    # 25x25 outputs x 8 x 8 channels = 40,000 taps a layer: five make 200,000, the sixth is one too many
    ({"input_size": 25, "in_channels": 8, "layers": [{"op": C, "kernel_size": 1}] * 6}, "layers[5]", "net_too_many_taps",
     "layers[5]: the network would have 240,000 taps by this layer, more than the 200,000 allowed in all", "到此层为止网络将有 240,000 个抽头"),
    ({"input_size": 64, "in_channels": 2, "layers": [{"op": C, "kernel_size": 5, "out_channels": 2}]}, "layers[0].input_size", "too_many_taps",
     "layers[0].input_size: this trace would have", None),
    # -inf out of a max pool whose window covers only padding cannot feed another layer
    ({"input_size": 1, "layers": [{"op": "max_pool2d", "kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2}, {"op": C, "kernel_size": 1}]},
     "layers[1]", "net_not_finite", "layers[1]: the values coming from layers[0] are not all finite", None),
]


@pytest.mark.parametrize("raw, param, code, en, zh", REFUSALS, ids=[f"{r[1]}:{r[2]}:{i}" for i, r in enumerate(REFUSALS)])
def test_refusal_names_the_layer_and_field(raw, param, code, en, zh):
    with pytest.raises(SpecError) as err:
        build_network(raw)
    e = err.value
    assert (e.param, e.code) == (param, code), e.message
    assert e.message.startswith(param + ": ") and en in e.message, e.message
    if zh is not None:
        assert zh in e.text("zh"), e.text("zh")
    assert e.as_dict()["msg"] == e.message


def test_a_max_pool_of_only_padding_gives_minus_infinity_as_pytorch():
    """The setting above that feeds -inf onward: alone, it runs (its one window reads cells -1 and 1: padding only)."""
    import torch

    net = build_network({"input_size": 1, "layers": [{"op": "max_pool2d", "kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2}]})
    x = torch.tensor(np.asarray(net.input))[None]
    want = torch.nn.functional.max_pool2d(x, 2, 1, 1, 2)[0].numpy()
    np.testing.assert_array_equal(net.traces[0].output, want)
    assert np.isinf(want).any()


def test_map_and_cell_are_checked():
    net = build_network({"input_size": 5, "layers": [{"op": C}]})
    for m, cell, param, words in [(2, [0, 0, 0], "map", "map: must be from 0 (the input) to 1 (the output of layers[0]); got 2"),
                                  (-1, [0, 0, 0], "map", "got -1"), (True, [0, 0, 0], "map", "got True"),
                                  (1, [0, 3, 0], "cell", "cell: must be [c, y, x] inside map 1 of shape [1][3][3]; got [0, 3, 0]"),
                                  (1, [0, 0], "cell", "inside map 1"), (1, "0,0,0", "cell", "inside map 1"), (0, [1, 0, 0], "cell", "of shape [1][5][5]")]:
        with pytest.raises(SpecError) as err:
            dependency_field(net, m, cell)
        assert err.value.param == param and words in err.value.message


# ---------------------------------------------------------------- receptive fields worked by hand

def _rf(layers, size=32, channels=1):
    return json.loads(build_network({"input_size": size, "in_channels": channels, "layers": layers}).to_json())["receptive_field"]


def test_resnet_stem_field_jump_and_start():
    # conv 7x7/2 pad 3: r 7, j 2, start -3+3 = 0; max pool 3x3/2 pad 1: r 7+2*2 = 11, j 4, start 0+(1-1)*2 = 0
    rf = _rf([{"op": C, "kernel_size": 7, "stride": 2, "padding": 3}, {"op": "max_pool2d", "kernel_size": 3, "stride": 2, "padding": 1}])
    assert [(r["size"], r["jump"], r["start"]) for r in rf] == [([7, 7], [2, 2], [0, 0]), ([11, 11], [4, 4], [0, 0])]
    assert rf[1]["substituted"][0] == {"size": "r = 7 + 1*(3-1)*2 = 11", "jump": "j = 2*2 = 4", "start": "start = 0 + (1*(3-1)/2 - 1)*2 = 0"}
    assert all(r["rule"] == "recurrence" for r in rf)


def test_unpadded_stack_starts_inside_and_uneven_sides():
    # 3x5 kernel, no padding: start (1, 2); then 2x2 pool stride 2: r (4, 6), j 2, start (1.5, 2.5)
    rf = _rf([{"op": C, "kernel_size": [3, 5]}, {"op": "avg_pool2d", "kernel_size": 2}])
    assert rf[0]["size"] == [3, 5] and rf[0]["start"] == [1, 2]
    assert rf[1]["size"] == [4, 6] and rf[1]["jump"] == [2, 2] and rf[1]["start"] == [1.5, 2.5]


def test_dilated_stack_sees_15_and_plain_7():
    dilated = _rf([{"op": C, "dilation": d} for d in (1, 2, 4)], size=16)
    plain = _rf([{"op": C}] * 3, size=16)
    assert [r["size"][0] for r in dilated] == [3, 7, 15] and [r["size"][0] for r in plain] == [3, 5, 7]
    assert dilated[-1]["exact_size"] == [15, 15] and plain[-1]["exact_size"] == [7, 7]


def test_transposed_fields_come_from_the_taps():
    # 1-D by hand: conv k3 s2 p1 on 8 -> 4 (field 3, jump 2, start 0); transposed k3 s2 p1 op1 back to 8:
    # output o reads inputs i with o = 2i - 1 + k, k in 0..2: odd o read one cell i = (o+1)/2 ... or two at even o:
    # o = 2: i = 1 (k=1) ; o = 3: i = 1 (k=2), 2 (k=0) -> cells 1, 2 of the middle map, fields [0..4] in input pixels: 5
    net = build_network({"input_size": 8, "layers": [{"op": C, "stride": 2, "padding": 1},
                                                     {"op": "conv_transpose2d", "stride": 2, "padding": 1, "output_padding": 1}]})
    rf = json.loads(net.to_json())["receptive_field"]
    assert rf[1]["rule"] == "taps" and rf[1]["size"] == [5, 5] and rf[1]["jump"] == [1, 1]
    # output (0,0): o = 0 reads i = 0 (k=1) only; middle cell 0 reads input -1..1 -> 0..1: centre 0.5
    assert rf[1]["start"] == [0.5, 0.5]
    field = dependency_field(net, 2, [0, 3, 3])
    assert field["exact_box"] == {"top": 1, "bottom": 5, "left": 1, "right": 5}
    assert field["theoretical_box"] is None
    assert [c[1:] for c in field["below"][1]["cells"]] == [[1, 1], [1, 2], [2, 1], [2, 2]]


@settings(max_examples=examples(400), **SETTINGS)
@given(stacks())
def test_exact_field_lies_in_the_recurrence_field_and_fills_it_inside_the_input(case):
    """For sliding layers with zero padding, the composed taps and the formula agree wherever borders do not cut."""
    net_raw, _, _, _, refused = case
    layers = net_raw["layers"]
    if refused is not None or any(l["op"] == "conv_transpose2d" or l.get("padding_mode", "zeros") != "zeros" for l in layers):
        return
    try:
        net = build_network(net_raw)
    except SpecError:
        return
    h, w = net.input.shape[1:]
    last = len(net.traces)
    c, oh, ow = net.maps[last].shape
    for y in range(oh):
        for x in range(ow):
            f = dependency_field(net, last, [0, y, x])
            theo, exact = f["theoretical_box"], f["exact_box"]
            inside = theo["top"] >= 0 and theo["left"] >= 0 and theo["bottom"] <= h - 1 and theo["right"] <= w - 1
            if exact is None:
                assert not inside
                continue
            assert theo["top"] <= exact["top"] and exact["bottom"] <= theo["bottom"]
            assert theo["left"] <= exact["left"] and exact["right"] <= theo["right"]
            if inside:
                assert exact == theo


# ---------------------------------------------------------------- presets: the numbers side by side

def test_depthwise_separable_costs_one_over_n_plus_one_over_k_squared():
    c = compare(get("depthwise_separable"))
    sep, std = c["sides"]
    assert sep["output_shape"] == std["output_shape"] == [8, 8, 8]
    assert (sep["params"], std["params"]) == (4 * 9 + 8 * 4, 8 * 4 * 9)
    assert (sep["macs"], std["macs"]) == (64 * (4 * 9 + 8 * 4), 64 * 8 * 4 * 9)
    assert Fraction(sep["params"], std["params"]) == Fraction(1, 8) + Fraction(1, 9) == Fraction(sep["macs"], std["macs"])
    assert c["ratio"]["params"] == pytest.approx(1 / 8 + 1 / 9)


def test_separable_sobel_equals_the_3x3_sobel_with_72_multiplications_instead_of_81():
    p = get("spatially_separable")
    c = compare(p)
    assert [s["macs"] for s in c["sides"]] == [3 * 5 * 3 + 3 * 3 * 3, 3 * 3 * 9] == [72, 81]
    a, b = (build_network(spec) for _, spec in p.sides)
    np.testing.assert_array_equal(a.traces[-1].output, b.traces[-1].output)
    # by hand on the default input (the paper's 5x5): Sobel-x at the top-left
    x = np.asarray(a.input[0])
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert b.traces[-1].output[0, 0, 0] == (x[:3, :3] * sobel).sum()


def test_dilated_preset_fields_15_vs_7_and_its_gridding():
    p = get("dilated_stack")
    c = compare(p)
    assert [s["receptive_field"]["size"] for s in c["sides"]] == [[15, 15], [7, 7]]
    dilated = build_network(p.sides[0][1])
    paths = np.array(dependency_field(dilated, 3, [0, 0, 0])["paths"])[0]
    # 1-D paths of dilations 1, 2, 4 (3 taps each): offsets 0..14, counts (1,1,1)*(1,0,1,0,1)*(1,0,0,0,1,0,0,0,1)
    one_d = np.convolve(np.convolve([1, 1, 1], [1, 0, 1, 0, 1]), [1, 0, 0, 0, 1, 0, 0, 0, 1])
    np.testing.assert_array_equal(paths[:15, :15], np.outer(one_d, one_d))
    assert (one_d == 1).any() and one_d.max() == 3   # uneven: the gridding of a dilated stack


def test_encoder_decoder_comes_back_to_the_input_size():
    (label, spec), = get("encoder_decoder").sides
    net = build_network(spec)
    assert net.traces[0].output.shape == (2, 4, 4) and net.traces[-1].output.shape == net.input.shape == (1, 8, 8)


def test_checkerboard_overlap_is_uneven_for_the_transposed_conv_only():
    p = get("checkerboard")
    a, b = (build_network(spec) for _, spec in p.sides)
    over_a = json.loads(a.to_json())["overlap"][-1][0]
    over_b = json.loads(b.to_json())["overlap"][-1][0]
    inner_a = np.array(over_a)[1:-1, 1:-1]
    # transposed k3 s2 p1: odd rows/cols read one input row/col, even ones two: 1, 2 or 4 cells
    assert set(np.unique(inner_a)) == {1, 2, 4}
    assert inner_a[0, 0] == 4 and inner_a[0, 1] == 2 and inner_a[1, 1] == 1
    assert set(np.unique(np.array(over_b)[1:-1, 1:-1])) == {9}
    # the stand-in for nearest upsampling (until an upsample operation exists) is exactly nearest upsampling
    up = b.traces[0].output[0]
    np.testing.assert_array_equal(up, np.repeat(np.repeat(np.asarray(b.input[0]), 2, 0), 2, 1))


def test_vgg_two_3x3_see_what_one_5x5_sees_with_fewer_weights():
    c = compare(get("vgg"))
    two, one = c["sides"]
    assert two["receptive_field"]["size"] == one["receptive_field"]["size"] == [5, 5]
    assert (two["params"], one["params"]) == (2 * 4 * 4 * 9, 4 * 4 * 25)
    assert two["output_shape"] == one["output_shape"] == [4, 5, 5]


def test_every_preset_builds():
    assert {p.slug for p in PRESETS} == {"depthwise_separable", "spatially_separable", "dilated_stack", "encoder_decoder", "checkerboard", "vgg"}
    for p in PRESETS:
        assert p.title.zh and p.lesson.zh
        compare(p)


# ---------------------------------------------------------------- the readable query

HAND = [
    ("conv2d:k3:s2;max_pool2d:k2", [{"op": "conv2d", "kernel_size": 3, "stride": 2}, {"op": "max_pool2d", "kernel_size": 2}]),
    ("conv2d:out_channels=4:k=3x5:p=same:reflect", [{"op": "conv2d", "out_channels": 4, "kernel_size": [3, 5], "padding": "same", "padding_mode": "reflect"}]),
    ("conv_transpose2d:s2:p1:op1:scatter", [{"op": "conv_transpose2d", "stride": 2, "padding": 1, "output_padding": 1, "view": "scatter"}]),
    ("max_pool2d:k3:ceil;avg_pool2d:k2:count_include_pad=false", [{"op": "max_pool2d", "kernel_size": 3, "ceil_mode": True},
                                                                  {"op": "avg_pool2d", "kernel_size": 2, "count_include_pad": False}]),
    ('conv2d:p={"top":1,"left":2}:weight=[[1,2,1]];', [{"op": "conv2d", "padding": {"top": 1, "left": 2}, "weight": [[1, 2, 1]]}]),
    ('[{"op":"conv2d","stride":2}]', [{"op": "conv2d", "stride": 2}]),
]


@pytest.mark.parametrize("text, layers", HAND)
def test_readable_layers(text, layers):
    assert parse_layers(text) == layers


@pytest.mark.parametrize("text, param, code", [
    ("conv2d:k3:zz", "layers[0]", "net_bad_token"),
    ("conv2d;conv9", "layers[1].op", "not_choice"),
    ("conv2d:k=1,a", "layers[0].kernel_size", "not_number"),
    ("conv2d:weight=[1,", "layers[0].weight", "bad_json"),
])
def test_unreadable_layers(text, param, code):
    with pytest.raises(SpecError) as err:
        parse_layers(text)
    assert (err.value.param, err.value.code) == (param, code)
    assert err.value.message.startswith(param + ": ")


@settings(max_examples=examples(300), **SETTINGS)
@given(stacks())
def test_query_round_trips(case):
    net_raw, _, _, _, _ = case
    try:
        net = build_network(net_raw)
    except SpecError:
        return
    from urllib.parse import parse_qsl

    raw = {}
    for k, v in parse_qsl(query(net)):
        raw[k] = parse_layers(v) if k == "layers" else json.loads(v) if v[:1] == "[" else v
    raw["input_size"] = [int(n) for n in raw["input_size"].split("x")] if "x" in raw["input_size"] else int(raw["input_size"])
    if "in_channels" in raw:
        raw["in_channels"] = int(raw["in_channels"])
    again = build_network(raw)
    assert again.canonical() == net.canonical()
    assert again.to_json() == net.to_json()


def test_a_reduction_without_a_known_gradient_gives_paths_but_no_gradient():
    """A future operation whose reduction backward.contributions does not know (a gate, say)."""
    from dataclasses import replace

    from app.engine.network import Network

    net = build_network({"input_size": 5, "layers": [{"op": C}, {"op": C}]})
    gated = Network(input=net.input, input_given=False, specs=net.specs,
                    traces=(net.traces[0], replace(net.traces[1], reduction="gated")))
    known, unknown = dependency_field(net, 2, [0, 0, 0]), dependency_field(gated, 2, [0, 0, 0])
    assert unknown["gradient"] is None and known["gradient"] is not None
    assert unknown["paths"] == known["paths"] and unknown["below"] == known["below"]
    assert dependency_field(gated, 1, [0, 0, 0])["gradient"] == dependency_field(net, 1, [0, 0, 0])["gradient"]


def test_a_body_that_is_not_an_object():
    with pytest.raises(SpecError) as err:
        build_network([{"op": C}])
    assert (err.value.param, err.value.code) == ("body", "not_object")


def test_field_numbers_are_written_as_a_trace_writes_one_number():
    """Arrays converted at once (a field's paths and gradient, a trace's maps) read as trace.number reads each value."""
    from app.engine.trace import _plain, number

    values = np.array([0.0, -0.0, 1.0, -3.0, 2.5, 1e-300, 2.0**53, 2.0**53 + 2, -(2.0**60), np.nan, np.inf, -np.inf, 7.000001])
    arr = np.concatenate([values, np.random.default_rng(3).normal(size=11) * 10 ** np.arange(11)]).reshape(2, 3, 4)
    got = _plain(arr)
    want = [[[number(v) for v in row] for row in plane] for plane in arr.tolist()]
    assert got == want
    assert [[[type(v) for v in row] for row in plane] for plane in got] == [[[type(v) for v in row] for row in plane] for plane in want]
