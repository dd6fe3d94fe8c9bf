"""A journal entry keeps at most 16 KiB of a request body, cut and marked."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from sandbox.journal import BODY_LIMIT


def test_a_body_over_16_kib_is_kept_cut_with_a_marker_of_its_size(client: TestClient) -> None:
    sent = json.dumps({"productId": "12345", "skuId": "s001", "quantity": 1,
                       "remark": "é" * 40_000}, ensure_ascii=False).encode()  # fmt: skip
    response = client.post("/cart/items", content=sent,
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 400  # too long a remark; recorded all the same
    (entry,) = client.get("/__sandbox/requests").json()["data"]
    body = entry["body"]
    assert isinstance(body, str)
    assert body.endswith(f"\u2026 [truncated: {len(sent)} bytes]")
    kept = body.removesuffix(f"\u2026 [truncated: {len(sent)} bytes]")
    assert sent.decode().startswith(kept.rstrip("\ufffd"))
    assert len(kept.encode()) <= BODY_LIMIT + 3  # a character cut in two reads as U+FFFD


def test_a_body_of_16_kib_is_kept_whole(client: TestClient) -> None:
    document = {"productId": "12345", "skuId": "s001", "quantity": 1, "remark": ""}
    pad = BODY_LIMIT - len(json.dumps(document).encode())
    document["remark"] = "a" * pad
    sent = json.dumps(document).encode()
    assert len(sent) == BODY_LIMIT
    client.post("/cart/items", content=sent, headers={"Content-Type": "application/json"})
    (entry,) = client.get("/__sandbox/requests").json()["data"]
    assert entry["body"] == document
