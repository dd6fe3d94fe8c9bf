"""The command line's scenario parts: ``sandbox scenarios``, ``validate``, ``--scenario``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.cli import build_parser, main, settings_from
from sandbox.http.app import create_app
from sandbox.settings import Settings


def test_scenarios_lists_the_bundled_ones_with_descriptions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "rate-limit-strict\n    Every key gets 5 requests per 10 seconds" in out
    assert out.count("\n    ") >= 10


def test_validate_tells_scenarios_from_fixtures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: ok\nrules: [{latency: 5}]\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nkey: {invalid: maybe}\n")
    assert main(["validate", str(good)]) == 0
    assert f"{good}: ok (scenario)" in capsys.readouterr().out
    assert main(["validate", str(good), str(bad)]) == 1
    assert f"{bad}: key.invalid: 'maybe' is not of type 'boolean'" in capsys.readouterr().err


def test_scenario_flags_repeat_and_win_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SANDBOX_SCENARIOS", "slow-network, invalid-key")
    assert Settings.from_env().scenarios == ("slow-network", "invalid-key")
    args = build_parser().parse_args(["serve", "--scenario", "qc-failed", "--scenario", "x.yaml"])
    assert settings_from(args).scenarios == ("qc-failed", "x.yaml")
    assert settings_from(build_parser().parse_args(["serve"])).scenarios == (
        "slow-network", "invalid-key"
    )  # fmt: skip


def test_startup_scenarios_come_back_after_a_whole_reset() -> None:
    app = create_app(settings=Settings(scenarios=("invalid-key",)))
    assert app.backend.scenarios.active_names() == ["invalid-key"]
    app.backend.scenarios.deactivate("invalid-key")
    app.backend.scenarios.reset()
    assert app.backend.scenarios.active_names() == ["invalid-key"]
