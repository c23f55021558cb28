"""mockexp's pytest plugin (registered as an entry point, so installing mockexp is enough):
the `mockexp_server` fixture, a fresh in-memory mock for each test.

    def test_my_client_creates_one_experiment(mockexp_server):
        client = MyClient(mockexp_server.base_url("giosg"), headers=mockexp_server.credential("giosg", can_write=True))
        client.create(...)
        assert mockexp_server.count(vendor="giosg", operationId="createExperiment") == 1

Mark a test `@pytest.mark.mockexp_vendors("giosg")` to mount only those vendors (faster), and
`@pytest.mark.mockexp_fixtures("worlds")` to start it with your own demo data (a directory, relative to the test file,
of world files, as `mockexp serve --fixtures` takes it; `mode="merge"` keeps the generated data
too).

Loading the plugin (every pytest run in a project that installs mockexp) imports nothing of
the mock itself: the server, the vendors and the store load when a test first asks for the
fixture."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from mockexp.testing import Mock


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mockexp_vendors(*names): the vendors the mockexp_server fixture mounts (default: all)")
    config.addinivalue_line("markers", "mockexp_fixtures(directory, mode='replace'): world files the mockexp_server fixture loads")


@pytest.fixture
def mockexp_server(request: pytest.FixtureRequest) -> Iterator[Mock]:
    marker = request.node.get_closest_marker("mockexp_vendors")
    worlds = request.node.get_closest_marker("mockexp_fixtures")
    from mockexp.testing import run_mock

    fixtures = {"fixtures": request.node.path.parent / worlds.args[0], "fixtures_mode": worlds.kwargs.get("mode", "replace")} if worlds else {}
    with run_mock(list(marker.args) if marker is not None else None, **fixtures) as mock:
        yield mock
