"""/api/v1/image over a real server: torch's F.conv2d of the picture decoded here, and every refusal.

The expected numbers come from this file's own decoding (Pillow, by the recipe the API
documents: 8-bit "L" or "RGB", EXIF upright, LANCZOS down to 512 px on the longer side)
and torch's F.conv2d; the displayed PNG from the documented display rule applied to
torch's output. Uploads are made here, in memory.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import httpx
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

SAMPLES = Path(__file__).resolve().parents[2] / "static" / "samples"
SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
GAUSSIAN5 = (np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256).tolist()


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def decoded(data: bytes, color: str) -> np.ndarray:
    """[C][H][W] float64 as the API documents its decoding, done here with Pillow alone."""
    from PIL import ImageOps

    im = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("L" if color == "gray" else "RGB")
    scale = 512 / max(im.size)
    if scale < 1:
        im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
    a = np.asarray(im, dtype=np.float64)
    return a[None] if a.ndim == 2 else np.moveaxis(a, -1, 0)


def torch_filter(image: np.ndarray, kernel, stride=1, pad=(0, 0, 0, 0), dilation=1, mode="zeros") -> np.ndarray:
    c = image.shape[0]
    top, bottom, left, right = pad
    x = F.pad(torch.tensor(image)[None], (left, right, top, bottom), mode="constant" if mode == "zeros" else mode)
    w = torch.tensor(kernel, dtype=torch.float64).expand(c, 1, *np.shape(kernel)).contiguous()
    return F.conv2d(x, w, stride=stride, dilation=dilation, groups=c)[0].numpy()


def png_of(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "PNG")
    return out.getvalue()


def smooth_rgb(h: int, w: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([(x * 255 // w), (y * 255 // h), ((x + y) * 7 % 256)], axis=-1).astype(np.uint8)


# ---- the numbers ------------------------------------------------------------------------

def test_sobel_on_the_camera_sample_is_torchs_conv2d_of_the_decoded_picture(client):
    r = client.get("/api/v1/image", params={"sample": "camera", "kernel": "sobel_x", "padding": 1, "format": "json"})
    assert r.status_code == 200, r.text
    body = r.json()
    image = decoded((SAMPLES / "camera.png").read_bytes(), "gray")
    np.testing.assert_array_equal(np.array(body["input"]), image)
    expected = torch_filter(image, SOBEL_X, pad=(1, 1, 1, 1))
    np.testing.assert_array_equal(np.array(body["output"]), expected)   # whole numbers: exact
    assert body["output_size"] == [384, 384] and body["display"]["mode"] == "abs"
    assert body["display"]["max"] == float(np.abs(expected).max())


def test_the_png_is_the_stated_display_rule_applied_to_torchs_output(client):
    r = client.get("/api/v1/image", params={"sample": "coins", "kernel": "sobel_y"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    expected = torch_filter(decoded((SAMPLES / "coins.png").read_bytes(), "gray"), np.array(SOBEL_X).T.tolist())
    top = np.abs(expected).max()
    assert r.headers["convplay-display"] == f"abs; max={top:.17g}"
    shown = np.asarray(Image.open(io.BytesIO(r.content)))
    np.testing.assert_array_equal(shown, np.rint(np.abs(expected[0]) * 255 / top).astype(np.uint8))
    assert r.headers["convplay-input-size"] == "303x384" and r.headers["convplay-output-size"] == "301x382"


def test_rgb_is_filtered_per_channel_with_the_copying_padding_and_stride_and_dilation(client):
    params = {"sample": "astronaut", "color": "rgb", "kernel": json.dumps(GAUSSIAN5), "stride": "2", "dilation": "2",
              "padding": "3", "padding_mode": "reflect", "format": "json"}
    body = client.get("/api/v1/image", params=params).json()
    image = decoded((SAMPLES / "astronaut.jpg").read_bytes(), "rgb")
    expected = torch_filter(image, GAUSSIAN5, stride=2, pad=(3, 3, 3, 3), dilation=2, mode="reflect")
    np.testing.assert_array_equal(np.array(body["output"]), expected)   # weights k/256 on whole numbers: exact
    assert np.array(body["output"]).shape == (3, 191, 191)   # floor((384 + 6 - 2*4 - 1) / 2) + 1
    assert body["display"]["mode"] == "clip" and body["kernel"]["name"] is None


def test_an_uploaded_jpeg_larger_than_the_working_size_is_resized_and_filtered(client):
    out = io.BytesIO()
    Image.fromarray(smooth_rgb(600, 900)).save(out, "JPEG", quality=90)
    data = out.getvalue()
    r = client.post("/api/v1/image", files={"file": ("big.jpg", data, "image/jpeg")},
                    data={"kernel": "box", "color": "rgb", "padding": "same", "format": "json"})
    assert r.status_code == 200, r.text
    body = r.json()
    image = decoded(data, "rgb")
    assert body["original_size"] == [600, 900] and body["input_size"] == [341, 512] == list(image.shape[1:])
    np.testing.assert_array_equal(np.array(body["input"]), image)
    np.testing.assert_allclose(np.array(body["output"]), torch_filter(image, np.full((3, 3), 1 / 9), pad=(1, 1, 1, 1)), rtol=1e-12, atol=1e-9)
    assert r.headers["convplay-original-size"] == "600x900" and r.headers["convplay-input-size"] == "341x512"


def test_a_16_bit_png_is_scaled_to_8_bits_not_clipped(client):
    values = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000)
    body = client.post("/api/v1/image", files={"file": ("deep.png", png_of(values), "image/png")}, data={"format": "json"}).json()
    np.testing.assert_array_equal(np.array(body["input"])[0], np.rint(values.astype(np.float64) * 255 / 65535))


def test_a_crop_is_the_same_numbers_as_the_trace_api_on_that_crop(client):
    params = {"sample": "chelsea", "kernel": "laplacian8", "crop": "100,200,8,8", "padding": "1", "format": "json"}
    body = client.get("/api/v1/image", params=params).json()
    crop = decoded((SAMPLES / "chelsea.jpg").read_bytes(), "gray")[:, 100:108, 200:208]
    np.testing.assert_array_equal(np.array(body["input"]), crop)
    trace = client.post("/api/v1/trace", json={"input": body["input"], "weight": body["kernel"]["weight"], "padding": 1}).json()
    np.testing.assert_array_equal(np.array(body["output"]), np.array(trace["output"]))


def test_the_kernels_are_listed_once_with_both_labels(client):
    ks = {k["name"]: k for k in client.get("/api/v1/kernels").json()["kernels"]}
    assert set(ks) == {"identity", "box", "gaussian3", "gaussian5", "sharpen", "sobel_x", "sobel_y", "prewitt_x",
                       "prewitt_y", "laplacian4", "laplacian8", "emboss"}
    for k in ks.values():
        assert k["label"]["en"] and k["label"]["zh"] and k["label"]["zh"] != k["label"]["en"]
        np.testing.assert_array_equal(np.array(k["weight"]), np.array(k["numbers"]) / k["divisor"])
    assert ks["sobel_x"]["numbers"] == SOBEL_X
    assert np.sum(ks["gaussian5"]["weight"]) == 1 and np.sum(ks["laplacian4"]["weight"]) == 0
    samples = client.get("/api/v1/samples").json()["samples"]
    assert [s["name"] for s in samples] == ["camera", "coins", "astronaut", "coffee", "chelsea"]
    for s in samples:
        assert client.get(s["url"]).status_code == 200 and s["licence"]


# ---- refusals ------------------------------------------------------------------------------

def refusal(r: httpx.Response, status: int, param: str, code: str) -> str:
    assert r.status_code == status, r.text
    d = r.json()["detail"][0]
    assert (d["param"], d["code"]) == (param, code), d
    assert d["msg"].startswith(param)
    return d["msg"]


def bomb_png(width: int, height: int) -> bytes:
    """A real 1-bit PNG of zeros: a few KB of file that declares width x height pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\0" * (1 + (width + 7) // 8)
    stream = zlib.compressobj(9)
    idat = b"".join(stream.compress(row) for _ in range(height)) + stream.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def upload(client, data: bytes, name="x.png", kind="image/png", **fields):
    return client.post("/api/v1/image", files={"file": (name, data, kind)}, data={"kernel": "sobel_x", **fields})


def test_an_upload_over_4_mb_is_413_naming_file(client):
    noise = np.random.default_rng(0).integers(0, 256, size=(1300, 1300, 3), dtype=np.uint8)
    data = png_of(noise)
    assert len(data) > 4 * 2**20
    msg = refusal(upload(client, data), 413, "file", "file_too_large")
    assert "4,194,304" in msg


def test_a_picture_over_2048x2048_pixels_is_413_before_decoding(client):
    refusal(upload(client, bomb_png(3000, 3000)), 413, "file", "image_too_large")


@pytest.mark.parametrize("side", [10_000, 30_000])
def test_decompression_bombs_are_refused(client, side):
    data = bomb_png(side, side)
    assert len(data) < 300_000
    r = upload(client, data)
    assert r.status_code == 413, r.text
    assert r.json()["detail"][0]["code"] in ("image_too_large", "decompression_bomb")
    assert r.json()["detail"][0]["param"] == "file"


def test_pillows_own_bomb_guard_is_a_413_too(client):
    refusal(upload(client, bomb_png(20_000, 20_000)), 413, "file", "decompression_bomb")


def test_garbage_bytes_are_422_naming_file_in_both_languages(client):
    refusal(upload(client, b"this is not a picture at all" * 10), 422, "file", "not_image")
    r = client.post("/api/v1/image?lang=zh", files={"file": ("x.png", b"garbage", "image/png")})
    assert r.status_code == 422 and r.json()["detail"][0]["msg"].startswith("file：") and "PNG" in r.json()["detail"][0]["msg"]


def test_a_gif_is_named_as_such(client):
    out = io.BytesIO()
    Image.new("L", (4, 4)).save(out, "GIF")
    assert "GIF" in refusal(upload(client, out.getvalue(), "x.gif", "image/gif"), 422, "file", "not_image")


def test_a_truncated_png_is_422_naming_file(client):
    data = png_of(smooth_rgb(200, 200))
    refusal(upload(client, data[: len(data) // 2]), 422, "file", "broken_image")


@pytest.mark.parametrize("params, param, code", [
    ({"sample": "lena"}, "sample", "not_choice"),
    ({"sample": "camera", "kernel": "blur"}, "kernel", "not_choice"),
    ({"sample": "camera", "kernel": "[[1,2],[3]]"}, "kernel", "not_numbers"),
    ({"sample": "camera", "kernel": json.dumps([[1] * 12] * 12)}, "kernel", "too_large"),
    ({"kernel": "sobel_x"}, "file", "no_image"),
    ({"sample": "camera", "color": "cmyk"}, "color", "not_choice"),
    ({"sample": "camera", "display": "log"}, "display", "not_choice"),
    ({"sample": "camera", "format": "tiff"}, "format", "not_choice"),
    ({"sample": "camera", "crop": "380,0,8,8"}, "crop", "bad_crop"),
    ({"sample": "camera", "crop": "0,0,2,2", "kernel": "gaussian5"}, "kernel_size", "kernel_too_large"),
    ({"sample": "camera", "crop": "0,0,4,4", "padding": 4, "padding_mode": "reflect"}, "padding", "reflect_too_large"),
    ({"sample": "camera", "stride": 0}, "stride", "too_small"),
    ({"sample": "camera", "groups": 2}, "groups", "unknown_field"),
])
def test_bad_fields_are_422_naming_them(client, params, param, code):
    refusal(client.get("/api/v1/image", params=params), 422, param, code)
    refusal(client.post("/api/v1/image", data=params), 422, param, code)


def test_a_file_and_a_sample_together_are_refused(client):
    refusal(upload(client, png_of(smooth_rgb(8, 8)), sample="camera"), 422, "sample", "one_of")


def test_a_json_body_is_refused_with_the_forms_it_takes(client):
    refusal(client.post("/api/v1/image", json={"sample": "camera"}), 422, "body", "not_form")


def test_text_where_the_file_belongs_is_judged_as_a_file(client):
    refusal(client.post("/api/v1/image", data={"file": "camera"}), 422, "file", "not_image")
