"""Operations register here by name; the rest of the code looks them up.

An operation is a module with: NAME, POOLING (bool), `check(spec)` for its own
rules, `count_taps(spec)`, `weight_shape(spec)` (non-pooling) and `run(spec)`.
Adding a kind of convolution means adding one module and one import line in
`app/engine/__init__.py`; nothing in render or web changes.
"""

_OPS: dict = {}


def register(module):
    _OPS[module.NAME] = module
    return module


def names() -> tuple[str, ...]:
    return tuple(_OPS)


def get(name: str):
    return _OPS[name]
