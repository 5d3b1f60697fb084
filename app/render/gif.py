"""Scene -> animated GIF: a small shared palette, transparent deltas, our own container.

Every frame after the first stores only the box that changed since the frame
before, and inside that box every unchanged pixel is the transparent index, so
a kernel moving over a still picture costs little per frame. The palette is
small (16 entries for the usual scene) because LZW codes grow with it: the flat
colours of the scene are kept exactly and the few remaining entries go to the
antialiasing blends. Pillow's C encoder does the LZW; this module lays out the
blocks (one global colour table, the loop extension, a graphic control block
per frame with delay, "leave in place" disposal and transparency).
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image, ImageFile

from .raster import rasterize

MIN_FLAT = 4        # sampled interior pixels a colour needs to count as a flat fill (kept exact)
TOLERANCE = 48      # largest colour error (RGB distance) a table may leave before it doubles


def _keys(pixels: np.ndarray) -> np.ndarray:
    """One uint32 per RGB pixel, so colours can be counted and compared fast."""
    return (pixels[..., 0].astype(np.uint32) << 16) | (pixels[..., 1].astype(np.uint32) << 8) | pixels[..., 2]


def _rgb(keys: np.ndarray) -> np.ndarray:
    return np.stack([(keys >> 16) & 255, (keys >> 8) & 255, keys & 255], axis=-1)


def _interior(k: np.ndarray) -> np.ndarray:
    """Where a pixel equals all four neighbours (False on the border)."""
    inside = np.zeros(k.shape, bool)
    c = k[1:-1, 1:-1]
    inside[1:-1, 1:-1] = (c == k[:-2, 1:-1]) & (c == k[2:, 1:-1]) & (c == k[1:-1, :-2]) & (c == k[1:-1, 2:])
    return inside


def palette_for(regions: list[np.ndarray], max_colours: int = 255) -> np.ndarray:
    """[K][3] uint8 colours for the whole animation; K + 1 (with transparent) a power of two.

    `regions` are samples of the pixels that get encoded, as pictures (every
    third or fourth pixel of each is plenty). Flat colours (pixels equal to
    their four neighbours: fills, tints, background; antialiased edges are too
    thin to have any) come first and exact, so fills never drift or dither. The
    rest of the table goes to the blends by a weighted k-means over all colours,
    flat ones held fixed.
    """
    keys = [_keys(r) for r in regions]
    inner, counts = np.unique(np.concatenate([k[_interior(k)] for k in keys]), return_counts=True)
    order = np.argsort(-counts, kind="stable")
    flats = _distinct(_rgb(inner[order][counts[order] >= MIN_FLAT]).astype(np.int32), max_colours // 2)
    values, counts = np.unique(np.concatenate([k.ravel() for k in keys]), return_counts=True)
    # square-rooted counts: big areas are held by the flat colours already, and
    # a rare blend on an edge matters as much as a common one
    points, weights = _rgb(values).astype(np.float32), np.sqrt(counts).astype(np.float32)
    size = 16
    while True:   # the smallest table that serves every colour within TOLERANCE
        centres, worst = _kmeans(points, weights, flats.astype(np.float32), min(size - 1, max_colours))
        if worst <= TOLERANCE ** 2 or size > max_colours:
            return _exact(np.round(centres).astype(np.uint8), len(flats))
        size *= 2


def _kmeans(points, weights, fixed, k: int, rounds: int = 3):
    """k centres (the fixed ones first, unmoved) and the worst squared distance left.

    Seeds are picked farthest first (distance times weight); then Lloyd's
    rounds move the free centres to their clusters' weighted means.
    """
    centres = list(fixed)
    gap = _squared(points, np.asarray(centres, np.float32).reshape(-1, 3)).min(axis=1, initial=np.inf)
    while len(centres) < k and gap.max() > 0:   # the distance to the nearest centre so far
        worst = int(np.argmax(weights * np.minimum(gap, 1e9)))
        centres.append(points[worst])
        gap = np.minimum(gap, _squared(points, points[worst][None])[:, 0])
    centres = np.array(centres, np.float32).reshape(-1, 3)
    free = np.arange(len(centres)) >= len(fixed)
    dist = lambda: _squared(points, centres)   # noqa: E731
    for _ in range(rounds):
        label = dist().argmin(axis=1)
        mass = np.bincount(label, weights, len(centres))
        moved = np.stack([np.bincount(label, weights * points[:, c], len(centres)) for c in range(3)], axis=1)
        on = free & (mass > 0)
        centres[on] = moved[on] / mass[on, None]
    return centres, float(dist().min(axis=1).max())


def _squared(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """[P][K] squared distances, a channel at a time. Elementwise, not a matrix
    product: BLAS kernels differ between machines, and the same scene must give
    the same palette (and bytes) everywhere."""
    d = (points[:, None, 0] - centres[None, :, 0]) ** 2
    d += (points[:, None, 1] - centres[None, :, 1]) ** 2
    d += (points[:, None, 2] - centres[None, :, 2]) ** 2
    return d


def _distinct(rgb: np.ndarray, limit: int, near: int = 6) -> np.ndarray:
    """Colours in order, skipping any within `near` per channel of one kept: 254-white is white."""
    kept: list[np.ndarray] = []
    for c in rgb:
        if len(kept) >= limit:
            break
        if all(np.abs(c - d).max() > near for d in kept):
            kept.append(c)
    return np.array(kept, np.int32).reshape(-1, 3)


def _exact(colours: np.ndarray, flats: int) -> np.ndarray:
    """Make each flat colour map to itself under Pillow's quantizer.

    Pillow looks colours up in a cache of 4x4x4 cells, each holding the entry
    nearest the cell's corner, so a blend close to a flat colour can win its
    cell; that blend then becomes a copy of the flat colour.
    """
    if flats == 0:
        return colours
    mapped = Quantizer(colours)(colours[None, :flats])[0]
    for j, i in enumerate(mapped.tolist()):
        if i != j:
            colours[i] = colours[j]
    return colours


class Quantizer:
    """Palette index for each pixel, nearest colour, no dithering (Pillow, C speed)."""

    def __init__(self, colours: np.ndarray):
        self.image = Image.new("P", (1, 1))
        self.image.putpalette(colours.ravel().tolist())

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        h, w = pixels.shape[:2]
        image = Image.new("RGB", (w, h), None)   # left blank: filled next
        image.frombytes(np.ascontiguousarray(pixels))
        return np.asarray(image.quantize(palette=self.image, dither=Image.Dither.NONE))


def _lzw(indices: np.ndarray, code_size: int) -> bytes:
    """The LZW image data of one block: code size, sub-blocks, terminator.

    Pillow's C encoder is driven as Pillow's own GIF writer drives it
    (ImageFile._save with a "gif" tile), without writing a one-frame file.
    """
    h, w = indices.shape
    data = np.ascontiguousarray(indices, dtype=np.uint8)
    im = Image.frombuffer("P", (w, h), data, "raw", "P", 0, 1)   # shares `data`, no copy
    im.encoderconfig = (code_size, False)   # code size, not interlaced
    out = io.BytesIO()
    out.write(bytes([code_size]))
    ImageFile._save(im, out, [ImageFile._Tile("gif", (0, 0, w, h), 0, "P")])
    out.write(b"\x00")
    return out.getvalue()


def delays(durations: list[int]) -> list[int]:
    """Milliseconds -> GIF centiseconds, rounded on the running total so the loop keeps
    its length; at least 2 cs, since browsers slow anything shorter to 10 cs."""
    ends = np.cumsum(durations)
    starts = ends - np.asarray(durations)
    return [max(2, round(e / 10) - round(s / 10)) for s, e in zip(starts.tolist(), ends.tolist())]


def write(frames, durations: list[int], width: int, height: int, colours: np.ndarray) -> bytes:
    """frames: iterable of ([H][W] index array, box (x0, y0, x1, y1) outside which it
    equals the frame before, or None for anywhere). The array may be reused and
    changed in place between frames: the writer keeps its own copy."""
    bits = max(1, int(np.ceil(np.log2(len(colours) + 1))))
    transparent = len(colours)
    table = np.zeros((1 << bits, 3), np.uint8)
    table[:len(colours)] = colours
    out = [b"GIF89a", struct.pack("<HHBBB", width, height, 0x80 | ((bits - 1) << 4) | (bits - 1), 0, 0),
           table.tobytes(), b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"]
    previous = None
    for (indices, near), delay in zip(frames, delays(durations)):
        if previous is None:
            box, block = (0, 0, width, height), indices
            previous = indices.copy()
        else:
            nx0, ny0, nx1, ny1 = near or (0, 0, width, height)
            changed = indices[ny0:ny1, nx0:nx1] != previous[ny0:ny1, nx0:nx1]
            rows, cols = np.nonzero(changed.any(axis=1))[0], np.nonzero(changed.any(axis=0))[0]
            if rows.size:
                r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
                box = (nx0 + int(c0), ny0 + int(r0), nx0 + int(c1), ny0 + int(r1))
                block = np.where(changed[r0:r1, c0:c1], indices[box[1]:box[3], box[0]:box[2]], transparent)
                previous[ny0:ny1, nx0:nx1] = indices[ny0:ny1, nx0:nx1]
            else:   # nothing changed: keep the frame (and its delay) as one transparent pixel
                box, block = (0, 0, 1, 1), np.full((1, 1), transparent)
        x0, y0, x1, y1 = box
        out.append(struct.pack("<BBBBHBB", 0x21, 0xF9, 4, (1 << 2) | 1, delay, transparent, 0))
        out.append(struct.pack("<BHHHHB", 0x2C, x0, y0, x1 - x0, y1 - y0, 0))
        out.append(_lzw(block, max(2, bits)))
    out.append(b"\x3b")
    return b"".join(out)


def encode(scene: dict, durations: list[int]) -> bytes:
    """The scene as a looping GIF; `durations` in ms, one per frame.

    The picture under the frames' items is quantized whole, once; after that only
    the pixels each frame paints or relays under them, all frames' together. Where
    the last frame's items are taken away, the indices of the picture under them
    come back.
    """
    base, sample, fills, frames, parts = None, None, [], [], []
    for f in rasterize(scene, copy=False):
        if f.base is not None:
            base, sample = f.base, f.pixels[::4, ::4].copy()
        for _, pixels in f.relaid:
            parts.append(pixels.reshape(-1, 3))
        pixels = f.pixels.reshape(-1, 3)
        for (x0, y0, x1, y1), flat in f.inked:
            parts.append(np.array(f.pixels[y0:y1, x0:x1]).reshape(-1, 3) if flat is None else np.take(pixels, flat, axis=0))
        frames.append((f.relaid, f.restored, f.inked, f.changed))
        fills += [f.pixels[y0:y1:6, x0:x1:6].copy() for x0, y0, x1, y1 in f.fills]   # where new flat colours show
    total = sum(len(p) for p in parts)
    painted = np.concatenate([p[::max(1, total // 10000)] for p in parts] or [np.zeros((0, 3), np.uint8)])
    colours = palette_for([sample] + fills + [painted[:, None, :]])
    quantize = Quantizer(colours)
    mapped = np.concatenate([quantize(_rows(run)).ravel()[:sum(len(p) for p in run)] for run in _batches(parts)]
                            or [np.zeros(0, np.uint8)])   # the painted pixels' indices, in order
    del parts

    def indices():
        under = quantize(base).copy()   # Pillow hands back a read-only view
        current = under.copy()
        flat_view, under_flat, start = current.reshape(-1), under.reshape(-1), 0
        for relaid, restored, inked, box in frames:
            for (x0, y0, x1, y1), _ in relaid:
                n = (x1 - x0) * (y1 - y0)
                under[y0:y1, x0:x1] = mapped[start:start + n].reshape(y1 - y0, x1 - x0)
                current[y0:y1, x0:x1] = under[y0:y1, x0:x1]
                start += n
            for (x0, y0, x1, y1), flat in restored:
                if flat is None:
                    current[y0:y1, x0:x1] = under[y0:y1, x0:x1]
                else:
                    flat_view[flat] = under_flat[flat]
            for (x0, y0, x1, y1), flat in inked:
                n = (x1 - x0) * (y1 - y0) if flat is None else len(flat)
                if flat is None:
                    current[y0:y1, x0:x1] = mapped[start:start + n].reshape(y1 - y0, x1 - x0)
                else:
                    flat_view[flat] = mapped[start:start + n]
                start += n
            yield current, box or (0, 0, 0, 0)

    return write(indices(), durations, scene["width"], scene["height"], colours)


def _batches(parts: list[np.ndarray], size: int = 1 << 20):
    """Runs of consecutive parts of about `size` pixels: Pillow's copy of what it
    quantizes takes 4 bytes a pixel, so it gets a run at a time."""
    run, count = [], 0
    for p in parts:
        run.append(p)
        count += len(p)
        if count >= size:
            yield run
            run, count = [], 0
    if run:
        yield run


def _rows(parts: list[np.ndarray], width: int = 1024) -> np.ndarray:
    """Pixel lists laid end to end as an image Pillow handles well: rows of
    `width`, the last one padded."""
    total = sum(len(p) for p in parts)
    out = np.empty((max(1, -(-total // width)) * width, 3), np.uint8)
    if parts:
        np.concatenate(parts, out=out[:total])
    out[total:] = 0
    return out.reshape(-1, width, 3)
