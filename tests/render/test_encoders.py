"""Decode what we write: frame counts, durations, loop, sizes, GIF blocks, colours.

The first part uses small hand-built scenes, with every expected colour worked
out by hand; the second renders real scenes from the engine.
"""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from app.engine import SpecError, trace
from app.render import build_options, build_scene, render
from app.render.writers import encode
from app.render.raster import draw_frame

W, H = 61, 41           # odd on purpose: MP4 must pad to even sides
BLUE = (38, 139, 210)   # #268bd2
WHITE = (255, 255, 255)
# #073642 at 40 % over what lies below: 0.6 * below + 0.4 * (7, 54, 66)
BLUE_TINTED = (26, 105, 152)       # (25.6, 105.0, 152.4)
WHITE_TINTED = (156, 175, 179)     # (155.8, 174.6, 179.4)


def rect(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def moving_tint(ms=(100, 200, 300, 400)) -> dict:
    """A blue left half, and a 16 x 16 tint stepping 12 px right each frame (blue to white),
    so consecutive places overlap by 4 px."""
    frames = [{"ms": m, "items": [{"points": rect(4 + 12 * i, 12, 20 + 12 * i, 28), "style": "tint"}]} for i, m in enumerate(ms)]
    return {
        "width": W, "height": H, "background": "#ffffff",
        "styles": {"blue": {"fill": "#268bd2"}, "tint": {"fill": "#073642", "opacity": 0.4},
                   "label": {"fill": "#002b36", "font": 10, "anchor": "lt", "bold": True},
                   "edge": {"stroke": "#002b36", "width": 1, "dash": [3, 2]},
                   "unreached": {"hatch": {"color": "#93a1a1", "spacing": 5, "width": 1}},
                   "other_hatch": {"hatch": {"color": "#dc322f", "spacing": 4, "width": 1}}},
        "polys": {"left": rect(0, 0, 30, H)},
        "base": [{"poly": "left", "style": "blue"}, {"line": [[0, 36.5], [60, 36.5]], "style": "edge"}],
        "frames": frames,
    }


def tint_centre(i):
    return 12 + 12 * i, 20


def tinted(i):
    """What frame i's tint centre should look like: over blue for x < 30, else over white."""
    return BLUE_TINTED if tint_centre(i)[0] < 30 else WHITE_TINTED


def near(a, b, tol):
    return all(abs(int(x) - int(y)) <= tol for x, y in zip(a, b))


def decoded_gif(data: bytes):
    im = Image.open(io.BytesIO(data))
    frames, durations = [], []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append(np.asarray(im.convert("RGB")))
        durations.append(im.info["duration"])
    return im, frames, durations


def _lzw_decode(data: bytes, code_size: int, n: int) -> list[int]:
    """Plain GIF LZW decoding (clear/end codes, variable code width), for checking blocks."""
    clear, end = 1 << code_size, (1 << code_size) + 1
    bits = int.from_bytes(data, "little")
    pos, width, out, table, prev = 0, code_size + 1, [], None, None
    while len(out) < n:
        code = (bits >> pos) & ((1 << width) - 1)
        pos += width
        if code == clear:
            table = [[i] for i in range(clear)] + [[], []]
            width, prev = code_size + 1, None
            continue
        if code == end:
            break
        entry = table[code] if code < len(table) else table[prev] + table[prev][:1]
        if prev is not None:
            table.append(table[prev] + entry[:1])
        out += entry
        prev = code
        if len(table) == 1 << width and width < 12:
            width += 1
    return out[:n]


def gif_blocks(data: bytes) -> list[dict]:
    """Walk the GIF89a blocks: per frame its control (disposal, transparency, delay), box
    and decoded index pixels; plus the global table size and the loop count."""
    assert data[:6] == b"GIF89a"
    flags = data[10]
    table = 1 << ((flags & 7) + 1) if flags & 0x80 else 0
    pos = 13 + 3 * table
    frames, control, loop = [], {}, None
    while data[pos] != 0x3B:
        if data[pos] == 0x21:
            label, pos = data[pos + 1], pos + 2
            body = b""
            while data[pos]:
                body += data[pos + 1:pos + 1 + data[pos]]
                pos += data[pos] + 1
            pos += 1
            if label == 0xF9:
                packed, delay, index = body[0], int.from_bytes(body[1:3], "little"), body[3]
                control = {"disposal": (packed >> 2) & 7, "transparent": index if packed & 1 else None, "delay": delay}
            elif label == 0xFF and body.startswith(b"NETSCAPE2.0"):
                loop = int.from_bytes(body[12:14], "little")
        elif data[pos] == 0x2C:
            x, y, w, h, packed = struct.unpack("<HHHHB", data[pos + 1:pos + 10])
            pos += 10 + (3 << ((packed & 7) + 1) if packed & 0x80 else 0)
            code_size, pos, body = data[pos], pos + 1, b""
            while data[pos]:
                body += data[pos + 1:pos + 1 + data[pos]]
                pos += data[pos] + 1
            pos += 1
            pixels = np.array(_lzw_decode(body, code_size, w * h)).reshape(h, w)
            frames.append({"box": (x, y, w, h), "pixels": pixels, **control})
        else:
            raise AssertionError(f"unexpected block 0x{data[pos]:02x} at {pos}")
    return [{"table": table, "loop": loop}] + frames


# -- hand-built scenes ------------------------------------------------------------------

def test_gif_frames_durations_loop_and_size():
    im, frames, durations = decoded_gif(encode(moving_tint(), "gif"))
    assert im.n_frames == 4 and im.size == (W, H)
    assert im.info["loop"] == 0
    assert durations == [100, 200, 300, 400]


def test_gif_colours_flat_and_composited():
    _, frames, _ = decoded_gif(encode(moving_tint(), "gif"))
    for f in frames:
        assert tuple(f[5, 5]) == BLUE and tuple(f[5, 50]) == WHITE     # flat fills kept exactly
    assert near(frames[0][tint_centre(0)[::-1]], BLUE_TINTED, 2)
    assert near(frames[1][tint_centre(1)[::-1]], BLUE_TINTED, 2)
    assert near(frames[3][tint_centre(3)[::-1]], WHITE_TINTED, 2)
    assert tuple(frames[1][tint_centre(0)[::-1]]) == BLUE                # the old position is clean again


def test_gif_flat_areas_are_not_dithered():
    _, frames, _ = decoded_gif(encode(moving_tint(), "gif"))
    inside = frames[3][14:26, 42:54]          # interior of the tint over white in the last frame
    assert (inside == inside[0, 0]).all()
    assert (frames[3][2:10, 2:26] == BLUE).all()


def test_gif_small_table_loop_forever_and_transparent_deltas():
    data = encode(moving_tint(), "gif")
    header, *frames = gif_blocks(data)
    assert header["loop"] == 0 and header["table"] <= 32
    assert frames[0]["box"] == (0, 0, W, H)
    _, decoded, _ = decoded_gif(data)
    for i, f in enumerate(frames[1:], start=1):
        x, y, w, h = f["box"]
        assert w * h < 0.5 * W * H                        # cropped to what changed
        assert f["disposal"] == 1 and f["transparent"] is not None
        # the moving tint's old and new places lie inside the box
        for cx, cy in (tint_centre(i - 1), tint_centre(i)):
            assert x <= cx < x + w and y <= cy < y + h
        # inside the box: pixels equal to the previous frame are transparent, others are not
        same = (decoded[i][y:y + h, x:x + w] == decoded[i - 1][y:y + h, x:x + w]).all(axis=-1)
        transparent = f["pixels"] == f["transparent"]
        assert transparent.any()
        assert not (transparent & ~same).any()
        assert (transparent | ~same).all()


def test_gif_maps_each_pixel_to_a_near_palette_colour_without_dithering():
    # error diffusion would push antialiased pixels to entries farther than the nearest;
    # Pillow's colour cache may miss the nearest by a few levels, never by more
    s = moving_tint()
    data = encode(s, "gif")
    header, *_ = gif_blocks(data)
    _, frames, _ = decoded_gif(data)
    palette = np.frombuffer(data[13:13 + 3 * header["table"]], np.uint8).reshape(-1, 3).astype(int)   # global table
    for i, decoded in enumerate(frames):
        truth = draw_frame(s, i).reshape(-1, 1, 3).astype(int)
        nearest = np.sqrt(((truth - palette[None]) ** 2).sum(-1).min(axis=1))
        got = np.sqrt(((truth[:, 0] - decoded.reshape(-1, 3).astype(int)) ** 2).sum(-1))
        assert (got <= nearest + 8).all()


def test_gif_delays_keep_the_total_when_rounding():
    # 25 ms is 2.5 centiseconds: rounded on the running total (2.5, 5, 7.5, 10 cs) -> 2, 3, 3, 2
    _, frames, durations = decoded_gif(encode(moving_tint(ms=(25, 25, 25, 25)), "gif"))
    assert durations == [20, 30, 30, 20]


def test_webp_is_lossless_with_durations_and_loop():
    im = Image.open(io.BytesIO(encode(moving_tint(), "webp")))
    assert im.format == "WEBP" and im.n_frames == 4 and im.size == (W, H)
    assert im.info.get("loop", 0) == 0
    durations = []
    for i in range(4):
        im.seek(i)
        rgb = np.asarray(im.convert("RGB"))
        durations.append(im.info["duration"])     # known once the frame is loaded
        assert tuple(rgb[5, 5]) == BLUE
        assert near(rgb[tint_centre(i)[::-1]], tinted(i), 1)
    assert durations == [100, 200, 300, 400]


def test_mp4_h264_yuv420p_even_size_and_durations(tmp_path):
    import imageio.v2 as iio

    path = tmp_path / "a.mp4"
    path.write_bytes(encode(moving_tint(), "mp4"))
    reader = iio.get_reader(str(path), "ffmpeg")
    meta = reader.get_meta_data()
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    frames = [f for f in reader]
    # 100, 200, 300, 400 ms at 10 fps: 1 + 2 + 3 + 4 frames
    assert meta["fps"] == 10 and len(frames) == 10
    assert frames[0].shape[:2] == (H + 1, W + 1)
    starts = [0, 1, 3, 6]
    for i, s in enumerate(starts):
        assert near(frames[s][tint_centre(i)[::-1]], tinted(i), 12)      # lossy, so loosely
        assert near(frames[s][5, 5], BLUE, 12)


def test_mp4_slow_frames_are_repeated_at_a_smooth_rate(tmp_path):
    import imageio.v2 as iio

    path = tmp_path / "b.mp4"
    path.write_bytes(encode(moving_tint(ms=(1000, 2000, 1000, 1000)), "mp4"))
    reader = iio.get_reader(str(path), "ffmpeg")
    # whole seconds: 1 fps would do, but players want at least 5; doubling gives 8 fps
    assert reader.get_meta_data()["fps"] == 8
    assert len([f for f in reader]) == 8 * 5


def test_mp4_long_frames_do_not_multiply_the_work(tmp_path):
    import imageio.v2 as iio

    from app.render.mp4 import MAX_REPEAT

    path = tmp_path / "c.mp4"
    path.write_bytes(encode(moving_tint(ms=(10_000, 10_000, 10_000, 20_000)), "mp4"))
    reader = iio.get_reader(str(path), "ffmpeg")
    fps, frames = reader.get_meta_data()["fps"], len([f for f in reader])
    assert frames <= MAX_REPEAT * 4                 # was 320 frames at 6.4 fps
    assert abs(frames / fps - 50) < 1e-6            # and the timing is kept: 50 s in all


def test_png_is_the_chosen_frame():
    png = Image.open(io.BytesIO(encode(moving_tint(), "png", frame=3)))
    assert png.format == "PNG" and png.size == (W, H)
    rgb = np.asarray(png.convert("RGB"))
    assert near(rgb[tint_centre(3)[::-1]], WHITE_TINTED, 1) and tuple(rgb[tint_centre(0)[::-1]]) == BLUE


def test_svg_is_xml_with_the_frame_items_text_hatch_and_dashes():
    s = moving_tint()
    s["base"] += [{"text": "input 5×5", "at": [2, 2], "style": "label"},
                  {"points": rect(40, 2, 58, 10), "style": "unreached"},
                  {"points": rect(40, 30, 58, 35), "style": "other_hatch"}]
    root = ET.fromstring(encode(s, "svg", frame=2))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("width") == str(W) and root.get("height") == str(H)
    polygons = root.findall(f".//{ns}polygon")
    tints = [p for p in polygons if p.get("fill") == "#073642"]
    assert len(tints) == 1 and tints[0].get("fill-opacity") == "0.4"
    assert tints[0].get("points").startswith("28,12 44,12")          # frame 2's square
    texts = root.findall(f".//{ns}text")
    assert [t.text for t in texts] == ["input 5×5"] and texts[0].get("font-weight") == "bold"
    patterns = {p.get("id"): p.find(f"{ns}line").get("stroke") for p in root.findall(f".//{ns}pattern")}
    assert sorted(patterns.values()) == ["#93a1a1", "#dc322f"]          # one pattern per hatch look
    hatched = {p.get("points").split()[0]: p.get("fill") for p in polygons if p.get("fill", "").startswith("url(")}
    assert patterns[hatched["40,2"][5:-1]] == "#93a1a1" and patterns[hatched["40,30"][5:-1]] == "#dc322f"
    assert root.find(f".//{ns}polyline").get("stroke-dasharray") == "3 2"


@pytest.mark.parametrize("fmt", ["gif", "webp", "mp4", "png", "svg"])
def test_hand_built_scene_gives_the_same_bytes_twice(fmt):
    assert encode(moving_tint(), fmt) == encode(moving_tint(), fmt)


@pytest.mark.parametrize("fmt", ["gif", "webp", "mp4", "png", "svg"])
def test_a_blank_scene_without_frames_is_one_still_frame(fmt):
    blank = {"width": 8, "height": 6, "background": "#ffffff", "styles": {}, "polys": {}, "base": [], "frames": []}
    data = encode(blank, fmt)
    if fmt == "svg":
        assert ET.fromstring(data).get("width") == "8"
    elif fmt != "mp4":
        im = Image.open(io.BytesIO(data))
        assert im.size == (8, 6) and getattr(im, "n_frames", 1) == 1
        assert np.asarray(im.convert("RGB")).min() == 255


def test_unknown_format_and_bad_frame_are_refused():
    with pytest.raises(ValueError):
        encode(moving_tint(), "bmp")
    with pytest.raises(SpecError) as err:
        encode(moving_tint(), "png", frame=4)
    assert err.value.param == "frame"


# -- real scenes from the engine ------------------------------------------------------------

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


def test_gif_later_frames_store_only_what_changed(scene):
    header, *frames = gif_blocks(encode(scene, "gif"))
    assert len(frames) == 25 and header["loop"] == 0
    full = scene["width"] * scene["height"]
    assert frames[0]["box"] == (0, 0, scene["width"], scene["height"])
    for f in frames[1:]:
        x, y, w, h = f["box"]
        assert w * h < 0.8 * full          # cropped to the changed box
        assert (f["pixels"] == f["transparent"]).any()   # unchanged pixels inside it are transparent
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


def test_numbers_gif_frames_are_the_frames_drawn_alone():
    """Finished outputs come and stay as timed items: every decoded GIF frame is
    still that frame drawn alone (to the palette's precision)."""
    s = build_scene(trace({"input_size": 5, "padding": 1, "padding_mode": "reflect"}), build_options({"numbers": True, "labels": False}))
    data = encode(s, "gif")
    _, frames, _ = decoded_gif(data)
    assert len(frames) == 25 and s["timed"]
    for i, decoded in enumerate(frames):
        truth = draw_frame(s, i).astype(int)
        assert np.abs(truth - decoded.astype(int)).max(axis=-1).mean() < 2, i
        assert (np.abs(truth - decoded.astype(int)).max(axis=-1) > 60).mean() < 0.001, i


def test_svg_frame_draws_the_timed_items_alive_then():
    s = build_scene(trace({"input_size": 5, "kernel_size": 3}), build_options({"numbers": True, "labels": False}))
    assert len(s["timed"]) == 8
    for i in (0, 4, 8):
        svg = encode(s, "svg", frame=i).decode()
        for t in s["timed"]:
            st = s["styles"][t["style"]]   # written on its baseline: the anchor's drop below it, in ems
            y = round(t["at"][1] + s["baselines"][st["anchor"][1]] * st["font"], 2)
            here = f'<text x="{t["at"][0]:g}" y="{y:g}"' in svg
            current = t["from"] == i + 1   # output i: drawn by the frame itself, in bold
            assert here == (t["from"] <= i <= t["to"] or current), (i, t)
