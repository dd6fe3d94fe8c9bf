"""Every example in the README is a test, and its plugin reference is checked against the code.

Each fenced block is run by its kind, or skipped by a rule named here (the skip says why):

- ``sh``: run by bash, the blocks of one section in order in one shell (so a tutorial's
  ``KEY=...`` carries on), against a live ``sandbox serve`` started on a free port, with the
  blocks' ``localhost:8080`` rewritten to it. Commands that cannot run here are skipped by
  :data:`NOT_HERE` (``pip install``, Docker, npm, apt, the whole test suite).
- ``yaml``: through the validator, as a scenario or a fixture by its content; GitHub Actions
  and compose files are skipped (CI's container step, ``.ci/container``, runs them for real),
  and so is a schematic of a format (it holds ``[...]``).
- ``python``: a ``# test_*.py`` file through pytester, as a user's test file; a
  ``# conftest.py`` of testcontainers is skipped (Docker: CI's container step runs it); any
  other block runs as a script.
- ``console`` (commands for your own machine: installs, Docker) and ``text`` or no language
  (diagrams, sample output) are not run.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sandbox import pytest_plugin
from sandbox.control.scenarios import ROUTES
from sandbox.fixtures import build_fixture
from sandbox.scenario.loader import check_scenario, is_scenario_document
from sandbox.testing import Sandbox
from tests.e2e.process import ServeProcess, free_port, serve
from tests.plugin.child import run

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{2,4} (.+)$", re.MULTILINE)

#: Shell commands that cannot run on a CI runner without a network or a Docker engine, and why.
NOT_HERE = {
    "pip install": "installs packages (the test runs in the installed project)",
    "docker": "needs a Docker engine: CI's container step (.ci/container) runs it",
    "npx ": "needs the npm registry",
    "apt-get": "installs system packages",
    "python -m pytest": "runs this whole test suite",
    "bench/run.py": "the benchmark takes minutes (bench/)",
}

#: Kinds of block that are not run at all, and why.
NOT_RUN = {
    "console": "commands for your own machine (installs, Docker), not run here",
    "text": "sample output",
    "": "a diagram or listing, not code",
}

KINDS = {"sh", "yaml", "python", *NOT_RUN}


@dataclass(frozen=True)
class Block:
    number: int
    kind: str
    section: str
    code: str

    @property
    def first_line(self) -> str:
        return self.code.split("\n", 1)[0]

    @property
    def skip(self) -> str | None:
        """Why this block is not run, or None."""
        if self.kind == "console" and "docker" in self.code:
            return "Docker commands: CI's container step (.ci/container) runs them for real"
        if self.kind in NOT_RUN:
            return NOT_RUN[self.kind]
        if self.kind == "sh":
            return next((why for command, why in NOT_HERE.items() if command in self.code), None)
        if self.kind == "yaml":
            if ".github/workflows/" in self.first_line:
                return "GitHub Actions steps: CI's container step (.ci/container) runs them"
            if "compose.yaml" in self.first_line:
                return "a docker compose file: CI's container step (.ci/container) runs it"
            if "[...]" in self.code:
                return "a schematic of the format, not a file"
        if self.kind == "python" and "testcontainers" in self.code:
            return "testcontainers needs Docker: CI's container step (.ci/container) runs it"
        return None

    def __str__(self) -> str:
        return f"README block {self.number} ({self.kind or 'plain'}, {self.section!r})"


def blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1)) for m in HEADING.finditer(text)]
    found = []
    for number, match in enumerate(FENCE.finditer(text), start=1):
        section = next((h for at, h in reversed(headings) if at < match.start()), "")
        found.append(Block(number, match.group(1), section, match.group(2)))
    return found


def params(kind: str) -> list[pytest.ParameterSet]:
    return [
        pytest.param(block, id=f"{block.number}-{block.section}", marks=_skip_mark(block))
        for block in blocks()
        if block.kind == kind
    ]


def _skip_mark(block: Block) -> list[pytest.MarkDecorator]:
    reason = block.skip
    return [pytest.mark.skip(reason=f"not run by rule: {reason}")] if reason else []


def test_every_block_is_of_a_kind_this_test_knows() -> None:
    unknown = [str(b) for b in blocks() if b.kind not in KINDS]
    assert not unknown, f"add a rule for these to {__file__}: {unknown}"


def test_most_blocks_run() -> None:
    run_here = [b for b in blocks() if b.skip is None]
    assert len(run_here) >= 12, [str(b) for b in run_here]


# -- shell ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[ServeProcess]:
    port = free_port()
    with serve(port, ["--port", str(port), "--log-requests"]) as process:
        yield process
        process.terminate()


def sections() -> list[pytest.ParameterSet]:
    by_section: dict[str, list[Block]] = {}
    for block in blocks():
        if block.kind == "sh" and block.skip is None:
            by_section.setdefault(block.section, []).append(block)
    return [pytest.param(s, b, id=s) for s, b in by_section.items()]


@pytest.mark.parametrize(("section", "shell_blocks"), sections())
def test_the_shell_blocks_of_a_section_run_in_order(
    served: ServeProcess, section: str, shell_blocks: list[Block]
) -> None:
    address = served.url.removeprefix("http://")
    script = ["set -euo pipefail"]
    for block in shell_blocks:
        code = block.code.replace("localhost:8080", address).replace("127.0.0.1:8080", address)
        script += [f"echo '::{block}::'", code]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", "\n".join(script)], capture_output=True, text=True,
                          timeout=60, env=env, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    if section == "Five minutes with the sandbox":
        assert "503\n503\n200\n" in done.stdout
        assert '"status":"in_warehouse"' in done.stdout
        assert '"scenario":"cart-flaky"' in done.stdout
        assert '"title":"Nike Air Max 90"' in done.stdout


# -- YAML -------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", params("yaml"))
def test_the_yaml_block_passes_the_validator(block: Block) -> None:
    document = yaml.safe_load(block.code)
    if is_scenario_document(document):
        check_scenario(document, source=str(block), routes=ROUTES)
    else:
        build_fixture(document, source=str(block))


# -- Python -----------------------------------------------------------------------------------

TEST_FILE = re.compile(r"^# (test_\w+\.py)$")


@pytest.mark.parametrize("block", params("python"))
def test_the_python_block_runs(pytester: pytest.Pytester, block: Block) -> None:
    named = TEST_FILE.match(block.first_line)
    if named is None:
        done = subprocess.run([sys.executable, "-c", block.code], capture_output=True, text=True,
                              timeout=60, check=False, cwd=ROOT)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return
    pytester.makepyfile(**{named.group(1).removesuffix(".py"): block.code})
    result = run(pytester, "--strict-markers", "-W", "error")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert result.parseoutcomes().get("passed", 0) == block.code.count("\ndef test_")


# -- the plugin reference ---------------------------------------------------------------------

ROW = re.compile(r"^\| `([^|]+?)` \|", re.MULTILINE)
CALL = re.compile(r"(sandbox|Sandbox)\.(\w+)(?:\(([^)]*)\))?")


def reference_rows() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("### The pytest plugin")
    end = text.index("A complete test file:", start)
    rows = []
    for line in text[start:end].splitlines():
        if line.startswith("| `"):
            rows.append(line.split(" | ")[0].removeprefix("| "))
    return rows


def documented_helpers() -> dict[str, list[str] | None]:
    """Helper name -> the parameter names the README gives it (None: not a call)."""
    found: dict[str, list[str] | None] = {}
    for row in reference_rows():
        for _, name, args in CALL.findall(row):
            if args is None or "(" not in row:
                found[name] = None
                continue
            names = [a.split("=")[0].strip() for a in args.split(",")]
            found[name] = [n for n in names if n and n != "*"]
    return found


PUBLIC_ATTRIBUTES = {"key", "user_id", "scopes", "url", "client", "connection", "minted"}


def test_every_helper_of_sandbox_is_in_the_reference_with_its_parameters() -> None:
    documented = documented_helpers()
    members = {name for name in vars(Sandbox) if not name.startswith("_")}
    assert members - set(documented) == set(), "helpers missing from the README's table"
    assert set(documented) - members - PUBLIC_ATTRIBUTES == set(), "the README names no such helper"
    for name in members:
        member = inspect.getattr_static(Sandbox, name)
        function = member.__func__ if isinstance(member, classmethod) else member
        assert inspect.getdoc(function), f"Sandbox.{name} has no docstring"
        documented_args = documented[name]
        if documented_args is None or isinstance(member, property):
            continue
        parameters = inspect.signature(function).parameters
        takes = [p for p in parameters if p not in ("self", "cls")]
        if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            assert set(documented_args) <= {"method", "path", "status"}, name
        else:
            assert documented_args == takes, f"Sandbox.{name}: README {documented_args}"


def test_every_fixture_option_and_marker_of_the_plugin_is_in_the_reference() -> None:
    rows = " ".join(reference_rows())
    for fixture in ("sandbox_server", "sandbox_connection", "sandbox", "sandbox_factory"):
        assert f"`{fixture}`" in f"`{rows}`".replace(" ", "` `") or fixture in rows
        assert inspect.getdoc(getattr(pytest_plugin, fixture)), fixture
    source = inspect.getsource(pytest_plugin)
    for option in re.findall(r'"(--sandbox-[\w-]+)"', source):
        assert option in rows, option
    assert f"@pytest.mark.{pytest_plugin.MARKER}(" in rows
