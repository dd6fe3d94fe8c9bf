"""The API's route tables, one module per area. ``OPERATIONS`` is every documented and
inferred endpoint; the app serves it under ``/`` and ``/v1/`` and the OpenAPI document is
generated from it."""

from __future__ import annotations

from sandbox.http.operations import Operation
from sandbox.http.routes import cart, logistics, orders, products, shipping, user, warehouse

OPERATIONS: tuple[Operation, ...] = (
    *products.OPERATIONS,
    *cart.OPERATIONS,
    *user.OPERATIONS,
    *orders.OPERATIONS,
    *logistics.OPERATIONS,
    *warehouse.OPERATIONS,
    *shipping.OPERATIONS,
)
