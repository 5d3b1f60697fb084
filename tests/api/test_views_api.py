"""/api/v1/matrix and /api/v1/backward over a real server: hand-worked numbers and 422s."""

from __future__ import annotations

import httpx
import numpy as np
import pytest


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=30) as c:
        yield c


def test_the_matrix_of_a_2x2_kernel_on_a_3x3_input(client):
    r = client.post("/api/v1/matrix", json={"input_size": 3, "kernel_size": 2, "weight": [[1, 2], [3, 4]]})
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["shape"] == [4, 9]
    C = np.zeros(m["shape"])
    for row, col, value, widx in m["entries"]:
        C[row, col] += value
    # output (0,0) reads input cells 0,1,3,4 with weights 1,2,3,4 (worked by hand)
    np.testing.assert_array_equal(C[0], [1, 2, 0, 3, 4, 0, 0, 0, 0])
    np.testing.assert_array_equal(C[3], [0, 0, 0, 0, 1, 2, 0, 3, 4])
    assert m["im2col"]["shape"] == [4, 4]


def test_the_transposed_matrix_names_its_conv2d(client):
    m = client.get("/api/v1/matrix", params={"op": "conv_transpose2d", "input_size": 2, "kernel_size": 3, "stride": 2}).json()
    assert m["transpose_of"]["op"] == "conv2d" and m["transpose_of"]["input_size"] == [5, 5]
    assert m["shape"] == [25, 4]


def test_max_pooling_has_no_matrix_in_either_language(client):
    r = client.get("/api/v1/matrix", params={"op": "max_pool2d", "lang": "zh"})
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["param"] == "op" and d["code"] == "not_linear" and "不是线性" in d["msg"]


def test_the_backward_pass_of_a_box_filter(client):
    body = {"input_size": 3, "kernel_size": 2, "weight": [[1, 1], [1, 1]], "grad_output": [[1, 1], [1, 1]]}
    b = client.post("/api/v1/backward", json=body).json()
    assert b["grad_input"] == [[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]
    assert b["drawn_as"]["op"] == "conv_transpose2d"
    centre = next(s for s in b["steps"] if s["input_index"] == [0, 1, 1])
    assert len(centre["taps"]) == 4 and centre["value"] == 4
    # the drawn full convolution gives the same numbers
    drawn = client.post("/api/v1/trace", json=b["drawn_as"]).json()
    assert drawn["output"] == b["grad_input"]


def test_a_bad_grad_output_is_a_422_naming_it(client):
    r = client.get("/api/v1/backward", params={"input_size": 5, "grad_output": "[[1, 2], [3, 4]]"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["param"] == "grad_output"
