"""Running a user's test files in a child ``python -m pytest``, as a user's CI would."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

#: Seconds a child pytest run may take before it is killed and the test fails.
CHILD_TIMEOUT = 120


def plugin_is_installed() -> bool:
    """Whether the package's ``pytest11`` entry point registers the plugin."""
    return any(ep.value == "sandbox.pytest_plugin" for ep in entry_points(group="pytest11"))


#: Arguments that load the plugin in a child pytest. With the entry point installed, none:
#: that is the "no configuration" a user gets (and ``-p`` would register it twice).
PLUGIN_ARGS: tuple[str, ...] = () if plugin_is_installed() else ("-p", "sandbox.pytest_plugin")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``pytest ARGS`` in a child process over pytester's directory, with the plugin."""
    return pytester.runpytest_subprocess(
        *PLUGIN_ARGS, "-p", "no:cacheprovider", *args, timeout=CHILD_TIMEOUT
    )
