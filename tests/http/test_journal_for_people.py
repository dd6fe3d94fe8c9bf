"""The journal for people, and scenario documents in either format: ``path`` with or without
``/v1``, one entry by request id, one printed line per request, YAML by content type."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from sandbox.http.app import create_app
from sandbox.settings import Settings

FULL = {"Authorization": "Bearer sk-sandbox-full"}
FLAKY = b"name: flaky\nrules:\n  - match: {method: GET, path: /cart}\n    respond: {status: 503}\n"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as started:
        yield started


def minted(client: TestClient) -> dict[str, str]:
    key = client.post("/__sandbox/keys").json()["data"]["key"]
    return {"Authorization": f"Bearer {key}"}


def test_the_path_filter_matches_with_or_without_v1(client: TestClient) -> None:
    tenant = minted(client)
    client.get("/v1/cart", headers=tenant)
    client.get("/cart/", headers=tenant)
    for path in ("/cart", "/v1/cart", "/cart/"):
        entries = client.get("/__sandbox/requests", params={"path": path}, headers=tenant)
        assert [e["path"] for e in entries.json()["data"]] == ["/cart/", "/v1/cart"]


def test_an_entry_is_read_by_its_request_id_within_its_tenant(client: TestClient) -> None:
    tenant, other = minted(client), minted(client)
    request_id = client.get("/v1/cart", headers=tenant).headers["x-request-id"]
    entry = client.get(f"/__sandbox/requests/{request_id}", headers=tenant).json()["data"]
    assert (entry["requestId"], entry["path"], entry["status"]) == (request_id, "/v1/cart", 200)
    assert client.get(f"/__sandbox/requests/{request_id}").status_code == 200  # sandbox-wide
    hidden = client.get(f"/__sandbox/requests/{request_id}", headers=other)
    assert hidden.status_code == 404
    assert hidden.json()["message"] == f"Request {request_id} not found in this tenant's journal"
    client.delete("/__sandbox/requests", headers=tenant)
    assert client.get(f"/__sandbox/requests/{request_id}").status_code == 404


def test_log_requests_prints_one_line_per_api_request(capsys: pytest.CaptureFixture[str]) -> None:
    with TestClient(create_app(settings=Settings(log_requests=True))) as client:
        client.post("/__sandbox/scenarios", content=FLAKY,
                    headers={"Content-Type": "application/yaml"})  # fmt: skip
        client.get("/v1/cart?x=1", headers=FULL)
        client.get("/products/12345")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2  # control requests are not API requests
    cart, anonymous = lines
    assert cart.startswith("2024-01-23T12:00:")
    assert "user 1001" in cart and "GET    /v1/cart?x=1  503  " in cart
    assert cart.endswith("ms  scenario flaky")
    assert "anonymous" in anonymous and "/products/12345  401" in anonymous


def test_the_setting_comes_from_the_environment() -> None:
    assert Settings.from_env({"SANDBOX_LOG_REQUESTS": "1"}).log_requests is True
    assert Settings.from_env({}).log_requests is False


@pytest.mark.parametrize(
    "content_type",
    ["application/yaml", "application/x-yaml", "text/yaml", "text/yaml; charset=utf-8", None,
     "application/x-www-form-urlencoded"],
)  # fmt: skip
def test_a_yaml_scenario_is_accepted_under_each_yaml_type_or_none(
    client: TestClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    reply = client.post("/__sandbox/scenarios", content=FLAKY, headers=headers)
    assert reply.status_code == 201, reply.text
    assert client.get("/cart", headers=FULL).status_code == 503


def test_a_json_scenario_is_accepted_without_a_content_type(client: TestClient) -> None:
    reply = client.post("/__sandbox/scenarios", content=b'{"name": "plain"}')
    assert reply.status_code == 201
    assert reply.json()["data"]["name"] == "plain"


def test_a_yaml_parse_error_says_what_was_tried_and_how_to_send_json(client: TestClient) -> None:
    reply = client.post("/__sandbox/scenarios", content=b"name: [",
                        headers={"Content-Type": "application/yaml"})  # fmt: skip
    (message,) = reply.json()["message"]
    assert message.startswith("(root): not valid YAML")
    assert message.endswith("(read as YAML, as Content-Type: application/yaml says; to send "
                            "JSON, use Content-Type: application/json)")  # fmt: skip


def test_an_undeclared_body_that_is_neither_says_how_to_send_either(client: TestClient) -> None:
    (message,) = client.post("/__sandbox/scenarios", content=b"name: [").json()["message"]
    assert "read as YAML, since the body is not JSON and no Content-Type was sent" in message
    assert "use Content-Type: application/yaml, or to send JSON" in message
