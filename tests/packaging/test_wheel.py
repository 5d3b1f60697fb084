"""The built wheel, installed in a fresh virtual environment, serves every page and
static file from a folder outside this checkout (static/ and templates/ travel inside
the wheel), and /docs loads nothing from another origin."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd: list, cwd: Path) -> str:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_installed_wheel_serves_pages_and_static_files(tmp_path, serve, docs_offline):
    dist, outside = tmp_path / "dist", tmp_path / "elsewhere"
    outside.mkdir()
    _run([sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "--quiet", "-w", dist], cwd=tmp_path)
    wheel, = dist.glob("convplay-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("app/web/app.py", "app/static/js/player.js", "app/static/css/app.css", "app/templates/playground.html"):
        assert needed in names, f"{needed} is not in {wheel.name}"

    # the app's dependencies come from this interpreter's site-packages; the app itself from the wheel
    _run([sys.executable, "-m", "venv", "--system-site-packages", tmp_path / "venv"], cwd=tmp_path)
    python = tmp_path / "venv" / "bin" / "python"
    _run([python, "-m", "pip", "install", "--no-deps", "--quiet", wheel], cwd=outside)
    where = Path(_run([python, "-c", "import app; print(app.__file__)"], cwd=outside).strip())
    assert (tmp_path / "venv") in where.parents, f"app was imported from {where}, not the installed wheel"

    with serve(tmp_path / "uvicorn.log", python=str(python), cwd=outside) as base:
        for path in ("/", "/embed?input_size=5&padding=1", "/gallery", "/static/js/player.js", "/static/css/app.css",
                     "/api/v1/animation.gif?input_size=4", "/image", "/api/v1/image?sample=camera&kernel=sobel_x"):
            r = httpx.get(base + path, timeout=60)
            assert r.status_code == 200, f"{path}: HTTP {r.status_code} {r.text[:300]}"
        assert "<html" in httpx.get(base + "/").text.lower()
        docs_offline(base)
