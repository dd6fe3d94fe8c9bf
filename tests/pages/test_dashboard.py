"""``GET /__sandbox/ui``: a tenant's live journal and state, and the controls that drive it.

Each test mints its own tenant, opens the dashboard on it, and checks what the page did through
the API and the control plane, as a client would see it.
"""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.server import ThreadedServer
from tests.pages.browser import Locator, Page, expect
from tests.pages.conftest import Tenant, screenshot

HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>"
SHIPPING = {  # the reference's POST /shipping/create example
    "items": [{"inventoryId": 101, "quantity": 1}, {"inventoryId": 102, "quantity": 1}],
    "logisticsChannelId": "ch-001", "recipientName": "John Doe", "recipientPhone": "+1-555-0123",
    "recipientCountry": "US", "recipientState": "California", "recipientCity": "Los Angeles",
    "recipientAddress": "123 Main St", "recipientZipCode": "90001",
}  # fmt: skip


def open_dashboard(page: Page, server: ThreadedServer, tenant: Tenant) -> None:
    page.goto(f"{server.url}/__sandbox/ui#tenant={tenant.user_id}")
    expect(page.locator("#tenant-key")).to_have_text(tenant.key)
    expect(page.locator("#live.on")).to_be_attached()  # the journal is being polled
    expect(page.locator("#state .wallet")).to_be_visible()
    expect(page.locator("#scenarios li").first).to_be_visible()


def notice(page: Page) -> Locator:
    return page.locator("#notice")


def entry_row(page: Page, request_id: str) -> Locator:
    return page.locator(f'#journal tr[data-request-id="{request_id}"]')


def order_status(tenant: Tenant, order_no: str) -> Any:
    return tenant.client.get(f"/orders/{order_no}").json()["data"]["status"]


def test_a_clients_request_shows_in_its_tenants_journal_within_a_second(
    page: Page, server: ThreadedServer, tenant: Tenant
) -> None:
    open_dashboard(page, server, tenant)
    added = tenant.client.post(
        "/cart/items", json={"productId": 12345, "skuId": "s001", "quantity": 1, "remark": "US 9"}
    )
    assert added.status_code == 201

    row = entry_row(page, added.headers["x-request-id"])
    expect(row).to_be_visible(timeout=1000)
    expect(row).to_contain_text("POST")
    expect(row).to_contain_text("/cart/items")
    row.click()
    expect(page.locator("#entry h3")).to_contain_text("POST /cart/items → 201")
    expect(page.locator("#entry-request")).to_contain_text('"remark": "US 9"')
    expect(page.locator("#entry")).to_contain_text(tenant.key)
    # The state follows: the cart now holds the new line.
    expect(page.locator("#state")).to_contain_text("US 9")
    tenant.client.get("/products/12345", params={"lang": "en"})
    tenant.client.get("/orders/ORD-20240199-999")
    expect(page.locator("#journal tbody tr")).to_have_count(3)
    card = page.locator(f'#tenants li[data-user-id="{tenant.user_id}"]')
    expect(card).to_contain_text("3 requests")
    screenshot(page, "dashboard")


def test_journal_values_are_shown_as_text_never_as_markup(
    page: Page, server: ThreadedServer, tenant: Tenant
) -> None:
    open_dashboard(page, server, tenant)
    sent = tenant.client.post(
        "/cart/items", json={"productId": 12345, "skuId": "s001", "quantity": 1, "remark": HOSTILE}
    )
    odd = tenant.client.get(f"/products/{HOSTILE}", params={"q": HOSTILE})

    entry_row(page, sent.headers["x-request-id"]).click()
    expect(page.locator("#entry-request")).to_contain_text(HOSTILE)
    row = entry_row(page, odd.headers["x-request-id"])
    expect(row).to_contain_text("<script>")
    row.click()
    expect(page.locator("#entry h3")).to_contain_text("<script>")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#journal script, #journal img, #entry script, #entry img").count() == 0


def test_advancing_an_order_from_the_page_changes_its_status_in_the_api(
    page: Page, server: ThreadedServer, tenant: Tenant
) -> None:
    open_dashboard(page, server, tenant)
    assert order_status(tenant, "ORD-20240115-002") == "paid"

    page.locator('button[data-advance="order"][data-order-no="ORD-20240115-002"]').click()
    expect(notice(page)).to_contain_text("Order ORD-20240115-002 is now purchased")
    assert order_status(tenant, "ORD-20240115-002") == "purchased"
    status = page.locator('#state tr[data-id="ORD-20240115-002"] .order-status')
    expect(status).to_have_text("purchased")

    form = page.locator("#order-form")
    form.locator('input[name="orderNo"]').fill("ORD-20240120-001")
    form.locator('select[name="to"]').select_option("in_warehouse")
    form.get_by_role("button", name="Advance order").click()
    expect(notice(page)).to_contain_text("ORD-20240120-001 is now in_warehouse")
    assert order_status(tenant, "ORD-20240120-001") == "in_warehouse"


def test_an_illegal_advance_shows_the_control_planes_error_and_changes_nothing(
    page: Page, server: ThreadedServer, tenant: Tenant
) -> None:
    open_dashboard(page, server, tenant)
    form = page.locator("#order-form")
    form.locator('input[name="orderNo"]').fill("ORD-20240115-001")
    form.locator('select[name="to"]').select_option("pending")
    form.get_by_role("button", name="Advance order").click()

    expect(notice(page)).to_have_attribute("data-kind", "error")
    expect(notice(page)).to_contain_text(
        "409 Conflict: Order cannot go from in_warehouse to pending"
    )
    assert order_status(tenant, "ORD-20240115-001") == "in_warehouse"


def test_an_unknown_order_and_a_bad_clock_value_show_their_errors(
    page: Page, server: ThreadedServer, tenant: Tenant
) -> None:
    frozen = tenant.client.put("/__sandbox/clock", json={"frozen": True}).json()["data"]
    open_dashboard(page, server, tenant)

    form = page.locator("#order-form")
    form.locator('input[name="orderNo"]').fill("ORD-19990101-404")
    form.get_by_role("button", name="Advance order").click()
    expect(notice(page)).to_contain_text("404 Not Found: Order not found")

    clock = page.locator("#clock-form")
    clock.locator('input[name="seconds"]').fill("-5")
    clock.get_by_role("button", name="Advance clock").click()
    expect(notice(page)).to_contain_text("400 Bad Request: seconds must not be less than 0")
    clock.locator('input[name="seconds"]').fill("soon")
    clock.get_by_role("button", name="Advance clock").click()
    expect(notice(page)).to_contain_text("seconds must be a number")
    assert tenant.client.get("/__sandbox/clock").json()["data"] == frozen


def test_activating_a_scenario_from_the_page_makes_the_next_call_answer_as_it_says(
    page: Page, server: ThreadedServer, tenant: Tenant
) -> None:
    open_dashboard(page, server, tenant)
    assert tenant.client.get("/products/12345").status_code == 200

    scenario = page.locator('#scenarios li[data-scenario="invalid-key"]')
    scenario.get_by_role("button", name="Activate").click()
    expect(notice(page)).to_contain_text("Scenario invalid-key is active")
    refused = tenant.client.get("/products/12345")
    assert refused.status_code == 401
    assert refused.headers["x-sandbox-scenario"] == "invalid-key"

    scenario.get_by_role("button", name="Deactivate").click()
    expect(notice(page)).to_contain_text("Scenario invalid-key is inactive")
    assert tenant.client.get("/products/12345").status_code == 200


def test_the_clock_wallet_and_shipping_controls_act_on_the_tenant(
    page: Page, server: ThreadedServer, tenant: Tenant
) -> None:
    tenant.client.put("/__sandbox/clock", json={"now": "2024-02-01T00:00:00Z", "frozen": True})
    shipped = tenant.client.post("/shipping/create", json=SHIPPING).json()["data"]["orderNo"]
    balance = float(tenant.client.get("/user/wallet/balance").json()["data"]["balance"])
    open_dashboard(page, server, tenant)

    page.locator('#clock-form input[name="seconds"]').fill("3600")
    page.get_by_role("button", name="Advance clock").click()
    expect(notice(page)).to_contain_text("is now 2024-02-01T01:00:00Z")
    assert tenant.client.get("/__sandbox/clock").json()["data"]["now"] == "2024-02-01T01:00:00Z"
    expect(page.locator("#tenant-clock")).to_have_text("2024-02-01T01:00:00Z")

    page.locator('#topup-form input[name="amount"]').fill("250.50")
    page.get_by_role("button", name="Top up").click()
    expect(notice(page)).to_contain_text("The balance of user")
    after = float(tenant.client.get("/user/wallet/balance").json()["data"]["balance"])
    assert round(after - balance, 2) == 250.50

    page.locator(f'button[data-advance="shipping"][data-order-no="{shipped}"]').click()
    expect(notice(page)).to_contain_text(f"Shipping order {shipped} is now processing")
    assert tenant.client.get(f"/shipping/orders/{shipped}").json()["data"]["status"] == "processing"


def test_resetting_the_tenant_from_the_page_restores_its_fixture(
    page: Page, server: ThreadedServer, tenant: Tenant
) -> None:
    tenant.client.post("/cart/items", json={"productId": 12345, "skuId": "s001", "quantity": 1})
    assert len(tenant.client.get("/cart").json()["data"]["items"]) == 2
    open_dashboard(page, server, tenant)

    page.get_by_role("button", name="Reset tenant").click()
    expect(notice(page)).to_contain_text("Tenant reset")
    expect(page.locator("#journal tbody tr")).to_have_count(0)  # its journal went too
    assert len(tenant.client.get("/cart").json()["data"]["items"]) == 1


def test_minting_and_retiring_a_key_from_the_page(
    page: Page, server: ThreadedServer, tenant: Tenant, api: httpx.Client
) -> None:
    open_dashboard(page, server, tenant)
    page.get_by_role("button", name="Mint a key").click()
    expect(notice(page)).to_contain_text("Minted sk-")
    key = page.locator("#tenant-key").inner_text()
    assert key != tenant.key
    tenants = api.get("/__sandbox/tenants").json()["data"]
    assert key in [k["key"] for t in tenants for k in t["keys"]]
    expect(page.locator(f'#tenants code:text-is("{key}")')).to_be_visible()

    page.get_by_role("button", name="Retire key").click()
    expect(notice(page)).to_contain_text(f"Retired {key}")
    tenants = api.get("/__sandbox/tenants").json()["data"]
    assert key not in [k["key"] for t in tenants for k in t["keys"]]


def test_the_dashboard_fits_a_narrow_window(
    page: Page, server: ThreadedServer, tenant: Tenant
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_dashboard(page, server, tenant)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The reference opens with the tenant's key.
    expect(page.locator("#docs-link")).to_have_attribute("href", f"/docs?key={tenant.key}")
