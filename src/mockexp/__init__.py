"""mockexp: a stateful fake of experimentation platforms' management APIs."""

__version__ = "0.1.0"

import warnings

# Connexion imports Starlette's test client at start-up; Starlette >= 1.x warns about it.
warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette.testclient` is deprecated")
