"""Query-string text -> the plain values a JSON body would hold.

The web's GET forms and the CLI's flags share this one reading, so `5,7`, `5x7`,
`true`, `top:1,left:2` and JSON mean the same wherever they are typed.
"""

from __future__ import annotations

import json
import re

from .errors import SpecError


def parse_value(key: str, text: str):
    """'5' -> 5, '5,7' or '5x7' -> [5, 7], 'true' -> True, 'top:1,left:2' -> dict, JSON as JSON."""
    text = text.strip()
    if text[:1] in "[{":
        return loads(key, text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if ":" in text:
        out = {}
        for part in text.split(","):
            name, _, value = part.partition(":")
            out[name.strip()] = _number(key, value)
        return out
    if "," in text:
        return [_number(key, part) for part in text.split(",")]
    if _PAIR.fullmatch(text):   # 4x5, as in file names and labels
        return [_number(key, part) for part in re.split("[x×]", text)]
    return _number(key, text) if _looks_numeric(text) else text


_PAIR = re.compile(r"\d+\s*[x×]\s*\d+", re.ASCII)
_NUMERIC = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)", re.ASCII)   # ASCII digits only: '²'.isdigit() is True
MAX_DEPTH = 16          # the deepest field (a weight) nests 4 lists in an object
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


def loads(key: str, text: str | bytes, constants: bool = False):
    """JSON of bounded nesting: the depth is counted on the text before the (recursive) parser runs.

    `constants`: read NaN and Infinity (a JSON body's fields then refuse them by name)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if depth(data) > MAX_DEPTH:
        raise SpecError(key, "too_deep", high=MAX_DEPTH)
    try:
        return json.loads(data) if constants else json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise SpecError(key, "bad_json") from None


def depth(data: bytes) -> int:
    """Deepest bracket nesting outside strings, at C speed (bytes ops and a cumulative sum)."""
    import numpy as np

    brackets = _STRING.sub(b"", data).translate(None, delete=_NOT_BRACKETS)
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _looks_numeric(text: str) -> bool:
    return _NUMERIC.fullmatch(text) is not None


def _number(key: str, text: str):
    text = text.strip()
    if not _looks_numeric(text):
        raise SpecError(key, "not_number", got=text)
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value
