"""The command line: `convplay serve | trace | render | gallery`.

Spec flags are the API's field names with dashes (`--kernel-size 3`, `--input-size 5,7`,
`--padding same`), parsed exactly as the GET query parameters are.
"""

from __future__ import annotations

import argparse
import sys

from app.engine import FIELDS, SpecError, build_spec, run


def _add_spec_flags(parser: argparse.ArgumentParser) -> None:
    from app.web.params import DOCS

    group = parser.add_argument_group("spec (same names and forms as the API)")
    for name in FIELDS:
        group.add_argument("--" + name.replace("_", "-"), dest=name, metavar="VALUE", help=DOCS[name][0].replace("%", "%%"))


def _spec_from(args: argparse.Namespace):
    from app.web.params import parse_value

    raw = {name: parse_value(name, getattr(args, name)) for name in FIELDS if getattr(args, name) is not None}
    return build_spec(raw)


def _serve(args) -> int:
    import uvicorn

    uvicorn.run("app.web.app:app", host=args.host, port=args.port, reload=args.reload)
    return 0


def _trace(args) -> int:
    data = run(_spec_from(args)).to_json()
    if args.output in (None, "-"):
        sys.stdout.write(data.decode() + "\n")
    else:
        with open(args.output, "wb") as f:
            f.write(data)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="convplay", description="Every convolution, step by step, exact to PyTorch, animated.")
    sub = top.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app (playground, API, embeds)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    serve.set_defaults(func=_serve)

    trace = sub.add_parser("trace", help="print the trace of one operation as JSON")
    _add_spec_flags(trace)
    trace.add_argument("-o", "--output", help="write to this file instead of standard output")
    trace.set_defaults(func=_trace)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except SpecError as exc:
        print(f"convplay: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
