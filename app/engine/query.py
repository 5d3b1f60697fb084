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
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except ValueError:
            raise SpecError(key, "bad_json") from None
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


_PAIR = re.compile(r"\d+\s*[x×]\s*\d+")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _looks_numeric(text: str) -> bool:
    return text.lstrip("+-").replace(".", "", 1).isdigit()


def _number(key: str, text: str):
    text = text.strip()
    if not _looks_numeric(text):
        raise SpecError(key, "not_number", got=text)
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value
