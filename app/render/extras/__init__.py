"""Drawings for operations that compute more than products and sums.

An operation that does so names its extras in the trace (see app/engine/trace.py);
each module here draws one family of them and says by those names which traces it
draws, so the scene asks `drawer_for(builder)` and never names an operation. A
drawer adds to the hooks the scene offers: the static picture, each frame, the
timed items, the running sum of numbers mode and the labels.
"""

from __future__ import annotations

from .base import Drawer
from .deform import Deform
from .gated import Gated
from .partial import Partial

DRAWERS = (Partial, Gated, Deform)


def drawer_for(builder) -> Drawer:
    """The drawer of the trace's extras, or one that adds nothing."""
    return next((d(builder) for d in DRAWERS if d.draws(builder.t)), Drawer(builder))


__all__ = ["Drawer", "drawer_for"]
