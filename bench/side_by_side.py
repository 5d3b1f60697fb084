"""Our frame beside the reference's, one PNG per sample frame, to judge the look by eye.

    python bench/side_by_side.py [--shared ../shared] [--out /tmp/convplay-side-by-side]

bench_render.py compares whole GIFs by numbers (bytes, canvas); whether a frame
*looks* like the reference's (colours, cell sizes, where the kernel sits on frame NN)
takes a picture. For each sample `<animation>_fNN.png` in shared/reference/frames, this
renders our frame NN of that animation (parameters from conv_arithmetic.json, scale 1,
labels off, as the reference) and writes ours left, the reference right, on white.
`pdf_numerical_<figure>_NN.png` (the paper's static numbers figures) get our frame NN
of the matching numbers-mode preset (`numerical_<figure>`). Prints per frame both
canvases, the share of pixels that differ by more than 64 in some channel, and the mean
absolute difference, both images at the top-left, on their common area, in RGB.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))   # this checkout's `app`, not an installed one

from bench_render import reference_rows, spec_of  # noqa: E402
from PIL import Image  # noqa: E402

from app.presets import BY_SLUG  # noqa: E402
from app.render import render  # noqa: E402

GAP = 16   # white pixels around and between the two pictures


def ours(name: str, frame: int, rows: dict) -> Image.Image | None:
    """Our frame `frame` of the reference animation `name`, or of the paper's figure
    `pdf_numerical_*` (its numbers-mode preset); None when we have no such picture."""
    if name in rows:
        spec, options = spec_of(rows[name]), {}
    elif name.startswith("pdf_") and name[4:] in BY_SLUG:
        preset = BY_SLUG[name[4:]]
        spec, options = preset.spec, dict(preset.options)
    else:
        return None
    data = render(spec, "png", **{**options, "labels": False, "scale": 1, "frame": frame})
    return Image.open(io.BytesIO(data)).convert("RGB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--reference", type=Path, default=ROOT / "tests" / "data" / "conv_arithmetic.json")
    ap.add_argument("--out", type=Path, default=Path("/tmp/convplay-side-by-side"))
    args = ap.parse_args()
    rows = {row["name"]: row for row in reference_rows(args.reference)}
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{'frame':42} {'ours':>9} {'reference':>9} {'>64 %':>6} {'MAD':>5}")
    for path in sorted((args.shared / "reference" / "frames").glob("*.png")):
        match = re.fullmatch(r"(.+?)_f?(\d+)", path.stem)
        mine = ours(match[1], int(match[2]), rows) if match else None
        if mine is None:
            print(f"{path.stem:42} skipped: no matching animation")
            continue
        ref = Image.open(path).convert("RGB")
        w, h = min(mine.width, ref.width), min(mine.height, ref.height)
        a = np.asarray(mine, dtype=np.int16)[:h, :w]
        b = np.asarray(ref, dtype=np.int16)[:h, :w]
        diff = np.abs(a - b)
        sheet = Image.new("RGB", (mine.width + ref.width + 3 * GAP, max(mine.height, ref.height) + 2 * GAP), "white")
        sheet.paste(mine, (GAP, GAP))
        sheet.paste(ref, (mine.width + 2 * GAP, GAP))
        sheet.save(args.out / f"{path.stem}.png")
        print(f"{path.stem:42} {mine.width:>4}x{mine.height:<4} {ref.width:>4}x{ref.height:<4} "
              f"{100 * (diff.max(axis=2) > 64).mean():6.1f} {diff.mean():5.1f}")
    print(f"written to {args.out}: ours left, the reference right")


if __name__ == "__main__":
    main()
