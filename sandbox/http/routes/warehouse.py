"""Warehouse packages."""

from __future__ import annotations

from typing import Any

from sandbox.clock import isoformat
from sandbox.domain.lifecycle import PACKAGE_STATUSES
from sandbox.domain.warehouse import Package
from sandbox.http.operations import (
    PAGINATION,
    Call,
    Operation,
    body_schema,
    page_by_status,
    page_of,
)
from sandbox.http.shapes import INTEGER, STRING, TIMESTAMP, URL, array, enum, obj, page


def package_view(call: Call, package: Package) -> dict[str, Any]:
    return {
        "id": package.id,
        "productName": package.product_name,
        "weight": package.weight,
        "status": package.status,
        "orderId": package.order_no,
        "inspectionPhotos": list(package.inspection_photos),
        "arrivedAt": isoformat(package.arrived_at),
        "storageDays": package.storage_days(call.now),
    }


def list_packages(call: Call) -> dict[str, Any]:
    packages = call.tenant.warehouse.packages.values()
    return page_by_status(packages, call.query, lambda p: package_view(call, p))


def package_stats(call: Call) -> dict[str, int]:
    return call.tenant.warehouse.stats()


def shippable_packages(call: Call) -> dict[str, Any]:
    return page_of(call.tenant.warehouse.shippable(), call.query, lambda p: package_view(call, p))


def get_package(call: Call) -> dict[str, Any]:
    return package_view(call, call.tenant.warehouse.get(call.params["id"]))


LIST_QUERY = body_schema(
    {**PAGINATION, "status": {"type": "string", "enum": list(PACKAGE_STATUSES)}}
)

PACKAGE_SHAPE = obj({
    "id": INTEGER, "productName": STRING, "weight": INTEGER, "status": enum(*PACKAGE_STATUSES),
    "orderId": STRING, "inspectionPhotos": array(URL), "arrivedAt": TIMESTAMP,
    "storageDays": INTEGER,
})  # fmt: skip
STATS_SHAPE = obj({"total": INTEGER, "inWarehouse": INTEGER, "shippable": INTEGER,
                   "shipped": INTEGER, "delivered": INTEGER, "totalWeight": INTEGER})  # fmt: skip

OPERATIONS = (
    Operation("GET", "/warehouse/packages", list_packages, "warehouse:read", query=LIST_QUERY,
              response=page(PACKAGE_SHAPE), summary="Get all warehouse packages."),
    Operation("GET", "/warehouse/packages/stats", package_stats, "warehouse:read",
              inferred=True, response=STATS_SHAPE,
              summary="Package counts by status, and the weight in storage."),
    Operation("GET", "/warehouse/packages/shippable", shippable_packages, "warehouse:read",
              query=body_schema(PAGINATION), inferred=True, response=page(PACKAGE_SHAPE),
              summary="Packages in the warehouse and in no live shipping order."),
    Operation("GET", "/warehouse/packages/{id}", get_package, "warehouse:read",
              errors=(404,),
              int_params=("id",), inferred=True, response=PACKAGE_SHAPE,
              summary="One warehouse package."),
)  # fmt: skip
