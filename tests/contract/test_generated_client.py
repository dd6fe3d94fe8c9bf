"""A client generated from the document by openapi-python-client drives the sandbox.

``.ci/contract`` generates the client into a scratch folder (nothing generated is committed),
checks it with ``mypy --strict``, and runs this module with ``SANDBOX_GENERATED_CLIENT`` set to
that folder; without it (the plain test suite) the module is skipped. The flow is the
reference's own: an order, its arrival in the warehouse, a shipping order of its package, the
delivery; then a tenant-scoped control call, which must change that tenant only.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from sandbox.testing import Sandbox, SandboxServer

FOLDER = os.environ.get("SANDBOX_GENERATED_CLIENT")
pytestmark = pytest.mark.skipif(FOLDER is None, reason="run by .ci/contract (a generated client)")

PACKAGE = "sandbox_client"


@pytest.fixture(scope="module")
def generated() -> Iterator[Callable[[str], Any]]:
    assert FOLDER is not None
    sys.path.insert(0, FOLDER)
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(FOLDER)
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _clients(load: Callable[[str], Any], server: SandboxServer, key: str) -> tuple[Any, Any]:
    """The API's client (on the document's first server, ``/v1``) and the control plane's (at
    the root, where the document's control paths say it is), both sending ``key``."""
    client = load("client")
    api = client.AuthenticatedClient(base_url=server.url + "/v1", token=key)
    control = client.AuthenticatedClient(base_url=server.url, token=key)
    return api, control


def test_a_whole_flow_through_the_generated_client(
    generated: Callable[[str], Any], sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    models = generated("models")
    api, control = _clients(generated, sandbox_server, sandbox.key)
    with api, control:
        _flow(generated, models, api, control)


def _flow(generated: Callable[[str], Any], models: Any, api: Any, control: Any) -> None:
    place = generated("api.orders.orders_place_order")
    item = models.OrderItemInput(product_id="12345", sku_id="s001", quantity=1)
    created = place.sync_detailed(client=api, body=models.OrderInput(items=[item]))
    assert created.status_code == 201
    order_no = created.parsed.data.order_no
    assert created.parsed.data.status == models.OrderStatus.PENDING

    advance = generated("api.control.control_advance_purchase_order")
    to_warehouse = models.OrderAdvance(to=models.OrderStatus.IN_WAREHOUSE)
    arrived = advance.sync(client=control, order_no=order_no, body=to_warehouse)
    assert arrived.data.status == models.OrderStatus.IN_WAREHOUSE
    assert arrived.data.inspection.result == models.InspectionResult.PASSED

    shippable = generated("api.warehouse.warehouse_shippable_packages").sync(client=api)
    package = next(p for p in shippable.data.items if p.order_id == order_no)

    create = generated("api.shipping.shipping_create")
    body = models.ShippingOrderInput(
        items=[models.ShippingItemInput(inventory_id=package.id, quantity=1)],
        logistics_channel_id="ch-001", recipient_name="Ada Lovelace",
        recipient_phone="+1 555 0100", recipient_country="US", recipient_city="Boston",
        recipient_address="1 Main St", recipient_zip_code="02101",
    )  # fmt: skip
    shipping = create.sync_detailed(client=api, body=body)
    assert shipping.status_code == 201, shipping.content
    shipping_no = shipping.parsed.data.order_no

    advance_shipping = generated("api.control.control_advance_shipping_order")
    to_shipped = models.ShippingAdvance(to=models.ShippingStatus.SHIPPED)
    shipped = advance_shipping.sync(client=control, order_no=shipping_no, body=to_shipped)
    assert shipped.data.tracking_no

    confirmed = generated("api.shipping.shipping_confirm").sync(client=api, id=shipping_no)
    assert confirmed.data.status == models.ShippingStatus.DELIVERED
    detail = generated("api.shipping.shipping_get_detail").sync(client=api, id=shipping_no)
    assert detail.data.status == models.ShippingStatus.DELIVERED
    assert [i.inventory_id for i in detail.data.items] == [package.id]


def test_a_tenant_scoped_control_call_changes_that_tenant_only(
    generated: Callable[[str], Any],
    sandbox_server: SandboxServer,
    sandbox: Sandbox,
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    models = generated("models")
    other = sandbox_factory()
    api, control = _clients(generated, sandbox_server, sandbox.key)
    other_api, other_control = _clients(generated, sandbox_server, other.key)
    with api, control, other_api, other_control:
        _topup(generated, models, sandbox, api, control, other_api)


def _topup(
    generated: Callable[[str], Any],
    models: Any,
    sandbox: Sandbox,
    api: Any,
    control: Any,
    other_api: Any,
) -> None:
    balance = generated("api.user.user_get_balance")
    before, other_before = balance.sync(client=api).data, balance.sync(client=other_api).data

    topup = generated("api.control.control_topup")
    reply = topup.sync_detailed(client=control, body=models.TopUp(amount=250.5))
    assert reply.status_code == 200
    assert reply.parsed.data.user_id == sandbox.user_id  # the key's tenant alone, not everyone

    after, other_after = balance.sync(client=api).data, balance.sync(client=other_api).data
    assert Decimal(str(after.balance)) - Decimal(str(before.balance)) == Decimal("250.5")
    assert other_after.balance == other_before.balance
