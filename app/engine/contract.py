"""The operation contract: what an operation says about itself, once.

An operation module in `app/engine/ops/` builds one `Operation`: its name, the
torch module it mirrors, its fields (with types, defaults, bounds, labels and
docs in English and Simplified Chinese), its rule messages, its weight layout,
its output-size formula, its presets and the functions that check and run it.
Parsing, the 422s, OpenAPI, the CLI, `GET /api/v1/ops` and the playground form
are all derived from these declarations; nothing else lists operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Text:
    """One piece of wording in both languages the project speaks."""

    en: str
    zh: str

    def __call__(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" and self.zh else self.en

    def as_dict(self) -> dict:
        return {"en": self.en, "zh": self.zh}


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


# How a field's value is typed, in the query string, in JSON and in the form:
#   int     a whole number                      pair   int or [h, w]
#   real    a number (fractions allowed)        reals  a real or [h, w] of reals
#   bool    true / false
#   choice  one of `choices`                    array  a nested list of numbers
#   padding a pair, a word of `words`, or {top, bottom, left, right}
KINDS = ("int", "pair", "real", "reals", "bool", "choice", "array", "padding")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: Text
    doc: Text
    default: Any = None
    default_from: str | None = None    # another field whose value is this one's default
    low: float | None = None
    high: float | None = None
    choices: tuple[Choice, ...] = ()
    words: tuple[str, ...] = ()        # padding: the words it takes
    sides: bool = False                # padding: may be given per side
    when: dict[str, tuple] | None = None   # applies only while another field has one of these values
    optional: bool = False             # may stay unset (null)
    abbrev: str | None = None          # short name in titles and file names: k=3, s2
    always: bool = False               # shown in titles and kept in permalinks even at its default
    editor: str | None = None          # arrays, for the value editor: "kernel" (the image kernels fill each
                                       #   [kh][kw] slice) or "per_output_channel" (switched on and off, one per channel)
    implies: tuple[str, ...] = ()      # arrays: the fields their shape gives when those are not set (spec._inferred_from_arrays)

    def __post_init__(self):
        assert self.kind in KINDS, f"{self.name}: unknown kind {self.kind}"

    def describe(self) -> dict:
        out = {"name": self.name, "kind": self.kind, "label": self.label.as_dict(), "doc": self.doc.as_dict(),
               "default": self.default}
        for key in ("default_from", "low", "high", "when", "abbrev", "editor"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.choices:
            out["choices"] = [{"value": c.value, "label": c.label.as_dict()} for c in self.choices]
        if self.words:
            out["words"] = list(self.words)
        if self.sides:
            out["sides"] = True
        if self.optional:
            out["optional"] = True
        if self.always:
            out["always"] = True
        if self.implies:
            out["implies"] = list(self.implies)
        return out

    def replace(self, **changes) -> Field:
        from dataclasses import replace

        return replace(self, **changes)


@dataclass(frozen=True)
class Preset:
    """A named setting shown in the playground menu and the gallery."""

    slug: str
    title: Text
    group: str                 # reference | paper | ours
    spec: dict
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    name: str
    label: Text
    family: str                          # convolution | pooling | resampling: groups the menu
    torch_module: str                    # torch.nn.Conv2d
    torch_functional: str                # torch.nn.functional.conv2d
    fields: tuple[Field, ...]
    size_formula: str                    # the output-size rule, as the arithmetic panel writes it
    check: Callable                      # check(spec): the op's own rules, raising SpecError
    count_taps: Callable                 # count_taps(spec) -> int, before anything runs
    run: Callable                        # run(spec) -> Trace
    torch_line: Callable                 # torch_line(spec) -> "nn.Conv2d(1, 1, kernel_size=3)"
    order: int = 100                     # place in menus
    weight_layout: str | None = None     # "[out, in/groups, kh, kw]"; None: no weights
    weight_shape: Callable | None = None
    out_channels_from_weight: Callable | None = None   # (weight shape, groups) -> out_channels
    messages: dict[str, Text] = field(default_factory=dict)   # this op's own rule wording
    presets: tuple[Preset, ...] = ()
    mutually_exclusive: tuple[tuple[str, str], ...] = ()      # at most one of each pair is given

    @property
    def weighted(self) -> bool:
        return self.weight_layout is not None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def describe(self) -> dict:
        return {
            "name": self.name, "label": self.label.as_dict(), "family": self.family,
            "torch": {"module": self.torch_module, "functional": self.torch_functional},
            "weight_layout": self.weight_layout, "output_size": {"formula": self.size_formula},
            "fields": [f.describe() for f in self.fields],
            "mutually_exclusive": [list(p) for p in self.mutually_exclusive],
        }
