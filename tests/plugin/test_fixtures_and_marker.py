"""The plugin's whole surface as users' test files meet it, each file run by a child pytest:
the marker's forms, ``sandbox_factory``, retirement at teardown, the admin token, xdist."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.process import ServeProcess, free_port, serve
from tests.plugin.child import run

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def guarded() -> Iterator[ServeProcess]:
    """``sandbox serve`` on a free port, requiring the admin token :data:`TOKEN`."""
    port = free_port()
    with serve(port, ["--port", str(port), "--admin-token", TOKEN]) as process:
        yield process
        process.terminate()


def tenant_count(url: str) -> int:
    reply = httpx.get(f"{url}/__sandbox/tenants", headers={"X-Sandbox-Admin-Token": TOKEN})
    reply.raise_for_status()
    return len(reply.json()["data"])


def test_the_marker_takes_names_paths_and_dicts(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yaml",
        teapot="name: teapot\nrules:\n  - match: {path: /cart}\n    respond: {status: 418}\n",
    )
    pytester.makepyfile(
        test_user="""
        from pathlib import Path

        import pytest

        GONE = {"name": "gone", "rules": [{"match": {"path": "/orders"},
                                           "respond": {"status": 410}}]}

        @pytest.mark.sandbox_scenario("invalid-key")
        def test_a_bundled_name(sandbox):
            assert sandbox.client.get("/cart").status_code == 401

        @pytest.mark.sandbox_scenario("teapot.yaml")
        def test_a_path_beside_the_test_file(sandbox):
            assert sandbox.client.get("/cart").status_code == 418

        @pytest.mark.sandbox_scenario(Path(__file__).parent / "teapot.yaml")
        def test_a_pathlib_path(sandbox):
            assert sandbox.client.get("/cart").status_code == 418

        @pytest.mark.sandbox_scenario(GONE, "teapot.yaml")
        def test_a_dict_and_a_path_together(sandbox):
            assert sandbox.client.get("/orders").status_code == 410
            assert sandbox.client.get("/cart").status_code == 418

        @pytest.mark.sandbox_scenario("missing.yaml")
        def test_a_missing_file_is_a_usage_error(sandbox):
            pass
        """
    )
    result = run(pytester, "--strict-markers", "-W", "error")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*no scenario file missing.yaml (looked for*"])


def test_the_factory_mints_tenants_with_scopes_balance_and_no_story(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_user="""
        from sandbox.testing import Sandbox, SandboxFactory

        def test_two_tenants_never_see_each_other(sandbox, sandbox_factory: SandboxFactory):
            other: Sandbox = sandbox_factory()
            assert other.user_id != sandbox.user_id
            assert sandbox.client.delete("/cart").status_code == 200
            assert other.client.get("/cart").json()["data"]["totalItems"] == 1

        def test_a_key_with_chosen_scopes(sandbox_factory):
            reader = sandbox_factory(scopes=["products:read", "cart:read"])
            assert reader.scopes == ["products:read", "cart:read"]
            refused = reader.client.post("/orders", json={"items": []})
            assert refused.status_code == 403

        def test_a_chosen_balance(sandbox_factory):
            rich = sandbox_factory(balance=5000)
            wallet = rich.client.get("/user/wallet/balance").json()["data"]
            assert (wallet["balance"], wallet["frozenBalance"]) == (5000, 598)

        def test_without_the_story_an_empty_user_with_the_balance_given(sandbox_factory):
            empty = sandbox_factory(story=False)
            assert empty.client.get("/cart").json()["data"]["items"] == []
            assert empty.client.get("/orders").json()["data"]["total"] == 0
            assert empty.client.get("/user/wallet/balance").json()["data"]["balance"] == 0
            funded = sandbox_factory(story=False, balance=120.5)
            assert funded.client.get("/user/wallet/balance").json()["data"]["balance"] == 120.5
            product = funded.client.get("/products/12345")
            assert product.json()["data"]["title"] == "Nike Air Max 90"  # the catalog stays
        """
    )
    run(pytester, "-W", "error").assert_outcomes(passed=4)


def test_the_tenant_count_returns_to_its_start_after_200_tests(
    pytester: pytest.Pytester, guarded: ServeProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_ADMIN_TOKEN", TOKEN)
    start = tenant_count(guarded.url)
    pytester.makepyfile(
        test_many="""
        import pytest

        @pytest.mark.parametrize("n", range(150))
        def test_with_a_tenant(sandbox, n):
            assert sandbox.client.get("/cart").status_code == 200

        @pytest.mark.parametrize("n", range(50))
        def test_with_three_more(sandbox_factory, n):
            for _ in range(3):
                sandbox_factory(story=n % 2 == 0)
        """
    )
    run(pytester, f"--sandbox-url={guarded.url}").assert_outcomes(passed=200)
    assert tenant_count(guarded.url) == start


def test_the_admin_token_option_guards_a_threaded_server_and_is_sent_everywhere(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_user="""
        import httpx

        def test_every_helper_sends_the_token(sandbox_server, sandbox, sandbox_factory):
            refused = httpx.post(f"{sandbox_server.url}/__sandbox/keys")
            assert refused.status_code == 401
            sandbox.scenario({"name": "teapot", "rules": [
                {"match": {"path": "/cart"}, "respond": {"status": 418}}]})
            assert sandbox.client.get("/cart").status_code == 418
            sandbox.advance_clock(60)
            sandbox.freeze_clock()
            sandbox.reset()
            sandbox.restore(sandbox.state())
            sandbox.assert_requested("GET", "/cart", times=0)  # the reset cleared the journal
            assert sandbox_factory(story=False).client.get("/cart").status_code == 200
        """
    )
    run(pytester, f"--sandbox-admin-token={TOKEN}", "-W", "error").assert_outcomes(passed=1)


def test_a_missing_admin_token_is_explained(
    pytester: pytest.Pytester, guarded: ServeProcess
) -> None:
    pytester.makepyfile(
        test_user="""
        def test_anything(sandbox):
            pass
        """
    )
    result = run(pytester, f"--sandbox-url={guarded.url}")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*set SANDBOX_ADMIN_TOKEN (or pass --sandbox-admin-token*"])


XDIST_FILE = """
import pytest

@pytest.mark.parametrize("n", range(20))
def test_each_worker_tenant_is_its_own(sandbox, n):
    assert sandbox.client.delete("/cart").status_code == 200
    assert sandbox.client.get("/cart").json()["data"]["totalItems"] == 0
    sandbox.assert_requested("DELETE", "/cart", times=1)
"""


def test_tests_run_unchanged_under_xdist_with_a_server_per_worker(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_user=XDIST_FILE)
    result = run(pytester, "-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=20)
    result.stdout.fnmatch_lines(["*2 workers*"])


def test_tests_run_unchanged_under_xdist_against_one_shared_server(
    pytester: pytest.Pytester, guarded: ServeProcess
) -> None:
    start = tenant_count(guarded.url)
    pytester.makepyfile(test_user=XDIST_FILE)
    result = run(pytester, "-n", "2", "-p", "xdist", f"--sandbox-url={guarded.url}",
                 f"--sandbox-admin-token={TOKEN}")  # fmt: skip
    result.assert_outcomes(passed=20)
    assert tenant_count(guarded.url) == start
