"""Every example test file in the docs is a test: each runs as a user's file would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.plugin.child import run

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md"]

#: A fenced ``python`` block whose first line names a test file: ``# test_checkout.py``.
EXAMPLE = re.compile(r"^```python\n# (test_\w+\.py)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples() -> list[pytest.ParameterSet]:
    found = []
    for doc in DOCS:
        if doc.exists():
            for match in EXAMPLE.finditer(doc.read_text(encoding="utf-8")):
                name, code = match.groups()
                found.append(pytest.param(name, code, id=f"{doc.name}:{name}"))
    return found


def test_the_docs_hold_an_example_test_file() -> None:
    assert examples(), f"no ```python block starting with '# test_*.py' in {DOCS}"


@pytest.mark.parametrize(("name", "code"), examples())
def test_the_example_test_file_passes(pytester: pytest.Pytester, name: str, code: str) -> None:
    pytester.makepyfile(**{name.removesuffix(".py"): code})
    result = run(pytester, "--strict-markers", "-W", "error")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert result.parseoutcomes().get("passed", 0) == code.count("\ndef test_")
