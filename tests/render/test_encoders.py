"""Decode what we write: frame counts, durations, loop, sizes, and colours at cell centres."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from app.engine import trace
from app.render import build_options, build_scene, render
from app.render.encode import encode

# same_padding_no_strides: 5x5 input, k3, p1 -> a 7x7 canvas and a 5x5 output, 25 frames
SPEC = {"input_size": 5, "kernel_size": 3, "padding": 1}

# Expected colours, worked by hand from the palette: the kernel tint is #073642 at 40 %
# over what lies below, i.e. 0.6 * below + 0.4 * (7, 54, 66).
INPUT = (38, 139, 210)              # #268bd2
INPUT_TINTED = (26, 105, 152)       # 0.6*(38,139,210) + 0.4*(7,54,66) = (25.6, 105.0, 152.4)
PADDING = (255, 255, 255)
PADDING_TINTED = (156, 175, 179)    # 0.6*255 + 0.4*(7,54,66) = (155.8, 174.6, 179.4)
OUTPUT = (42, 161, 152)             # #2aa198
OUTPUT_CURRENT = (28, 118, 118)     # 0.6*(42,161,152) + 0.4*(7,54,66) = (28.0, 118.2, 117.6)


@pytest.fixture(scope="module")
def scene():
    return build_scene(trace(SPEC), build_options({"labels": False}))


def centre(scene, pid):
    pts = np.array(scene["polys"][pid])
    x, y = pts.mean(axis=0)
    return int(round(x - 0.5)), int(round(y - 0.5))


def colour_at(frame: Image.Image, xy) -> tuple:
    return frame.convert("RGB").getpixel(xy)


def close(a, b, tol=3) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def gif_frames(data: bytes):
    im = Image.open(io.BytesIO(data))
    frames, durations = [], []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append(im.convert("RGB"))
        durations.append(im.info["duration"])
    return im, frames, durations


def test_gif_frames_timing_loop_and_size(scene):
    data = encode(scene, "gif")
    im, frames, durations = gif_frames(data)
    assert im.n_frames == 25
    assert im.info["loop"] == 0
    assert durations[:-1] == [1000] * 24 and durations[-1] == 2000  # the last frame is held
    assert frames[0].size == (scene["width"], scene["height"])


def gif_blocks(data: bytes) -> list[dict]:
    """Walk the GIF's blocks (by the GIF89a layout) and list each frame's control and box."""
    assert data[:6] == b"GIF89a"
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames, control = [], {}
    while data[pos] != 0x3B:
        if data[pos] == 0x21:
            label = data[pos + 1]
            if label == 0xF9:
                packed = data[pos + 3]
                control = {"disposal": (packed >> 2) & 7, "transparent": bool(packed & 1), "delay": int.from_bytes(data[pos + 4:pos + 6], "little")}
            pos += 2
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
        elif data[pos] == 0x2C:
            x, y, w, h = (int.from_bytes(data[pos + 1 + 2 * i:pos + 3 + 2 * i], "little") for i in range(4))
            packed = data[pos + 9]
            pos += 10 + ((3 << ((packed & 7) + 1)) if packed & 0x80 else 0) + 1
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
            frames.append({"box": (x, y, w, h), **control})
        else:
            raise AssertionError(f"unexpected block 0x{data[pos]:02x} at {pos}")
    return frames


def test_gif_later_frames_store_only_what_changed(scene):
    frames = gif_blocks(encode(scene, "gif"))
    assert len(frames) == 25
    full = scene["width"] * scene["height"]
    assert frames[0]["box"] == (0, 0, scene["width"], scene["height"])
    for f in frames[1:]:
        x, y, w, h = f["box"]
        assert w * h < 0.8 * full          # cropped to the changed box
        assert f["transparent"]            # unchanged pixels inside it are transparent
        assert f["disposal"] == 1          # each frame stays under the next
    assert [f["delay"] for f in frames] == [100] * 24 + [200]


@pytest.mark.parametrize("frame_index, cell, expected", [
    (0, "in:0:1:1", INPUT_TINTED),       # input cell (0, 0) under the kernel of step 0
    (0, "in:0:0:0", PADDING_TINTED),     # padding under the kernel
    (0, "in:0:0:6", PADDING),            # padding away from the kernel
    (0, "in:0:4:4", INPUT),              # input cell away from the kernel
    (0, "out:0:0:0", OUTPUT_CURRENT),    # the output cell being computed
    (0, "out:0:2:2", OUTPUT),
    (12, "in:0:3:3", INPUT_TINTED),      # step 12 = output (2, 2): canvas rows/cols 2..4
    (12, "out:0:2:2", OUTPUT_CURRENT),
    (12, "out:0:0:0", OUTPUT),
    (24, "in:0:6:6", PADDING_TINTED),    # last step: bottom-right corner of the padding
])
def test_gif_colours_at_cell_centres(scene, frame_index, cell, expected):
    _, frames, _ = gif_frames(encode(scene, "gif"))
    assert close(colour_at(frames[frame_index], centre(scene, cell)), expected)


def test_png_frame_and_webp(scene):
    png = Image.open(io.BytesIO(encode(scene, "png", frame=12)))
    assert png.format == "PNG" and png.size == (scene["width"], scene["height"])
    assert close(colour_at(png, centre(scene, "out:0:2:2")), OUTPUT_CURRENT, tol=1)
    webp = Image.open(io.BytesIO(encode(scene, "webp")))
    assert webp.format == "WEBP" and webp.n_frames == 25
    assert webp.info.get("loop", 0) == 0
    webp.seek(12)
    assert close(colour_at(webp, centre(scene, "in:0:3:3")), INPUT_TINTED, tol=1)


def test_mp4_is_h264_with_the_durations(scene, tmp_path):
    import imageio.v2 as iio

    data = encode(scene, "mp4")
    path = tmp_path / "a.mp4"
    path.write_bytes(data)
    reader = iio.get_reader(str(path), "ffmpeg")
    meta = reader.get_meta_data()
    assert meta["codec"] == "h264"
    frames = [f for f in reader]
    # 24 frames of 1 s and a last one of 2 s at the writer's frame rate
    assert len(frames) == round(meta["fps"] * 26)
    w, h = scene["width"], scene["height"]
    assert frames[0].shape[:2] == (h + h % 2, w + w % 2)
    x, y = centre(scene, "out:0:0:0")
    assert close(tuple(int(v) for v in frames[0][y, x]), OUTPUT_CURRENT, tol=12)  # lossy


def test_svg_parses_and_draws_every_cell(scene):
    svg = encode(scene, "svg", frame=3).decode()
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.get("width") == str(scene["width"])
    ns = "{http://www.w3.org/2000/svg}"
    fills = {p.get("fill") for p in root.findall(f".//{ns}polygon")}
    assert {"#268bd2", "#2aa198", "#073642"} <= fills          # input, output, the kernel's tint
    lines = root.findall(f".//{ns}polyline")
    assert len(lines) >= 2 * (7 + 1) + 4                        # the grid's borders and four connectors
    assert any(line.get("stroke-dasharray") for line in lines)  # padding borders are dashed


@pytest.mark.parametrize("fmt", ["gif", "webp", "mp4", "png", "svg"])
def test_same_input_same_bytes(fmt):
    a = render(SPEC, fmt, labels=True, numbers=True)
    b = render(dict(SPEC), fmt, labels=True, numbers=True)
    assert a == b


def test_every_reference_animation_renders(reference):
    for row in reference["animations"]:
        spec = {k: row[k] for k in ("op", "input_size", "kernel_size", "stride", "padding", "dilation")}
        if row["op"] == "conv_transpose2d":
            spec["output_padding"] = row["output_padding"]
        im = Image.open(io.BytesIO(render(spec, "gif", labels=False)))
        assert im.n_frames == row["anchor_frames"], row["name"]
        assert abs(im.size[0] - row["anchor_canvas_px"][0]) <= 2 and abs(im.size[1] - row["anchor_canvas_px"][1]) <= 2


def test_frame_out_of_range_names_the_option(scene):
    from app.engine import SpecError

    with pytest.raises(SpecError) as err:
        encode(scene, "png", frame=25)
    assert err.value.param == "frame"
