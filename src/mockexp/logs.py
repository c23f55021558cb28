"""mockexp's own log lines on stderr (one per request: the server's, the proxy's violations)."""

from __future__ import annotations

import logging
import sys


def to_stderr(name: str, level: str, prefix: str = "%(levelname)s:     ") -> None:
    """The logger `name` writes its lines on stderr from `level` up, and only there."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(prefix + "%(message)s"))
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
