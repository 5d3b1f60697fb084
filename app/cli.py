"""The command line: `convplay serve | trace | render | gallery`.

Spec flags are the API's field names with dashes (`--kernel-size 3`, `--input-size 5,7`,
`--padding same`), parsed exactly as the GET query parameters are.
"""

from __future__ import annotations

import argparse
import os
import sys

from app.engine import SpecError, build_spec, operations, registry, run
from app.engine.query import parse_value


def _add_spec_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("spec (same names and forms as the API)")
    names = [op.name for op in operations()]
    group.add_argument("--op", dest="op", metavar="OP", choices=names, help="the operation: " + ", ".join(names))
    for name, (f, owners) in registry.fields_by_name().items():
        scope = "" if len(owners) == len(names) else f"[{', '.join(owners)}] "
        group.add_argument("--" + name.replace("_", "-"), dest=name, metavar="VALUE", help=(scope + f.doc.en).replace("%", "%%"))


def _spec_from(args: argparse.Namespace):
    names = ["op", *registry.fields_by_name()]
    raw = {name: parse_value(name, getattr(args, name)) for name in names if getattr(args, name) is not None}
    return build_spec(raw)


def _serve(args) -> int:
    from app.web.server import serve

    serve(args.host, args.port, args.workers, args.public_url, args.reload)
    return 0


def _trace(args) -> int:
    data = run(_spec_from(args)).to_json()
    if args.output in (None, "-"):
        sys.stdout.write(data.decode() + "\n")
    else:
        with open(args.output, "wb") as f:
            f.write(data)
    return 0


def _add_render_flags(parser: argparse.ArgumentParser) -> None:
    from app.render.options import OPTION_FIELDS

    group = parser.add_argument_group("render options (same names as the endpoint)")
    for f in OPTION_FIELDS:
        flag = {"nargs": "?", "const": "true"} if f.kind == "bool" else {}
        group.add_argument("--" + f.name, dest="r_" + f.name, metavar="VALUE", help=f.doc.en, **flag)


def _options_from(args: argparse.Namespace) -> dict:
    from app.render.options import OPTION_NAMES

    return {name: parse_value(name, getattr(args, "r_" + name)) for name in OPTION_NAMES if getattr(args, "r_" + name) is not None}


def _render(args) -> int:
    from pathlib import Path

    from app.render import render, writer

    drawer = writer(Path(args.output).suffix or "(none)")   # before any work: the suffix says the format
    data = render(run(_spec_from(args)), drawer.name, **_options_from(args))
    Path(args.output).write_bytes(data)
    print(f"wrote {args.output} ({len(data):,} bytes)", file=sys.stderr)
    return 0


def _gallery(args) -> int:
    from app.gallery import write_gallery

    write_gallery(args.outdir, fmt=args.format, scale=float(args.scale), labels=not args.no_labels)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="convplay", description="Every convolution, step by step, exact to PyTorch, animated.")
    sub = top.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app (playground, API, embeds)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes (default: the number of cores)")
    serve.add_argument("--public-url", help="the base URL users reach (oEmbed and embed links name it; default: "
                       "$CONVPLAY_PUBLIC_URL, else http://HOST:PORT)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development; one worker)")
    serve.set_defaults(func=_serve)

    trace = sub.add_parser("trace", help="print the trace of one operation as JSON")
    _add_spec_flags(trace)
    trace.add_argument("-o", "--output", help="write to this file instead of standard output")
    trace.set_defaults(func=_trace)

    from app.render.writers import WRITERS

    suffixes = " ".join(w.suffix for w in WRITERS.values() if w.available)
    render = sub.add_parser("render", help=f"write an animation or one frame, in the format its file suffix names ({suffixes})")
    _add_spec_flags(render)
    _add_render_flags(render)
    render.add_argument("-o", "--output", required=True, help=f"output file: {suffixes}")
    render.set_defaults(func=_render)

    gallery = sub.add_parser("gallery", help="render every preset (the 15 reference animations, the paper's figures, ours) with an index.html")
    gallery.add_argument("outdir")
    gallery.add_argument("--format", default="gif", choices=[name for name, w in WRITERS.items() if w.available])
    gallery.add_argument("--scale", default="1")
    gallery.add_argument("--no-labels", action="store_true", help="draw like the reference: no labels")
    gallery.set_defaults(func=_gallery)
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
