"""The one error the engine raises for a spec it cannot run.

Every message starts with the parameter it is about and states the rule in plain
words, so the web layer can show it next to the right control without rewording.
The wording lives in the catalogue (`messages.py`, English and Simplified
Chinese), looked up by `code` and filled in with `args`; `text(lang)` says it in
either language.
"""

from __future__ import annotations


class SpecError(ValueError):
    # positional-only: a message's own arguments may be called `param` (the field a layer refuses)
    def __init__(self, param: str, code: str, message: str | None = None, /, **args):
        self.param = param
        self.code = code
        self.args_ = args
        self._inline = message          # wording not (yet) in the catalogue
        self.message = self.text("en")
        super().__init__(self.message)

    def __reduce__(self):
        """Pickled whole (kind, field, code, arguments): a worker process sends refusals back as they were raised."""
        return (_rebuilt, (type(self), self.param, self.code, self._inline, self.args_))

    def text(self, lang: str = "en") -> str:
        """The message in `lang`; English where the catalogue has no translation."""
        from .messages import say

        args = {"param": self.param, **self.args_}
        said = None if lang == "en" and self._inline is not None else say(self.code, lang, args)
        if said is not None:
            return f"{self.param}{'：' if lang == 'zh' else ': '}{said}"
        english = self._inline if self._inline is not None else say(self.code, "en", args)
        return f"{self.param}: {english if english is not None else self.code}"

    def as_dict(self, lang: str = "en") -> dict:
        args = {k: (v(lang) if callable(v) else v) for k, v in self.args_.items()}
        return {"param": self.param, "code": self.code, "msg": self.text(lang), "args": args}


def _rebuilt(kind: type, param: str, code: str, message: str | None, args: dict) -> SpecError:
    return kind(param, code, message, **args)
