#!/usr/bin/env python3
"""Set up and run mockexp with nothing but python3:

    python3 dev.py serve [mockexp serve options]   create .venv if needed, then start the server
    python3 dev.py test  [pytest options]          create .venv if needed, then run every test
                                                   (on up to four cores; `-n 0` for one)

The virtual environment is (re)installed when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".mockexp-installed"


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"dev.py: creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing mockexp with its test dependencies", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + ["-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def ensure_node_modules() -> None:
    """The vendors' official Node.js SDKs the tests run (package-lock.json), where node is
    installed; the tests that need them say so and skip without it."""
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".mockexp-installed"
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        print("dev.py: no node/npm here: the official Node.js SDK tests will be skipped", flush=True)
        return
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print("dev.py: installing the official Node.js SDKs (npm ci)", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    stamp.write_text(wanted)


def ensure_chromium() -> None:
    """Debian's Chromium, which the console's browser tests drive (Playwright's own browsers
    are never downloaded): installed with apt-get where it is missing and this runs as root;
    otherwise those tests skip and say why."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    apt = shutil.which("apt-get")
    if apt is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        print("dev.py: no chromium here (install Debian's chromium package): the console's browser tests will be skipped", flush=True)
        return
    print("dev.py: installing Debian's chromium for the console's browser tests (apt-get)", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
    if subprocess.run([apt, "update", "-qq"], **quiet).returncode or subprocess.run([apt, "install", "-y", "-qq", "chromium"], **quiet).returncode:
        print("dev.py: apt-get could not install chromium: the console's browser tests will be skipped", flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command == "serve":
        args = [str(BIN / "mockexp"), "serve", *rest]
    else:
        ensure_node_modules()
        ensure_chromium()
        # both cores (up to four) unless told otherwise: the suite runs in half the time
        parallel = [] if any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) or arg == "no:xdist" for arg in rest) else ["-n", "auto", "--maxprocesses", "4"]
        args = [str(BIN / "python"), "-m", "pytest", *parallel, *rest]
    os.chdir(ROOT)
    os.execv(args[0], args)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
