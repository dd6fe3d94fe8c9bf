"""Playwright's sync API for the browser tests, or the reason they cannot run.

Imported by each browser test module: without playwright the module is skipped, saying why,
unless ``SANDBOX_REQUIRE_BROWSER=1`` (CI), which makes it a collection error.
"""

from __future__ import annotations

import os

import pytest

try:
    from playwright.sync_api import Browser, Error, Locator, Page, expect, sync_playwright
except ImportError:
    if os.environ.get("SANDBOX_REQUIRE_BROWSER") == "1":
        raise
    pytest.skip("playwright is not installed (pip install -e '.[test]')", allow_module_level=True)

__all__ = ["Browser", "Error", "Locator", "Page", "expect", "sync_playwright"]
