"""The plugin's tests run users' test files with pytest's ``pytester``.

``pytester`` is enabled from this conftest's ``pytest_configure`` rather than with
``pytest_plugins = ["pytester"]``: pytest refuses ``pytest_plugins`` in a conftest below the
root when the whole suite runs ("no longer supported"), since it would apply to every test.
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose child runs see no ``SANDBOX_*`` configuration of ours."""
    for name in [name for name in os.environ if name.startswith("SANDBOX_")]:
        monkeypatch.delenv(name)
    return pytester
