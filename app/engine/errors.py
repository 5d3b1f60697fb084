"""The one error the engine raises for a spec it cannot run.

Every message starts with the parameter it is about and states the rule in plain
words, so the web layer can show it next to the right control without rewording.
`code` and `args` let a translation say the same thing in another language.
"""


class SpecError(ValueError):
    def __init__(self, param: str, code: str, message: str, **args):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.code = code
        self.message = f"{param}: {message}"
        self.args_ = args

    def as_dict(self) -> dict:
        return {"param": self.param, "code": self.code, "msg": self.message, "args": self.args_}
