"""``GET /docs``: the interactive reference of the live document, offline, with "try it"."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox.server import ThreadedServer
from tests.pages.browser import Browser, Page, expect
from tests.pages.conftest import VIEWPORT, Tenant, screenshot

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def open_docs(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".opblock").first).to_be_visible()


@pytest.fixture(scope="module")
def docs(browser: Browser, server: ThreadedServer) -> Iterator[Page]:
    """One ``/docs`` page for the tests that only read it or try distinct operations: Swagger
    UI takes seconds to load a document of this size."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)  # slack for a loaded machine; timed checks set their own
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    open_docs(page, f"{server.url}/docs")
    page.requested = requested  # type: ignore[attr-defined]
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def test_the_reference_lists_every_operation_of_the_live_document(
    docs: Page, server: ThreadedServer, api: httpx.Client
) -> None:
    page = docs
    document = api.get("/openapi.json").json()
    operations = [
        (method.upper(), path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]
    expected = sorted((method, path) for method, path, _ in operations)
    requested: list[str] = page.requested  # type: ignore[attr-defined]
    shown = page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(b => [
            b.querySelector('.opblock-summary-method').textContent,
            b.querySelector('.opblock-summary-path').dataset.path])""",
    )
    assert sorted(map(tuple, shown)) == expected
    # The control plane is a group of its own, after the API's.
    tags = page.eval_on_selector_all(".opblock-tag", "tags => tags.map(t => t.dataset.tag)")
    assert tags[-1] == "control"
    assert page.locator('.opblock-tag-section:has([data-tag="control"]) .opblock').count() == sum(
        1 for _, _, op in operations if op["tags"] == ["control"]
    )
    # Works offline: everything the page loaded came from the sandbox itself.
    assert requested and all(u.startswith((server.url, "data:")) for u in requested), requested
    screenshot(page, "docs")


def test_try_it_of_get_product_shows_the_product_with_the_prefilled_key(
    docs: Page, api: httpx.Client
) -> None:
    page = docs
    block = page.locator("#operations-products-products_get_product")
    block.locator(".opblock-summary").click()
    # The reference's example is shown before anything is tried.
    expect(block.locator(".responses-wrapper")).to_contain_text("Nike Air Max 90")

    block.get_by_role("button", name="Try it out").click()
    block.locator('input[placeholder="id"]').fill("12345")
    block.get_by_role("button", name="Execute").click()

    live = block.locator(".live-responses-table")
    expect(live.locator("tbody .response-col_status").first).to_have_text("200")
    expect(live.locator("tbody .response-col_description")).to_contain_text('"id": 12345')
    expect(live.locator("tbody .response-col_description")).to_contain_text("Nike Air Max 90")
    journal = api.get(
        "/__sandbox/requests",
        params={"path": "/v1/products/12345"},
        headers={"Authorization": "Bearer sk-sandbox-full"},
    ).json()["data"]
    assert journal and journal[0]["key"] == "sk-sandbox-full"


def authorize(page: Page, key: str) -> None:
    """Paste ``key`` into Swagger UI's Authorize dialog, as a user does."""
    page.locator(".auth-wrapper .authorize").click()
    dialog = page.locator(".modal-ux")
    dialog.locator("button:text-is('Logout')").click()
    dialog.locator("input").fill(key)
    dialog.locator("button:text-is('Authorize')").click()
    dialog.locator("button:text-is('Close')").click()


def test_a_minted_key_pasted_under_authorize_is_the_one_try_it_sends(
    docs: Page, tenant: Tenant
) -> None:
    page = docs
    authorize(page, tenant.key)
    try:
        block = page.locator("#operations-cart-cart_get_cart")
        block.locator(".opblock-summary").click()
        block.get_by_role("button", name="Try it out").click()
        block.get_by_role("button", name="Execute").click()
        status = block.locator(".live-responses-table tbody .response-col_status").first
        expect(status).to_have_text("200")
    finally:
        authorize(page, "sk-sandbox-full")
    journal = tenant.client.get("/__sandbox/requests").json()["data"]
    assert [(e["method"], e["path"], e["key"]) for e in journal] == [
        ("GET", "/v1/cart", tenant.key)
    ]


def test_a_control_operation_tried_from_the_reference_reaches_the_control_plane(
    docs: Page,
) -> None:
    page = docs
    block = page.locator("#operations-control-control_list_scenarios")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    live = block.locator(".live-responses-table")
    expect(live.locator("tbody .response-col_status").first).to_have_text("200")
    expect(live.locator("tbody .response-col_description")).to_contain_text("invalid-key")
