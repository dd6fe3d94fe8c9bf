"""The request journal: entries, filters, order, clearing, and its bound."""

from __future__ import annotations

import dataclasses

from starlette.testclient import TestClient

from sandbox.http.app import create_app
from sandbox.settings import Settings
from sandbox.store import Store
from tests.conftest import FULL


def journal(client: TestClient, **query: str) -> list[dict[str, object]]:
    response = client.get("/__sandbox/requests", params=query)
    assert response.status_code == 200
    entries: list[dict[str, object]] = response.json()["data"]
    return entries


def test_an_entry_records_what_was_sent_and_what_answered(client: TestClient) -> None:
    client.put("/__sandbox/clock", json={"frozen": True})
    sent = client.post("/v1/cart/items?trace=1&trace=2",
                       json={"productId": "12345", "skuId": "s001", "quantity": 1})  # fmt: skip
    (entry,) = journal(client)
    assert isinstance(entry.pop("durationMs"), float)
    assert entry == {
        "requestId": sent.headers["x-request-id"],
        "method": "POST",
        "path": "/v1/cart/items",
        "query": {"trace": ["1", "2"]},
        "key": FULL,
        "body": {"productId": "12345", "skuId": "s001", "quantity": 1},
        "status": 201,
        "scenario": None,
        "time": "2024-01-23T12:00:00Z",
        "response": sent.json(),
    }


def test_a_body_that_is_not_json_is_kept_as_text(client: TestClient) -> None:
    client.post("/cart/items", content=b"not json", headers={"Content-Type": "text/plain"})
    assert journal(client)[0]["body"] == "not json"


def test_newest_first_with_exact_filters(client: TestClient) -> None:
    client.get("/products/12345")
    client.get("/products/99999999")
    client.get("/cart")
    client.get("/products/12345", params={"x": "1"})
    assert [e["path"] for e in journal(client)] == [
        "/products/12345", "/cart", "/products/99999999", "/products/12345"
    ]  # fmt: skip
    assert len(journal(client, path="/products/12345")) == 2
    assert len(journal(client, path="/products")) == 0
    assert [e["status"] for e in journal(client, status="404")] == [404]
    assert len(journal(client, method="get")) == 4
    assert journal(client, method="POST") == []


def test_limit_keeps_the_newest_entries_after_the_filters(client: TestClient) -> None:
    for path in ("/cart", "/products/12345", "/cart", "/products/12345", "/cart"):
        client.get(path)
    ids = [e["requestId"] for e in journal(client)]
    assert [e["requestId"] for e in journal(client, limit="2")] == ids[:2]
    assert len(journal(client, path="/products/12345", limit="1")) == 1
    assert len(journal(client, limit="100")) == 5
    refused = client.get("/__sandbox/requests", params={"limit": "0"})
    assert refused.json()["message"] == ["limit must not be less than 1"]


def test_bad_filters_are_400(client: TestClient) -> None:
    response = client.get("/__sandbox/requests", params={"status": "ok"})
    assert response.status_code == 400
    assert response.json()["message"] == ["status must be an integer number"]
    unknown = client.get("/__sandbox/requests", params={"colour": "red"})
    assert unknown.json()["message"] == ["property colour should not exist"]


def test_delete_clears_the_tenants_journal_only(client: TestClient) -> None:
    key = client.post("/__sandbox/keys", json={}).json()["data"]["key"]
    client.get("/cart")
    client.get("/cart", headers={"Authorization": f"Bearer {key}"})
    assert client.delete("/__sandbox/requests").status_code == 200
    assert journal(client) == []
    others = client.get("/__sandbox/requests", headers={"Authorization": f"Bearer {key}"})
    assert len(others.json()["data"]) == 1


def test_requests_without_a_known_key_go_to_the_anonymous_journal(
    client: TestClient, anonymous: TestClient
) -> None:
    anonymous.get("/products/12345", headers={"Authorization": "Bearer sk-unknown"})
    assert journal(client) == []
    (entry,) = journal(anonymous)
    assert (entry["key"], entry["status"]) == ("sk-unknown", 401)


def test_the_control_plane_is_not_journaled(client: TestClient) -> None:
    client.get("/__sandbox/clock")
    client.get("/openapi.json")
    assert journal(client) == []


def test_the_journal_stays_bounded_under_a_long_run(store: Store) -> None:
    app = create_app(store, dataclasses.replace(Settings(), journal_size=50))
    with TestClient(app, base_url="http://sandbox") as client:
        client.headers["Authorization"] = f"Bearer {FULL}"
        for _ in range(400):
            client.get("/products/12345", headers={"Prefer": "code=200"})
        entries = journal(client)
        assert len(entries) == 50
        assert len(app.backend.journal) == 50
        assert entries[0]["requestId"] > entries[-1]["requestId"]
