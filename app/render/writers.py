"""The output formats, one registry: each writer says once what it is (name, media
type, suffix, animated or one frame, raster or not), what it costs beyond the common
caps, and whether this installation can write it. The CLI's choices, the endpoint's
format check and media type, the playground's download links and /api/v1/limits all
read it; a new format is one `register` call.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from app.engine import SpecError

from . import encode as enc
from . import gif, mp4
from .caps import MAX_FRAME_PIXELS, MAX_FRAMES, MAX_TOTAL_PIXELS, total_pixels
from .svg import scene_svg


@dataclass(frozen=True)
class Writer:
    name: str            # also the file suffix and the endpoint's /api/v1/animation.{name}
    label: str           # for download links
    media_type: str
    animated: bool       # every frame, or the one `frame` picks
    raster: bool         # drawn to pixels here, so the frame and pixel caps apply
    write: Callable[[dict, int | None], bytes] = field(repr=False)
    max_total_pixels: int | None = None   # its own cap on pixels over the whole animation
    needs: tuple[str, ...] = ()           # modules it needs at run time

    @property
    def suffix(self) -> str:
        return "." + self.name

    @property
    def available(self) -> bool:
        return _importable(self.needs)

    def check(self, scene: dict) -> None:
        """This writer's own caps, after the common ones."""
        total = total_pixels(scene)
        if self.max_total_pixels is not None and total > self.max_total_pixels:
            raise SpecError("format", f"{self.name}_too_large", total=total, high=self.max_total_pixels)   # wording: the catalogue

    def describe(self) -> dict:
        caps = {"max_frames": MAX_FRAMES, "max_frame_pixels": MAX_FRAME_PIXELS,
                "max_total_pixels": min(MAX_TOTAL_PIXELS, self.max_total_pixels or MAX_TOTAL_PIXELS)} if self.raster else {}
        return {"name": self.name, "label": self.label, "media_type": self.media_type, "suffix": self.suffix,
                "animated": self.animated, "raster": self.raster, "available": self.available, "limits": caps}


@lru_cache(maxsize=None)
def _importable(modules: tuple[str, ...]) -> bool:
    try:
        for name in modules:
            module = importlib.import_module(name)
            if name == "imageio_ffmpeg":
                module.get_ffmpeg_exe()   # the package without its ffmpeg binary cannot write
    except Exception:   # noqa: BLE001 - any failure to load means "not available here"
        return False
    return True


WRITERS: dict[str, Writer] = {}


def register(writer: Writer) -> Writer:
    WRITERS[writer.name] = writer
    return writer


def writer(name: str) -> Writer:
    """The writer for a format name or file suffix, or a 422-ready SpecError naming `format`."""
    found = WRITERS.get(name.lower().lstrip("."))
    if found is None:
        raise SpecError("format", "not_choice", got=name, options=list(WRITERS), listed=", ".join(WRITERS))
    if not found.available:
        raise SpecError("format", "unavailable", label=found.label, needs=", ".join(found.needs), got=name)
    return found


def encode(scene: dict, fmt: str, frame: int | None = None) -> bytes:
    """The scene in `fmt`; `frame` picks the frame of a still format (default the first)."""
    w = writer(fmt)
    w.check(scene)
    return w.write(scene, frame)


register(Writer("gif", "GIF", "image/gif", animated=True, raster=True,
                write=lambda scene, frame: gif.encode(scene, enc.durations(scene))))
register(Writer("webp", "WebP", "image/webp", animated=True, raster=True, write=lambda scene, frame: enc.webp(scene),
                # the WebP encoder holds every frame at once: 4 bytes a pixel
                max_total_pixels=60_000_000))
register(Writer("mp4", "MP4", "video/mp4", animated=True, raster=True, needs=("imageio_ffmpeg",),
                write=lambda scene, frame: mp4.encode(scene, enc.durations(scene))))
register(Writer("png", "PNG", "image/png", animated=False, raster=True,
                write=lambda scene, frame: enc.png(scene, enc.frame_index(scene, frame))))
register(Writer("svg", "SVG", "image/svg+xml", animated=False, raster=False,
                write=lambda scene, frame: scene_svg(scene, enc.frame_index(scene, frame)).encode()))
