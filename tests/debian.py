"""Debian packages the tests need (Chromium, a CJK font), installed by the tests themselves.

CI runs the README's test command on a clean machine, so whatever a test needs from
Debian is installed here, not by hand. Missing and not installable is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def ensure_package(package: str, path: str) -> None:
    """apt-get install `package` when `path` (a file it provides) is missing."""
    if Path(path).exists():
        return
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None:
        pytest.fail(f"{path} is missing and this user cannot install {package} (apt-get needs root or sudo)", pytrace=False)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ["-o", "DPkg::Lock::Timeout=300"]  # wait for another apt/dpkg rather than fail at once
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", *lock, "install", "-y", "-qq", package]):
        done = subprocess.run(prefix + cmd, env=env, capture_output=True, text=True)
        if done.returncode:
            pytest.fail(f"{' '.join(cmd)} failed (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}", pytrace=False)
    if not Path(path).exists():
        pytest.fail(f"apt-get installed {package} but {path} is not there", pytrace=False)
