"""The pytest plugin, as users meet it: their test files run by a child pytest (``pytester``).

Each child run is a separate ``python -m pytest`` process, as a user's would be: it loads the
plugin from the package's entry point (or ``-p`` before the package declares it), and gets
no configuration at all unless the test gives it some.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from tests.e2e.process import ServeProcess, free_port, serve
from tests.plugin.child import run


@pytest.fixture(scope="module")
def served() -> Iterator[ServeProcess]:
    """A sandbox started apart from any test run: ``sandbox serve`` on a free port."""
    port = free_port()
    with serve(port) as process:
        yield process
        process.terminate()


def test_a_users_test_file_passes_with_no_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user="""
        SEEN = []

        def test_a_minted_tenant_reads_the_catalog_and_its_cart(sandbox, sandbox_server):
            assert sandbox_server.url.startswith("http://127.0.0.1:")
            assert sandbox.key.startswith("sk-sandbox-")
            product = sandbox.client.get("/products/12345")
            assert product.status_code == 200
            assert product.json()["data"]["title"] == "Nike Air Max 90"
            cart = sandbox.client.get("/cart")
            assert cart.status_code == 200
            assert [item["id"] for item in cart.json()["data"]["items"]] == [501]
            SEEN.append(sandbox.user_id)

        def test_every_test_gets_a_tenant_of_its_own(sandbox):
            assert sandbox.client.delete("/cart").status_code == 200
            assert sandbox.user_id not in SEEN
        """
    )
    result = run(pytester, "--strict-markers")
    result.assert_outcomes(passed=2)


def test_sandbox_url_points_the_plugin_at_a_separately_started_server(
    pytester: pytest.Pytester, served: ServeProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The option wins over the variable, which names nothing here.
    monkeypatch.setenv("SANDBOX_URL", "http://127.0.0.1:9")
    pytester.makepyfile(
        test_user=f"""
        import httpx

        def test_the_external_sandbox_is_used(sandbox_server, sandbox):
            assert sandbox_server.url == "{served.url}"
            assert str(sandbox.client.base_url).rstrip("/") == "{served.url}"
            assert sandbox.client.get("/products/12345").status_code == 200
            # The key was minted by that server: it knows it.
            known = httpx.get("{served.url}/cart",
                              headers={{"Authorization": f"Bearer {{sandbox.key}}"}})
            assert known.status_code == 200
        """
    )
    result = run(pytester, f"--sandbox-url={served.url}")
    result.assert_outcomes(passed=1)


def test_the_sandbox_url_variable_points_the_plugin_at_a_server(
    pytester: pytest.Pytester, served: ServeProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_URL", f"{served.url}/")
    pytester.makepyfile(
        test_user=f"""
        def test_the_external_sandbox_is_used(sandbox_server, sandbox):
            assert sandbox_server.url == "{served.url}"
            assert sandbox.client.get("/cart").status_code == 200
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_a_conftest_can_replace_the_server_as_the_testcontainers_example_does(
    pytester: pytest.Pytester, served: ServeProcess
) -> None:
    pytester.makeconftest(
        f"""
        import pytest
        from sandbox.testing import ExternalServer

        @pytest.fixture(scope="session")
        def sandbox_server():
            yield ExternalServer("{served.url}").wait_until_healthy(timeout=60)
        """
    )
    pytester.makepyfile(
        test_user=f"""
        def test_the_conftests_server_is_used(sandbox_server, sandbox):
            assert sandbox.url == "{served.url}"
            assert sandbox.client.get("/cart").status_code == 200
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_the_scenario_marker_activates_scenarios_on_the_tests_tenant(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_user="""
        import pytest

        @pytest.mark.sandbox_scenario("invalid-key")
        def test_the_tenants_key_is_refused(sandbox):
            response = sandbox.client.get("/cart")
            assert response.status_code == 401
            assert response.json()["message"] == "Invalid API Key"

        def test_other_tenants_are_untouched(sandbox):
            assert sandbox.client.get("/cart").status_code == 200
        """
    )
    run(pytester, "--strict-markers").assert_outcomes(passed=2)


def test_the_marker_without_a_scenario_name_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_user="""
        import pytest

        @pytest.mark.sandbox_scenario
        def test_nothing(sandbox):
            pass
        """
    )
    result = run(pytester, "--strict-markers")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*sandbox_scenario takes one or more scenarios: a bundled*"])


def test_the_option_and_the_marker_are_documented_in_pytests_help(
    pytester: pytest.Pytester,
) -> None:
    run(pytester, "--help").stdout.fnmatch_lines(["*--sandbox-url=URL*"])
    run(pytester, "--help").stdout.fnmatch_lines(["*--sandbox-admin-token=TOKEN*"])
    run(pytester, "--markers").stdout.fnmatch_lines(["@pytest.mark.sandbox_scenario(*scenarios)*"])


def test_an_admin_token_in_the_environment_guards_the_server_and_is_sent_by_the_helpers(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_ADMIN_TOKEN", "s3cret")
    pytester.makepyfile(
        test_user="""
        import httpx

        def test_control_needs_the_token_and_the_fixture_has_it(sandbox_server, sandbox):
            assert httpx.post(f"{sandbox_server.url}/__sandbox/keys").status_code == 401
            assert sandbox.client.get("/cart").status_code == 200
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_the_plugin_is_registered_by_the_packages_pytest11_entry_point() -> None:
    registered = {ep.value for ep in entry_points(group="pytest11")}
    assert "sandbox.pytest_plugin" in registered
