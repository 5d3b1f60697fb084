"""A render process runs a job after importing the module its function is defined in (pickle sends
functions by name). A job defined in a route module imports FastAPI, the templates and the pages into
every fresh or recycled render process: 0.6 s measured for network_pictures on the first job after each
recycling (every 20 jobs), a redraw's p90. So every job lives with the pool in work.py, which the
processes are forked with and which imports none of that."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import app.web


def test_every_job_is_defined_in_work_py():
    jobs = {}
    for info in pkgutil.iter_modules(app.web.__path__):
        module = importlib.import_module(f"app.web.{info.name}")
        for name, value in vars(module).items():
            if name.endswith("_job") and callable(value):
                jobs[f"{info.name}.{name}"] = value.__module__
    assert len(jobs) >= 10
    assert {where: module for where, module in jobs.items() if module != "app.web.work"} == {}


def test_a_render_process_does_not_import_the_web_framework():
    code = ("import sys, pickle, app.web.work, app.render.encode\n"
            "for job in [v for k, v in vars(app.web.work).items() if k.endswith('_job')]:\n"
            "    pickle.loads(pickle.dumps(job))\n"
            "print(sorted(m for m in ('fastapi', 'starlette', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
