"""A small GIF writer: our own container, Pillow's LZW encoder for the pixels.

Frames after the first store only the box that changed, with every unchanged
pixel inside it set to the transparent index, so an animation whose kernel
moves over a still picture costs little per frame. Pillow encodes each box
(C speed); this module lays out the blocks: one global palette, the loop
extension, a graphic control block per frame (delay, disposal "leave in place",
transparency).
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image, ImageFile

COLOURS = 31            # palette entries for pixels; the next index is transparent
TRANSPARENT = COLOURS
TABLE_BITS = 5          # 2**5 = 32 entries in the global colour table


def palette_for(samples: list[np.ndarray]) -> Image.Image:
    """One palette for the whole animation: the most common colours exactly, then blends.

    Flat fills are the most frequent colours, so they are kept exact (no dithering,
    no drift); an octree spends the remaining entries on antialiased edges.
    """
    probe = np.ascontiguousarray(np.concatenate(samples, axis=0)[::2, ::2])
    keys = (probe[..., 0].astype(np.uint32) << 16) | (probe[..., 1].astype(np.uint32) << 8) | probe[..., 2]
    values, counts = np.unique(keys.ravel(), return_counts=True)
    top = values[np.argsort(-counts, kind="stable")[:16]]
    exact = [((int(k) >> 16) & 255, (int(k) >> 8) & 255, int(k) & 255) for k in top]
    blends = []
    if len(values) > len(exact):
        rest = Image.fromarray(probe).quantize(colors=COLOURS - len(exact), method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        blends = [tuple(c) for c in np.array(rest.getpalette()[: 3 * (COLOURS - len(exact))]).reshape(-1, 3).tolist()]
    colours = (exact + [c for c in blends if c not in exact])[:COLOURS]
    pal = Image.new("P", (1, 1))
    pal.putpalette([v for c in colours for v in c] + [255, 255, 255] * (256 - len(colours)))
    return pal


def to_indices(pixels: np.ndarray, palette: Image.Image) -> np.ndarray:
    """Nearest palette entry for each pixel, no dithering."""
    return np.asarray(Image.fromarray(pixels).quantize(palette=palette, dither=Image.Dither.NONE))


def _lzw(indices: np.ndarray) -> bytes:
    """The LZW image data of one block: code size, sub-blocks, terminator.

    Pillow's C encoder does the compression; it is driven the way Pillow's own
    GIF writer drives it (ImageFile._save with a "gif" tile), which skips the
    cost of writing and re-parsing a whole one-frame file per block.
    """
    h, w = indices.shape
    im = Image.frombytes("P", (w, h), np.ascontiguousarray(indices, dtype=np.uint8).tobytes())
    im.encoderconfig = (TABLE_BITS, False)   # code size, not interlaced
    out = io.BytesIO()
    out.write(bytes([TABLE_BITS]))
    ImageFile._save(im, out, [ImageFile._Tile("gif", (0, 0, w, h), 0, "P")])
    out.write(b"\x00")
    return out.getvalue()


def write(frames, durations: list[int], width: int, height: int, palette: Image.Image) -> bytes:
    """frames: iterable of ([H][W] index array, box that may differ from the frame before
    or None for anywhere); durations in ms (GIF keeps centiseconds)."""
    table = bytes(palette.getpalette()[: 3 << TABLE_BITS])
    out = [b"GIF89a", struct.pack("<HHBBB", width, height, 0x80 | 0x70 | (TABLE_BITS - 1), 0, 0), table,
           b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"]
    previous = None
    for (indices, near), ms in zip(frames, durations):
        if previous is None:
            box, block = (0, 0, width, height), indices
        else:
            nx0, ny0, nx1, ny1 = near or (0, 0, width, height)
            changed = indices[ny0:ny1, nx0:nx1] != previous[ny0:ny1, nx0:nx1]
            if changed.any():
                ys, xs = np.nonzero(changed.any(axis=1))[0], np.nonzero(changed.any(axis=0))[0]
                box = (nx0 + int(xs[0]), ny0 + int(ys[0]), nx0 + int(xs[-1]) + 1, ny0 + int(ys[-1]) + 1)
            else:
                box = (0, 0, 1, 1)  # keep the frame (and its delay) with one transparent pixel
            x0, y0, x1, y1 = box
            inside = changed[y0 - ny0:y1 - ny0, x0 - nx0:x1 - nx0] if changed.any() else np.zeros((1, 1), bool)
            block = np.where(inside, indices[y0:y1, x0:x1], TRANSPARENT)
        delay = max(2, round(ms / 10))
        out.append(struct.pack("<BBBBHBB", 0x21, 0xF9, 4, (1 << 2) | 1, delay, TRANSPARENT, 0))
        x0, y0, x1, y1 = box
        out.append(struct.pack("<BHHHHB", 0x2C, x0, y0, x1 - x0, y1 - y0, 0))
        out.append(_lzw(block))
        previous = indices
    out.append(b"\x3b")
    return b"".join(out)
