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

MIN_FLAT = 8        # interior pixels a colour needs to count as a flat fill (kept exact)


def _keys(pixels: np.ndarray) -> np.ndarray:
    """One uint32 per RGB pixel, so colours can be counted and compared fast."""
    p = pixels.astype(np.uint32)
    return (p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2]


def _rgb(keys: np.ndarray) -> np.ndarray:
    return np.stack([(keys >> 16) & 255, (keys >> 8) & 255, keys & 255], axis=-1)


def flat_colours(pixels: np.ndarray) -> np.ndarray:
    """Colours that fill areas: pixels equal to all four neighbours, most common first.

    Antialiased edges are one or two pixels wide, so their blends almost never
    have an interior; cells, tints and the background always do.
    """
    k = _keys(pixels)
    inner = (k[1:-1, 1:-1] == k[:-2, 1:-1]) & (k[1:-1, 1:-1] == k[2:, 1:-1]) \
        & (k[1:-1, 1:-1] == k[1:-1, :-2]) & (k[1:-1, 1:-1] == k[1:-1, 2:])
    values, counts = np.unique(k[1:-1, 1:-1][inner], return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return values[order][counts[order] >= MIN_FLAT]


def palette_for(first: np.ndarray, regions: list[np.ndarray], max_colours: int = 255) -> np.ndarray:
    """[K][3] uint8 colours for the whole animation, K + 1 (transparent) a power of two.

    The flat colours come first, exact, so fills never drift or dither. The rest
    of the table is filled by a weighted k-means over every colour that occurs
    (first frame plus each later frame's changed box), with the flat colours
    held fixed: the blends settle where antialiased pixels actually are.
    """
    flats = _keys_unique_near(flat_colours(first), max_colours)
    need = len(flats) + max(7, len(flats))        # about one blend level per flat colour
    size = 16
    while size - 1 < need and size < max_colours + 1:
        size *= 2
    k = min(size - 1, max_colours)

    sample = np.concatenate([_keys(first[::2, ::2]).ravel()] + [_keys(r[::2, ::2]).ravel() for r in regions])
    values, counts = np.unique(sample, return_counts=True)
    points, weights = _rgb(values).astype(np.float32), counts.astype(np.float32)
    centres = _rgb(flats).astype(np.float32)
    while len(centres) < k:   # seed: the colour worst served so far, weighted by how often it occurs
        far = ((points[:, None, :] - centres[None]) ** 2).sum(-1).min(axis=1) * weights if len(centres) else weights
        if far.max() <= 0:
            break
        centres = np.vstack([centres, points[np.argmax(far)]])
    fixed = len(flats)
    for _ in range(8):
        label = ((points[:, None, :] - centres[None]) ** 2).sum(-1).argmin(axis=1)
        for j in range(fixed, len(centres)):
            on = label == j
            if on.any():
                centres[j] = (points[on] * weights[on, None]).sum(0) / weights[on].sum()
    return np.round(centres).astype(np.uint8)


def _keys_unique_near(keys: np.ndarray, limit: int, near: int = 6) -> np.ndarray:
    """Drop colours within `near` (per channel) of a more common one: 254-white is white."""
    kept: list[int] = []
    rgb = _rgb(keys).astype(int)
    for i in range(len(keys)):
        if len(kept) >= limit // 2:
            break
        if all(np.abs(rgb[i] - rgb[j]).max() > near for j in kept):
            kept.append(i)
    return keys[kept].astype(np.uint32)


class Quantizer:
    """Nearest palette entry for each pixel, exactly, with no dithering.

    Pillow's mapping is fast but goes through a coarse colour cache, so it can
    pick a neighbour of the right entry; every pixel whose mapped colour is not
    its own is checked against the whole palette in NumPy.
    """

    def __init__(self, colours: np.ndarray):
        self.colours = colours.astype(np.int32)
        self.image = Image.new("P", (1, 1))
        self.image.putpalette(colours.ravel().tolist())

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        idx = np.array(Image.fromarray(pixels).quantize(palette=self.image, dither=Image.Dither.NONE))
        idx = np.minimum(idx, len(self.colours) - 1)   # Pillow pads the palette to 256 entries
        off = (self.colours[idx] != pixels).any(axis=-1)
        if off.any():
            d = ((pixels[off].astype(np.int32)[:, None, :] - self.colours[None]) ** 2).sum(-1)
            idx[off] = d.argmin(axis=1)
        return idx.astype(np.uint8)


def _lzw(indices: np.ndarray, code_size: int) -> bytes:
    """The LZW image data of one block: code size, sub-blocks, terminator.

    Pillow's C encoder is driven as Pillow's own GIF writer drives it
    (ImageFile._save with a "gif" tile), without writing a one-frame file.
    """
    h, w = indices.shape
    im = Image.frombytes("P", (w, h), np.ascontiguousarray(indices, dtype=np.uint8).tobytes())
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
    equals the frame before, or None for anywhere)."""
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
        else:
            nx0, ny0, nx1, ny1 = near or (0, 0, width, height)
            changed = indices[ny0:ny1, nx0:nx1] != previous[ny0:ny1, nx0:nx1]
            rows, cols = np.nonzero(changed.any(axis=1))[0], np.nonzero(changed.any(axis=0))[0]
            if rows.size:
                r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
                box = (nx0 + int(c0), ny0 + int(r0), nx0 + int(c1), ny0 + int(r1))
                block = np.where(changed[r0:r1, c0:c1], indices[box[1]:box[3], box[0]:box[2]], transparent)
            else:   # nothing changed: keep the frame (and its delay) as one transparent pixel
                box, block = (0, 0, 1, 1), np.full((1, 1), transparent)
        x0, y0, x1, y1 = box
        out.append(struct.pack("<BBBBHBB", 0x21, 0xF9, 4, (1 << 2) | 1, delay, transparent, 0))
        out.append(struct.pack("<BHHHHB", 0x2C, x0, y0, x1 - x0, y1 - y0, 0))
        out.append(_lzw(block, max(2, bits)))
        previous = indices
    out.append(b"\x3b")
    return b"".join(out)


def encode(scene: dict, durations: list[int]) -> bytes:
    """The scene as a looping GIF; `durations` in ms, one per frame."""
    frames = list(rasterize(scene))
    regions = [f.pixels[y0:y1, x0:x1] for f in frames[1:] if f.changed for x0, y0, x1, y1 in [f.changed]]
    colours = palette_for(frames[0].pixels, regions)
    quantize = Quantizer(colours)

    def indices():
        current = None
        for f in frames:
            if current is None:
                current = quantize(f.pixels)
            elif f.changed is not None:   # only the changed box is mapped again
                x0, y0, x1, y1 = f.changed
                current = current.copy()
                current[y0:y1, x0:x1] = quantize(f.pixels[y0:y1, x0:x1])
            yield current, f.changed

    return write(indices(), durations, scene["width"], scene["height"], colours)
