#!/usr/bin/env python3
"""Set up and run mockexp with nothing but python3:

    python3 dev.py serve [mockexp serve options]   create .venv if needed, then start the server
    python3 dev.py test  [pytest options]          create .venv if needed, then run every test
                                                   (on up to four cores; `-n 0` for one)
    python3 dev.py lock                            pin requirements.lock anew from pyproject.toml's ranges
    python3 dev.py newest [pytest options]         run every test on the newest versions the ranges
                                                   allow (in .venv-newest, not from the lock)

.venv installs exactly the versions in requirements.lock (what CI ran), again whenever
pyproject.toml or requirements.lock changes.
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
LOCK = ROOT / "requirements.lock"


def bin_of(venv_dir: Path) -> Path:
    return venv_dir / ("Scripts" if os.name == "nt" else "bin")


BIN = bin_of(VENV)


def ensure_venv(venv_dir: Path = VENV, *, locked: bool = True) -> None:
    """mockexp with its test dependencies in `venv_dir`: the locked versions, or (not
    `locked`) the newest the ranges allow."""
    sources = [ROOT / "pyproject.toml"] + ([LOCK] if locked else [])
    wanted = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()
    stamp = venv_dir / ".mockexp-installed"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    python = bin_of(venv_dir) / "python"
    if not python.exists():
        print(f"dev.py: creating {venv_dir}", flush=True)
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    print(f"dev.py: installing mockexp with its test dependencies ({'requirements.lock' if locked else 'the newest allowed'})", flush=True)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + (["-c", str(LOCK)] if locked else ["--upgrade", "--upgrade-strategy", "eager"]) + ["-e", f"{ROOT}[test]"], check=True)
    stamp.write_text(wanted)


def lock() -> int:
    """requirements.lock anew: every package pinned, from pyproject.toml's ranges (uv's resolver)."""
    ensure_venv()
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "uv>=0.13,<0.14"], check=True)
    return subprocess.run([str(BIN / "uv"), "pip", "compile", str(ROOT / "pyproject.toml"), "--extra", "test",
                           "--python-version", "3.11", "--no-header", "--quiet", "-o", str(LOCK)], cwd=ROOT).returncode


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
    if not argv or argv[0] not in ("serve", "test", "lock", "newest"):
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "lock":
        return lock()
    venv_dir = ROOT / ".venv-newest" if command == "newest" else VENV
    ensure_venv(venv_dir, locked=command != "newest")
    if command == "serve":
        args = [str(BIN / "mockexp"), "serve", *rest]
    else:
        ensure_node_modules()
        ensure_chromium()
        # both cores (up to four) unless told otherwise: the suite runs in half the time
        parallel = [] if any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) or arg == "no:xdist" for arg in rest) else ["-n", "auto", "--maxprocesses", "4"]
        args = [str(bin_of(venv_dir) / "python"), "-m", "pytest", *parallel, *rest]
    os.chdir(ROOT)
    os.execv(args[0], args)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
