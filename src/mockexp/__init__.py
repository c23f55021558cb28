"""mockexp: a stateful fake of experimentation platforms' management APIs."""

__version__ = "0.1.0"

# Connexion imports Starlette's test client at start-up, and Starlette >= 1.x warns about it:
# mockexp's own commands quiet that one warning (cli.py); importing mockexp changes no filter.
STARLETTE_TESTCLIENT_WARNING = r"Using `httpx` with `starlette.testclient` is deprecated"
