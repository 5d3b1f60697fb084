"""`convplay gallery OUTDIR`: every preset rendered, with an index.html to browse them."""

from __future__ import annotations

import html
import sys
import time
from pathlib import Path

from app.engine import build_spec, run
from app.presets import PRESETS
from app.render import render, writer
from app.render.scene import operation_line

GROUPS = {"reference": "The reference animations", "paper": "The paper's numerical figures", "ours": "Beyond the reference"}


def progress(done: int, total: int, label: str, started: float, out=sys.stderr) -> None:
    """One line, redrawn in place: a bar, the count, the current item, the time so far."""
    width = 28
    filled = round(width * done / total)
    out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {time.perf_counter() - started:5.1f}s {label[:40]:40}")
    if done == total:
        out.write("\n")
    out.flush()


def write_gallery(outdir: str | Path, fmt: str = "gif", scale: float = 1.0, labels: bool = True) -> list[Path]:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    started, written, cards = time.perf_counter(), [], {g: [] for g in GROUPS}
    for i, preset in enumerate(PRESETS):
        progress(i, len(PRESETS), preset.slug, started)
        trace = run(build_spec(preset.spec))
        options = {"labels": labels, "scale": scale, **preset.options}
        path = outdir / f"{preset.slug}.{fmt}"
        path.write_bytes(render(trace, fmt, **options))
        written.append(path)
        cards[preset.group].append(_card(path.name, preset.title.en, operation_line(trace.spec), trace.arithmetic["torch"], fmt))
    progress(len(PRESETS), len(PRESETS), "done", started)
    (outdir / "index.html").write_text(_page(cards), encoding="utf-8")
    return written


def _card(name: str, title: str, line: str, torch_line: str, fmt: str) -> str:
    video = writer(fmt).media_type.startswith("video/")
    media = f'<video src="{name}" autoplay loop muted playsinline></video>' if video else f'<img src="{name}" alt="{html.escape(title)}" loading="lazy">'
    return (f'<figure>{media}<figcaption><strong>{html.escape(title)}</strong><br>'
            f'<code>{html.escape(line)}</code><br><code>{html.escape(torch_line)}</code></figcaption></figure>')


def _page(cards: dict[str, list[str]]) -> str:
    sections = "".join(f"<h2>{GROUPS[g]}</h2><div class=grid>{''.join(c)}</div>" for g, c in cards.items() if c)
    return f"""<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>convplay gallery</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; color: #073642; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1.5rem; }}
figure {{ margin: 0; }} img, video {{ max-width: 100%; height: auto; }}
code {{ font-size: 12px; color: #586e75; }}
</style>
<h1>convplay gallery</h1>
<p>Every animation drawn by convplay from an exact, PyTorch-checked trace.
The reference animations are after Dumoulin &amp; Visin, <em>A guide to convolution arithmetic for deep learning</em> (arXiv:1603.07285).</p>
{sections}
</html>
"""
