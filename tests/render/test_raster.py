"""The rasteriser on hand-built scenes: colours worked out by hand, coverage, frame boxes."""

from __future__ import annotations

import numpy as np
import pytest

from app.render.raster import draw_frame, rasterize

WHITE, BLACK = (255, 255, 255), (0, 0, 0)
BLUE = (38, 139, 210)               # #268bd2
# #073642 at 40 % over what lies below: 0.6 * below + 0.4 * (7, 54, 66)
BLUE_TINTED = (26, 105, 152)        # (25.6, 105.0, 152.4)
WHITE_TINTED = (156, 175, 179)      # (155.8, 174.6, 179.4)


def scene(items=(), frames=(), width=40, height=30, **styles) -> dict:
    base_styles = {
        "blue": {"fill": "#268bd2"},
        "black": {"fill": "#000000"},
        "tint": {"fill": "#073642", "opacity": 0.4},
        "ink": {"stroke": "#000000", "width": 1},
        "dashed": {"stroke": "#000000", "width": 1, "dash": [4, 4]},
        "hatched": {"hatch": {"color": "#000000", "spacing": 6, "width": 1}},
        "label": {"fill": "#000000", "font": 14, "anchor": "mm"},
        "label_bold": {"fill": "#000000", "font": 14, "anchor": "mm", "bold": True},
    }
    return {"width": width, "height": height, "background": "#ffffff", "styles": {**base_styles, **styles},
            "polys": {}, "base": list(items), "frames": [dict(f) for f in frames]}


def rect(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def at(img, x, y):
    return tuple(int(v) for v in img[y, x])


def near(a, b, tol=1):
    return all(abs(int(p) - int(q)) <= tol for p, q in zip(a, b))


# -- fills -----------------------------------------------------------------------

def test_fill_is_exact_inside_and_untouched_outside():
    img = draw_frame(scene([{"points": rect(10, 5, 30, 25), "style": "blue"}]), 0)
    assert img.shape == (30, 40, 3) and img.dtype == np.uint8
    assert at(img, 20, 15) == BLUE and at(img, 10, 5) == BLUE and at(img, 29, 24) == BLUE
    assert at(img, 9, 15) == WHITE and at(img, 30, 15) == WHITE and at(img, 20, 4) == WHITE and at(img, 20, 25) == WHITE


def test_edge_through_pixel_centres_gives_half_coverage():
    # the left edge at x = 10.5 halves column 10: 0.5 * white + 0.5 * black = 127.5
    img = draw_frame(scene([{"points": rect(10.5, 5, 30, 25), "style": "black"}]), 0)
    assert near(at(img, 10, 15), (127, 127, 127), tol=1)
    assert at(img, 11, 15) == BLACK and at(img, 9, 15) == WHITE


def test_opacity_composites_over_what_is_below():
    items = [{"points": rect(0, 0, 20, 30), "style": "blue"}, {"points": rect(10, 5, 30, 25), "style": "tint"}]
    img = draw_frame(scene(items), 0)
    assert near(at(img, 15, 15), BLUE_TINTED)    # over blue
    assert near(at(img, 25, 15), WHITE_TINTED)   # over white
    assert at(img, 5, 15) == BLUE                # blue alone


def test_two_tints_compound():
    # 0.6 * (0.6 * 255 + 0.4 * c) + 0.4 * c for each channel c of (7, 54, 66)
    expected = tuple(round(0.36 * 255 + 0.64 * c) for c in (7, 54, 66))   # (96, 126, 134)
    items = [{"points": rect(5, 5, 25, 25), "style": "tint"}, {"points": rect(5, 5, 25, 25), "style": "tint"}]
    assert near(at(draw_frame(scene(items), 0), 15, 15), expected)


def test_slanted_parallelogram_has_antialiased_edges_and_full_area():
    pts = [[10, 20], [25, 12.5], [35, 22], [20, 29.5]]   # like a cell of the slanted grid
    img = draw_frame(scene([{"points": pts, "style": "black"}], width=45, height=35), 0)
    ink = (255 - img[..., 0].astype(float)) / 255
    area = abs(sum(pts[i][0] * pts[i - 1][1] - pts[i - 1][0] * pts[i][1] for i in range(4))) / 2
    assert ink.sum() == pytest.approx(area, rel=0.03)          # coverage adds up to the area
    partial = ((ink > 0.05) & (ink < 0.95)).sum()
    assert partial > 40                                         # edges are blended, not stair-stepped
    assert at(img, 22, 21) == BLACK


def test_concave_polygon_leaves_its_notch_empty():
    l_shape = [[5, 5], [35, 5], [35, 12], [15, 12], [15, 25], [5, 25]]
    img = draw_frame(scene([{"points": l_shape, "style": "black"}]), 0)
    assert at(img, 25, 20) == WHITE            # inside the bounding box, outside the L
    assert at(img, 10, 20) == BLACK and at(img, 30, 8) == BLACK


def test_hatch_draws_diagonal_stripes_inside_only():
    img = draw_frame(scene([{"points": rect(6, 6, 34, 24), "style": "hatched"}]), 0)
    inside = img[8:22, 8:32, 0].astype(int)
    assert (inside < 128).any() and (inside > 200).any()      # stripes and gaps
    # a 45-degree stripe: a pixel and its down-left neighbour match
    assert np.abs(inside[1:, :-1] - inside[:-1, 1:]).max() <= 2
    assert (img[:5, :, 0] == 255).all() and (img[25:, :, 0] == 255).all()


# -- strokes -----------------------------------------------------------------------

def test_solid_stroke_of_one_and_three_pixels():
    thin = draw_frame(scene([{"line": [[5, 10.5], [35, 10.5]], "style": "ink"}]), 0)
    assert at(thin, 20, 10) == BLACK and at(thin, 20, 9) == WHITE and at(thin, 20, 11) == WHITE
    thick = draw_frame(scene([{"line": [[5, 10.5], [35, 10.5]], "style": "wide"}], wide={"stroke": "#000000", "width": 3}), 0)
    assert [at(thick, 20, y) for y in (8, 9, 10, 11, 12)] == [WHITE, BLACK, BLACK, BLACK, WHITE]


def test_diagonal_line_carries_its_width_of_ink():
    # a 1 px line at 45 degrees puts about sqrt(2) px of ink in each column it crosses
    img = draw_frame(scene([{"line": [[5, 5], [25, 25]], "style": "ink"}]), 0)
    ink = (255 - img[..., 0].astype(float)) / 255
    assert ink[:, 10:20].sum(axis=0) == pytest.approx(np.full(10, 2 ** 0.5), rel=0.1)


def test_hairline_is_drawn_in_thirds_and_keeps_its_ink():
    """A solid line thinner than a pixel (the connectors, redrawn every frame)
    covers pixels in thirds: white under 1/3 and 2/3 of black is 170 and 85 (a
    slanted hairline covers no pixel whole), so its pixels take three values, and it still carries its width of ink along its
    length (sqrt(34^2 + 23^2) = 41.05 px at 0.95 px wide: 39.0)."""
    line = [[3, 4], [37, 27]]
    img = draw_frame(scene([{"line": line, "style": "hair"}], hair={"stroke": "#000000", "width": 0.95}), 0)
    assert set(np.unique(img).tolist()) == {85, 170, 255}
    ink = (255 - img[..., 0].astype(float)) / 255
    assert ink.sum() == pytest.approx(39.0, rel=0.05)
    one = draw_frame(scene([{"line": line, "style": "ink"}]), 0)
    assert len(np.unique(one)) > 6               # a 1 px line keeps its full antialiasing


def test_dashed_stroke_has_dashes_that_start_and_end_at_the_ends():
    img = draw_frame(scene([{"line": [[4, 10.5], [36, 10.5]], "style": "dashed"}]), 0)
    row = img[10, :, 0].astype(int)
    assert row[4] == 0 and row[35] == 0          # a dash at each end
    on = row[4:36] < 128
    assert 0.35 < on.mean() < 0.65               # about half on, half off (4 on, 4 off)
    runs = np.flatnonzero(np.diff(on.astype(int)) != 0)
    assert len(runs) >= 6                        # several dashes, not one long line
    assert (img[8, :, 0] == 255).all() and (img[12, :, 0] == 255).all()


def test_a_line_with_gaps_is_not_drawn_along_them():
    """A horizontal 1 px line from x=5 to x=35 hidden from 10 to 14 and 20 to 27 px
    along it: ink over x 5..15 and 19..25 and 32..35 (pixel columns 5-14, 19-24,
    32-34), none in the gaps (columns 15-18, 25-31) but the half-pixel end each
    piece has (a 1 px stroke's square end: half a column); drawn as the three
    pieces, the pixels are the same."""
    gapped = draw_frame(scene([{"line": [[5, 10.5], [35, 10.5]], "gaps": [[10, 14], [20, 27]], "style": "ink"}]), 0)
    row = gapped[10, :, 0]
    assert (row[5:15] == 0).all() and (row[19:25] == 0).all() and (row[32:35] == 0).all()
    assert (row[16:18] == 255).all() and (row[26:31] == 255).all()
    assert row[15] == row[18] == row[25] == row[31] == 128
    assert (row[:4] == 255).all() and (row[36:] == 255).all()
    pieces = [[[5, 10.5], [15, 10.5]], [[19, 10.5], [25, 10.5]], [[32, 10.5], [35, 10.5]]]
    assert np.array_equal(gapped, draw_frame(scene([{"line": p, "style": "ink"} for p in pieces]), 0))


def test_texts_in_one_item_draw_as_the_same_texts_one_by_one():
    many = draw_frame(scene([{"text": ["1", "2"], "at": [[10, 15], [28, 15]], "style": "label"}]), 0)
    single = draw_frame(scene([{"text": "1", "at": [10, 15], "style": "label"}, {"text": "2", "at": [28, 15], "style": "label"}]), 0)
    assert np.array_equal(many, single) and (many < 128).any()


def test_open_polyline_does_not_close_and_joins_cleanly():
    img = draw_frame(scene([{"line": [[5, 5.5], [30.5, 5.5], [30.5, 25]], "style": "ink"}]), 0)
    assert at(img, 15, 5) == BLACK and at(img, 30, 15) == BLACK
    assert at(img, 30, 5) == BLACK               # the corner: once, not darker than black, no gap
    assert at(img, 17, 15) == WHITE              # the closing diagonal is not drawn


def test_polygon_draws_fill_then_stroke():
    st = {"fill": "#268bd2", "stroke": "#000000", "width": 1}
    img = draw_frame(scene([{"points": rect(10.5, 5.5, 30.5, 25.5), "style": "cell"}], cell=st), 0)
    assert at(img, 20, 15) == BLUE
    assert at(img, 10, 15) == BLACK and at(img, 20, 5) == BLACK   # outline on top of the fill


# -- text --------------------------------------------------------------------------

def test_text_is_drawn_around_its_anchor_and_bold_is_heavier():
    regular = draw_frame(scene([{"text": "input 5×5", "at": [40, 15], "style": "label"}], width=80), 0)
    bold = draw_frame(scene([{"text": "input 5×5", "at": [40, 15], "style": "label_bold"}], width=80), 0)
    ink_r = (255 - regular[..., 0].astype(float)) / 255
    ink_b = (255 - bold[..., 0].astype(float)) / 255
    ys, xs = np.nonzero(ink_r > 0.5)
    assert len(xs) > 30
    assert abs((xs.min() + xs.max()) / 2 - 40) <= 3 and abs((ys.min() + ys.max()) / 2 - 15) <= 3   # "mm": centred
    assert ink_b.sum() > 1.15 * ink_r.sum()


# -- frames ------------------------------------------------------------------------

def moving_square() -> dict:
    frames = [{"ms": 100 * (i + 1), "items": [{"points": rect(4 + 10 * i, 8, 14 + 10 * i, 18), "style": "tint"}]} for i in range(3)]
    return scene([{"points": rect(0, 0, 20, 30), "style": "blue"}], frames)


def test_frames_are_base_plus_their_own_items_only():
    s = moving_square()
    frames = list(rasterize(s))
    assert [f.ms for f in frames] == [100, 200, 300]
    first, second = frames[0].pixels, frames[1].pixels
    assert near(at(first, 9, 12), BLUE_TINTED) and at(second, 9, 12) == BLUE    # frame 0's tint is gone
    assert near(at(second, 18, 12), BLUE_TINTED) and near(at(second, 22, 12), WHITE_TINTED)
    for i, f in enumerate(frames):
        assert np.array_equal(f.pixels, draw_frame(s, i))


def test_changed_box_covers_every_changed_pixel():
    frames = list(rasterize(moving_square()))
    assert frames[0].changed == (0, 0, 40, 30)
    for before, f in zip(frames, frames[1:]):
        x0, y0, x1, y1 = f.changed
        outside = np.ones((30, 40), bool)
        outside[y0:y1, x0:x1] = False
        assert np.array_equal(f.pixels[outside], before.pixels[outside])
        assert (x1 - x0) * (y1 - y0) < 0.5 * 40 * 30          # and it is a real crop
        differs = (f.pixels != before.pixels).any(axis=-1)
        ys, xs = np.nonzero(differs)
        assert (x0, y0) == (xs.min(), ys.min()) or (x0 <= xs.min() and y0 <= ys.min())


@pytest.mark.parametrize("spec, options", [
    ({"input_size": [4, 5], "padding": 2, "padding_mode": "reflect"}, {"numbers": True}),
    ({"op": "conv_transpose2d", "input_size": 3, "stride": 2, "view": "scatter"}, {"numbers": True}),
    ({"op": "max_pool2d", "input_size": 5, "kernel_size": 2, "in_channels": 2}, {"layout": "flat", "numbers": True}),
    ({"input_size": 6, "padding": 1}, {"numbers": True, "granularity": "row"}),
])
def test_each_frame_equals_the_frame_drawn_alone(spec, options):
    """Timed items (numbers mode's finished outputs, the scatter view's partial sums)
    are painted once when they come and wiped when they go, and inks that stay are
    not repainted: the frames must still be exactly what drawing each alone gives."""
    from app.engine import trace
    from app.render import build_options, build_scene

    s = build_scene(trace(spec), build_options({"labels": True, **options}))
    for i, f in enumerate(rasterize(s)):
        assert np.array_equal(f.pixels, draw_frame(s, i)), i


@pytest.mark.parametrize("spec, options", [
    ({"input_size": [4, 5], "padding": 2, "padding_mode": "reflect"}, {"numbers": True}),
    ({"op": "conv_transpose2d", "input_size": 3, "stride": 2, "view": "scatter"}, {"numbers": True}),
    ({"op": "max_pool2d", "input_size": 5, "kernel_size": 2, "in_channels": 2}, {"layout": "flat", "numbers": True}),
    ({"input_size": 6, "padding": 1}, {"numbers": True, "granularity": "row"}),
])
def test_restored_and_inked_cover_every_changed_pixel(spec, options):
    """What the GIF writer relies on: pixels outside a frame's relaid, restored and
    inked footprints equal the previous frame's; restored ones equal the picture
    under the frames (the first frame's `base`, changed only in relaid boxes), and
    that picture is the frame drawn without its own items."""
    from app.engine import trace
    from app.render import build_options, build_scene

    s = build_scene(trace(spec), build_options({"labels": False, **options}))
    frames = list(rasterize(s))
    base, h, w = frames[0].base, s["height"], s["width"]
    assert base is not None and all(f.base is None for f in frames[1:])
    under = base.copy()
    for i, (before, f) in enumerate(zip(frames, frames[1:]), start=1):
        covered = np.zeros(h * w, bool)
        for (x0, y0, x1, y1), pixels in f.relaid:
            covered.reshape(h, w)[y0:y1, x0:x1] = True
            under[y0:y1, x0:x1] = pixels
        for (x0, y0, x1, y1), flat in f.restored + f.inked:
            if flat is None:
                covered.reshape(h, w)[y0:y1, x0:x1] = True
            else:
                covered[flat] = True
        differs = (f.pixels != before.pixels).any(axis=-1).reshape(-1)
        assert not (differs & ~covered).any()
        inked = np.zeros(h * w, bool)
        for (x0, y0, x1, y1), flat in f.inked:
            if flat is None:
                inked.reshape(h, w)[y0:y1, x0:x1] = True
            else:
                inked[flat] = True
        back = (covered & ~inked).reshape(h, w)
        assert np.array_equal(f.pixels[back], under[back])
        alone = draw_frame({**s, "frames": [{**s["frames"][i], "items": []} if j == i else fr for j, fr in enumerate(s["frames"])]}, i)
        assert np.array_equal(under, alone), i


def test_overlapping_timed_items_come_and_go_in_their_order():
    """Timed items that overlap each other and the frames' items: a tint that stays,
    a stroke and a text that come and go over it (and one under it in list order).
    Every frame is the frame drawn alone, and the picture under the frames changes
    only where `relaid` says."""
    s = scene([{"points": rect(0, 0, 20, 30), "style": "blue"}],
              [{"ms": 10, "items": [{"points": rect(4 * i, 4, 4 * i + 12, 16), "style": "tint"}]} for i in range(6)],
              label={"fill": "#000000", "font": 12, "anchor": "mm"})
    s["timed"] = [
        {"line": [[2, 2], [38, 28]], "style": "dashed", "from": 1, "to": 3},
        {"points": rect(10, 8, 30, 22), "style": "tint", "from": 0, "to": 5},
        {"line": [[2, 28], [38, 2], [20, 2]], "style": "ink", "from": 2, "to": 4},
        {"text": "12", "at": [20, 15], "style": "label", "from": 3, "to": 3},
        {"points": rect(16, 12, 24, 18), "style": "black", "from": 4, "to": 5},
    ]
    frames = list(rasterize(s))
    under = frames[0].base.copy()
    for i, f in enumerate(frames):
        assert np.array_equal(f.pixels, draw_frame(s, i)), i
        for (x0, y0, x1, y1), pixels in f.relaid:
            under[y0:y1, x0:x1] = pixels
        alone = draw_frame({**s, "frames": [{"ms": 10, "items": []}] * 6}, i)
        assert np.array_equal(under, alone), i


def test_a_frame_that_changes_nothing_says_so():
    s = scene([{"points": rect(0, 0, 20, 30), "style": "blue"}], [{"ms": 50, "items": []}, {"ms": 50, "items": []}])
    frames = list(rasterize(s))
    assert frames[0].changed == (0, 0, 40, 30) and frames[1].changed is None
    assert np.array_equal(frames[0].pixels, frames[1].pixels)


def test_a_scene_without_frames_is_one_still_frame():
    frames = list(rasterize(scene([{"points": rect(0, 0, 20, 30), "style": "blue"}])))
    assert len(frames) == 1 and at(frames[0].pixels, 5, 5) == BLUE


# -- a scene like the reference animations -----------------------------------------

CELL, MARGIN = 29.5, 21.0


def slanted_scene(T: int = 7, pad: int = 1, k: int = 3) -> dict:
    """same_padding_no_strides by hand: a T x T input (dashed white padding ring, blue
    inside), the (T-k+1)^2 output floating above, per frame 9 tinted and 9 outlined taps,
    the current output cell and four connectors. Projection from DESIGN.md:
    grid (x, y) -> page (x - 0.7 y, 0.5 x + 0.65 y), y up."""
    O = T - k + 1
    lift = 0.5 * T + 0.65 * T - (0.5 + 0.65) * (T - O) / 2      # output's lowest corner meets input's top

    def page(x, y, up=0.0):
        return (x - 0.7 * y) * CELL, (0.5 * x + 0.65 * y + up) * CELL

    def quad(c, r, n, up=0.0, shift=0.0):   # cell (row r, col c) of an n x n map, row 0 at the back
        x, y = c + shift, n - 1 - r + shift
        return [page(x, y, up), page(x + 1, y, up), page(x + 1, y + 1, up), page(x, y + 1, up)]

    raw = {f"in:{r}:{c}": quad(c, r, T) for r in range(T) for c in range(T)}
    raw |= {f"out:{r}:{c}": quad(c, r, O, lift, (T - O) / 2) for r in range(O) for c in range(O)}
    xs = [x for q in raw.values() for x, _ in q]
    ys = [y for q in raw.values() for _, y in q]
    width, height = round(max(xs) - min(xs) + 2 * MARGIN), round(max(ys) - min(ys) + 2 * MARGIN)

    def px(p):
        return [round(p[0] - min(xs) + MARGIN, 2), round(max(ys) - p[1] + MARGIN, 2)]

    polys = {name: [px(p) for p in q] for name, q in raw.items()}
    styles = {
        "pad": {"fill": "#ffffff", "stroke": "#002b36", "width": 1, "dash": [4.8, 3.5]},
        "in": {"fill": "#268bd2", "stroke": "#002b36", "width": 1},
        "out": {"fill": "#2aa198", "stroke": "#002b36", "width": 1},
        "tap": {"fill": "#073642", "opacity": 0.4},
        "tap_edge": {"stroke": "#002b36", "width": 1},
        "current": {"fill": "#073642", "opacity": 0.4},
        "connector": {"stroke": "#002b36", "width": 0.8},
    }
    ring = lambda r, c: r < pad or c < pad or r >= T - pad or c >= T - pad   # noqa: E731
    base = [{"poly": f"in:{r}:{c}", "style": "pad" if ring(r, c) else "in"} for r in range(T) for c in range(T)]
    base += [{"poly": f"out:{r}:{c}", "style": "out"} for r in range(O) for c in range(O)]
    frames = []
    for i in range(O):
        for j in range(O):
            taps = [f"in:{i + a}:{j + b}" for a in range(k) for b in range(k)]
            items = [{"poly": t, "style": "tap"} for t in taps] + [{"poly": t, "style": "tap_edge"} for t in taps]
            items.append({"poly": f"out:{i}:{j}", "style": "current"})
            corners = [polys[f"in:{i}:{j}"][3], polys[f"in:{i}:{j + k - 1}"][2],
                       polys[f"in:{i + k - 1}:{j + k - 1}"][1], polys[f"in:{i + k - 1}:{j}"][0]]
            out = polys[f"out:{i}:{j}"]
            items += [{"line": [a, b], "style": "connector"} for a, b in zip(corners, [out[3], out[2], out[1], out[0]])]
            frames.append({"ms": 1000, "items": items})
    frames[-1]["ms"] = 2000
    return {"width": width, "height": height, "background": "#ffffff", "styles": styles, "polys": polys,
            "base": base, "frames": frames}


def centre(s, name):
    x, y = np.mean(s["polys"][name], axis=0)
    return int(x), int(y)


def test_slanted_scene_colours_at_cell_centres():
    s = slanted_scene()
    assert abs(s["width"] - 395) <= 4 and abs(s["height"] - 449) <= 4 and len(s["frames"]) == 25
    frames = list(rasterize(s))
    first, middle = frames[0].pixels, frames[12].pixels
    assert near(at(first, *centre(s, "in:1:1")), BLUE_TINTED)       # input under the kernel
    assert near(at(first, *centre(s, "in:0:0")), WHITE_TINTED)      # padding under the kernel
    assert at(first, *centre(s, "in:4:4")) == BLUE
    assert at(first, *centre(s, "in:6:6")) == WHITE
    assert near(at(first, *centre(s, "out:0:0")), (28, 118, 118))   # 0.6 * #2aa198 + 0.4 * #073642
    assert at(first, *centre(s, "out:2:2")) == (42, 161, 152)
    assert near(at(middle, *centre(s, "in:3:3")), BLUE_TINTED) and at(middle, *centre(s, "in:0:0")) == WHITE


@pytest.mark.parametrize("anchor", ["lt", "mm", "rs"])
def test_times_sign_is_drawn_where_pillow_puts_a_plus_and_is_diagonal(anchor):
    """The built-in font has no "×": ours sits where Pillow lays out "+", as a cross."""
    from PIL import Image, ImageDraw, ImageFont

    from app.render.text import text_mask

    size = 24.0
    ours, (left, top) = text_mask("1×1", size, anchor)
    font = ImageFont.load_default(size=size)
    l2, t2, r2, b2 = font.getbbox("1+1", anchor=anchor)
    assert (left, top) == (l2, t2) and ours.shape == (b2 - t2, r2 - l2)
    im = Image.new("L", ours.shape[::-1], 0)
    ImageDraw.Draw(im).text((-l2, -t2), "1+1", font=font, fill=255, anchor=anchor)
    pillow = np.asarray(im, np.float32) / 255

    def middle_glyph(a):
        cols = np.flatnonzero(a.max(axis=0) > 0.5)
        runs = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
        c0, c1 = runs[1][0], runs[1][-1] + 1
        rows = np.flatnonzero(a[:, c0:c1].max(axis=1) > 0.5)
        return a[rows[0]:rows[-1] + 1, c0:c1], ((c0 + c1) / 2, (rows[0] + rows[-1] + 1) / 2)

    cross, (cx, cy) = middle_glyph(ours)
    plus, (px, py) = middle_glyph(pillow)
    assert abs(cx - px) <= 1 and abs(cy - py) <= 1                    # in the plus's place
    h, w = cross.shape
    assert cross[h // 2, w // 2] > 0.5                                 # crossing in the middle
    assert cross[0, 0] > 0.3 and cross[-1, -1] > 0.3 and cross[0, -1] > 0.3 and cross[-1, 0] > 0.3   # diagonal arms
    assert cross[0, w // 2] < 0.3 and cross[h // 2, 0] < 0.3           # not a "+"
    assert np.array_equal(ours[:, :int(cx) - w], pillow[:, :int(cx) - w])   # the digits are Pillow's


@pytest.mark.parametrize("size", [1.0, 2.5, 4.0, 12.0])
def test_times_sign_at_any_size_even_too_small_to_see(size):
    from app.render.text import text_mask

    for bold in (False, True):
        mask, _ = text_mask("3×3", size, "mm", bold)
        assert mask.size and np.isfinite(mask).all() and 0 <= mask.min() and mask.max() <= 1


def test_smallest_scale_renders_numbers_and_labels():
    from app.render import render

    data = render({"input_size": 4, "padding": 1, "padding_mode": "reflect"}, "gif", numbers=True, scale=0.25)
    assert data[:6] == b"GIF89a"
