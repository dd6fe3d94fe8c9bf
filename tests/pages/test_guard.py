"""With ``SANDBOX_ADMIN_TOKEN`` set, the dashboard is refused without the token, says how to give
it, and once given sends it on every control call."""

from __future__ import annotations

from sandbox.server import ThreadedServer
from tests.pages.browser import Page, expect
from tests.pages.conftest import ADMIN_TOKEN


def test_the_refusal_page_takes_the_token_and_the_dashboard_then_drives_the_sandbox(
    page: Page, guarded_server: ThreadedServer
) -> None:
    refused = page.goto(f"{guarded_server.url}/__sandbox/ui")
    assert refused is not None and refused.status == 401
    expect(page.locator("h1")).to_have_text("The dashboard needs the admin token")

    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Open the dashboard").click()
    expect(page).to_have_url(f"{guarded_server.url}/__sandbox/ui#tenant=1001")
    # Everything below came through the control plane, which demands the header.
    expect(page.locator('#tenants li[data-user-id="1001"]')).to_be_visible()
    expect(page.locator("#tenant-key")).to_have_text("sk-sandbox-full")
    expect(page.locator("#live.on")).to_be_attached()
    page.get_by_role("button", name="Top up").click()
    expect(page.locator("#notice")).to_contain_text("The balance of user 1001 is now")
