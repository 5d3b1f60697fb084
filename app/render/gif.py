"""A small GIF writer: our own container, Pillow's LZW for the pixels.

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
from PIL import Image

COLOURS = 31            # palette entries for pixels; the next index is transparent
TRANSPARENT = COLOURS
TABLE_BITS = 5          # 2**5 = 32 entries in the global colour table


def palette_for(samples: list[np.ndarray]) -> Image.Image:
    """One palette for the whole animation: the most common colours exactly, then blends.

    Flat fills are the most frequent colours, so they are kept exact (no dithering,
    no drift); median cut spends the remaining entries on antialiased edges.
    """
    probe = Image.fromarray(np.ascontiguousarray(np.concatenate(samples, axis=0)[::2, ::2]))
    counts = sorted(probe.getcolors(maxcolors=1 << 20), reverse=True)
    exact = [c for _, c in counts[:16]]
    blends = []
    if len(counts) > len(exact):
        rest = probe.quantize(colors=COLOURS - len(exact), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        blends = [tuple(c) for c in np.array(rest.getpalette()[: 3 * (COLOURS - len(exact))]).reshape(-1, 3).tolist()]
    colours = (exact + [c for c in blends if c not in exact])[:COLOURS]
    pal = Image.new("P", (1, 1))
    pal.putpalette([v for c in colours for v in c] + [255, 255, 255] * (256 - len(colours)))
    return pal


def to_indices(pixels: np.ndarray, palette: Image.Image) -> np.ndarray:
    """Nearest palette entry for each pixel, no dithering."""
    return np.asarray(Image.fromarray(pixels).quantize(palette=palette, dither=Image.Dither.NONE))


def _lzw(indices: np.ndarray, palette: Image.Image) -> bytes:
    """Pillow's LZW stream for one block of indices (from a one-frame GIF it writes)."""
    im = Image.fromarray(np.ascontiguousarray(indices.astype(np.uint8)), mode="L").convert("P")
    im.putpalette(palette.getpalette()[: 3 << TABLE_BITS])
    out = io.BytesIO()
    im.save(out, format="GIF", optimize=False, interlace=False)
    data = out.getvalue()
    pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    while data[pos] == 0x21:  # skip extensions: label, then sub-blocks
        pos += 2
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    assert data[pos] == 0x2C, "an image descriptor follows the extensions"
    flags = data[pos + 9]
    pos += 10 + ((3 << ((flags & 7) + 1)) if flags & 0x80 else 0)
    end = pos + 1
    while data[end]:
        end += data[end] + 1
    return data[pos:end + 1]


def write(frames, durations: list[int], width: int, height: int, palette: Image.Image) -> bytes:
    """frames: iterable of [H][W] index arrays; durations in ms (GIF keeps centiseconds)."""
    table = bytes(palette.getpalette()[: 3 << TABLE_BITS])
    out = [b"GIF89a", struct.pack("<HHBBB", width, height, 0x80 | 0x70 | (TABLE_BITS - 1), 0, 0), table,
           b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"]
    previous = None
    for indices, ms in zip(frames, durations):
        if previous is None:
            box, block = (0, 0, width, height), indices
        else:
            changed = indices != previous
            if changed.any():
                ys, xs = np.nonzero(changed.any(axis=1))[0], np.nonzero(changed.any(axis=0))[0]
                box = (int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1)
            else:
                box = (0, 0, 1, 1)  # keep the frame (and its delay) with one transparent pixel
            x0, y0, x1, y1 = box
            block = np.where(changed[y0:y1, x0:x1], indices[y0:y1, x0:x1], TRANSPARENT)
        delay = max(2, round(ms / 10))
        out.append(struct.pack("<BBBBHBB", 0x21, 0xF9, 4, (1 << 2) | 1, delay, TRANSPARENT, 0))
        x0, y0, x1, y1 = box
        out.append(struct.pack("<BHHHHB", 0x2C, x0, y0, x1 - x0, y1 - y0, 0))
        out.append(_lzw(block, palette))
        previous = indices
    out.append(b"\x3b")
    return b"".join(out)
