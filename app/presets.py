"""Named settings: the 15 reference animations, the paper's figures, and ours.

Each operation declares its own presets (`Operation.presets`); this module only
gathers them, grouped, in the operations' menu order. The playground, the gallery
page and `convplay gallery` all read this one list.
"""

from __future__ import annotations

from app.engine import operations
from app.engine.contract import Preset

GROUPS = ("reference", "paper", "ours")

PRESETS: tuple[Preset, ...] = tuple(sorted((p for op in operations() for p in op.presets), key=lambda p: GROUPS.index(p.group)))
BY_SLUG = {p.slug: p for p in PRESETS}

assert len(BY_SLUG) == len(PRESETS), "preset slugs are unique"
