"""Networks against torch.nn.Sequential and torch.autograd, over thousands of random stacks.

Every layer's values, the total parameters, the refusals (a layer PyTorch refuses is
refused under its path, layers[i].field), the exact dependency sets, the path counts
and the gradients of a random cell: PyTorch computes every expected number.
"""

from __future__ import annotations

import json

import numpy as np
import torch
from hypothesis import event, given, settings
from hypothesis import strategies as st

from app.engine import SpecError, build_spec, run
from app.engine.network import build_network, dependency_field
from network_truth import ones_layer, stacks, torch_layer
from torch_truth import SETTINGS, examples


def _built(net_raw, arrays, x, refused):
    """The engine's network, or None when it refuses as it must (checked here)."""
    try:
        return build_network(net_raw)
    except SpecError as e:
        assert refused is not None or e.code == "net_not_finite", f"engine refused a stack PyTorch runs: {e.message}"
        if e.code != "net_not_finite":
            assert e.param.startswith(f"layers[{refused}]"), e.message
        event("refused")
        return None


def _sequential(net_raw, net, arrays) -> torch.nn.Sequential:
    """The equivalent nn.Sequential; weights the test gave, else the engine's position-fixed defaults (an input, not an answer)."""
    modules = []
    for raw, (weight, bias), spec in zip(net_raw["layers"], arrays, net.specs):
        if weight is None and spec.weight is not None:
            weight = np.asarray(spec.weight)
        modules.append(torch_layer(raw, spec.in_channels, weight, bias))
    return torch.nn.Sequential(*modules)


def _torch_maps(seq, x: torch.Tensor) -> list[torch.Tensor]:
    maps = [x]
    for m in seq:
        maps.append(m(maps[-1]))
    return maps


@settings(max_examples=examples(2000), **SETTINGS)
@given(stacks())
def test_every_layer_matches_nn_sequential(case):
    net_raw, arrays, x, integers, refused = case
    net = _built(net_raw, arrays, x, refused)
    if net is None:
        return
    assert refused is None, f"engine ran a stack PyTorch refuses at layers[{refused}]: {net_raw['layers'][refused]}"
    seq = _sequential(net_raw, net, arrays)
    xin = torch.tensor(np.asarray(net.input))[None]
    if x is not None:
        np.testing.assert_array_equal(net.input, x)
    with torch.no_grad():
        maps = _torch_maps(seq, xin)
    for i, (trace, expected) in enumerate(zip(net.traces, maps[1:])):
        want = expected[0].numpy()
        assert trace.output.shape == want.shape, f"layers[{i}]"
        fed = maps[i].numpy()
        if integers and np.array_equal(fed, np.round(fed)):  # integral inputs: every sum exact on both sides
            np.testing.assert_array_equal(trace.output, want, err_msg=f"layers[{i}]")
        else:
            np.testing.assert_allclose(trace.output, want, rtol=1e-9, atol=1e-9, err_msg=f"layers[{i}]")
    assert net.params == sum(p.numel() for p in seq.parameters())
    event(f"{len(net.traces)} layers")


@settings(max_examples=examples(200), **SETTINGS)
@given(stacks(max_layers=3))
def test_each_layer_trace_is_what_the_trace_endpoint_gives_for_its_input(case):
    net_raw, arrays, x, integers, refused = case
    net = _built(net_raw, arrays, x, refused)
    if net is None:
        return
    for t in net.traces:
        spec = json.loads(t.to_json())["spec"]
        if max(np.abs(np.asarray(spec["input"])).max(), 0) > 1e6:
            continue   # beyond a single trace's value cap
        assert run(build_spec(spec)).to_json() == t.to_json()


@settings(max_examples=examples(500), **SETTINGS)
@given(stacks(), st.data())
def test_dependency_sets_paths_and_gradients_against_autograd(case, data):
    net_raw, arrays, x, integers, refused = case
    net = _built(net_raw, arrays, x, refused)
    if net is None:
        return
    seq = _sequential(net_raw, net, arrays)
    m = data.draw(st.integers(0, len(net.traces)), label="map")
    shape = net.maps[m].shape
    cell = [data.draw(st.integers(0, n - 1), label=f"cell[{a}]") for a, n in enumerate(shape)]
    got = dependency_field(net, m, cell)

    # the gradient with the real weights
    xin = torch.tensor(np.asarray(net.input))[None].requires_grad_(True)
    maps = _torch_maps(seq, xin)
    maps[m][(0, *cell)].backward()
    np.testing.assert_allclose(_array(got["gradient"]), xin.grad[0].numpy(), rtol=1e-9, atol=1e-9)

    # paths: the same stack with every weight 1 and pools summing; the sets below are where they are non-zero
    ones = torch.nn.Sequential(*(ones_layer(mod, net.maps[i].shape[0], net.maps[i + 1].shape[1:]) for i, mod in enumerate(seq)))
    xo = torch.ones((1,) + net.input.shape, dtype=torch.float64, requires_grad=True)
    omaps = [xo]
    for mod in ones:
        omaps.append(mod(omaps[-1]))
        omaps[-1].retain_grad()
    for k, o in enumerate(omaps[1:], 1):
        assert tuple(o.shape[1:]) == net.maps[k].shape
    omaps[m][(0, *cell)].backward()
    np.testing.assert_array_equal(_array(got["paths"]), xo.grad[0].numpy())
    for below in got["below"]:
        k = below["map"]
        grad = omaps[k].grad[0].numpy() if k < m else None
        want = np.argwhere(grad != 0).tolist() if grad is not None else [cell]
        assert below["cells"] == want, f"below map {k}"

    # above: a one at the cell, carried up by the all-ones layers, is positive exactly where a cell depends on it
    with torch.no_grad():
        v = torch.zeros((1,) + shape, dtype=torch.float64)
        v[(0, *cell)] = 1.0
        for above, k in zip(got["above"], range(m, len(net.maps))):
            assert above["map"] == k
            assert above["cells"] == np.argwhere(v[0].numpy() > 0).tolist(), f"above map {k}"
            if k < len(net.traces):
                v = ones[k](v)


def _array(nested) -> np.ndarray:
    return np.array(json.loads(json.dumps(nested)), dtype=np.float64)
