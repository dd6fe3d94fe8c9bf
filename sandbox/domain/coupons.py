"""Coupons: offered to the user, claimed once, used once, dead once expired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.clock import isoformat, parse_iso
from sandbox.errors import BadRequest, NotFound
from sandbox.money import ZERO, money, percent_of


class CouponNotFound(NotFound):
    """404: no coupon with that id is offered to this user."""

    default_message = "Coupon not found"


class CouponNotApplicable(BadRequest):
    """400: the coupon cannot be claimed or applied now."""

    default_message = "Coupon not applicable"


@dataclass(slots=True)
class Coupon:
    id: int
    name: str
    type: str  # "percentage" or "fixed"
    value: Decimal
    min_order_amount: Decimal
    expires_at: datetime
    claimed_at: datetime | None = None
    used_at: datetime | None = None
    used_by: str | None = None

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def status(self, now: datetime) -> str:
        if self.used_at is not None:
            return "used"
        return "expired" if self.expired(now) else "unused"

    def discount(self, goods_total: Decimal) -> Decimal:
        """What the coupon takes off ``goods_total``; never more than the total."""
        off = percent_of(goods_total, self.value) if self.type == "percentage" else self.value
        return min(money(off), goods_total)

    def check_applicable(self, goods_total: Decimal, now: datetime) -> None:
        if self.claimed_at is None:
            raise CouponNotApplicable(f"Coupon {self.id} has not been claimed")
        if self.used_at is not None:
            raise CouponNotApplicable(f"Coupon {self.id} has already been used")
        if self.expired(now):
            raise CouponNotApplicable(f"Coupon {self.id} has expired")
        if goods_total < self.min_order_amount:
            raise CouponNotApplicable(
                f"Coupon {self.id} requires a minimum order amount of {self.min_order_amount:.2f}"
            )

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "value": str(self.value),
            "minOrderAmount": str(self.min_order_amount),
            "expiresAt": isoformat(self.expires_at),
            "claimedAt": _iso_or_none(self.claimed_at),
            "usedAt": _iso_or_none(self.used_at),
            "usedBy": self.used_by,
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Coupon:
        return cls(
            id=int(data["id"]),
            name=data["name"],
            type=data["type"],
            value=Decimal(str(data["value"])),
            min_order_amount=money(data.get("minOrderAmount", ZERO)),
            expires_at=parse_iso(data["expiresAt"]),
            claimed_at=_parse_or_none(data.get("claimedAt")),
            used_at=_parse_or_none(data.get("usedAt")),
            used_by=data.get("usedBy"),
        )


class Coupons:
    __slots__ = ("coupons",)

    def __init__(self, coupons: list[Coupon]) -> None:
        self.coupons: dict[int, Coupon] = {c.id: c for c in coupons}

    def get(self, coupon_id: int) -> Coupon:
        try:
            return self.coupons[coupon_id]
        except KeyError:
            raise CouponNotFound() from None

    def available(self, now: datetime) -> list[Coupon]:
        """Offered, unclaimed and unexpired: what ``GET /user/coupons/available`` lists."""
        return [c for c in self.coupons.values() if c.claimed_at is None and not c.expired(now)]

    def mine(self) -> list[Coupon]:
        return [c for c in self.coupons.values() if c.claimed_at is not None]

    def claim(self, coupon_id: int, now: datetime) -> Coupon:
        coupon = self.get(coupon_id)
        if coupon.claimed_at is not None:
            raise CouponNotApplicable(f"Coupon {coupon_id} has already been claimed")
        if coupon.expired(now):
            raise CouponNotApplicable(f"Coupon {coupon_id} has expired")
        coupon.claimed_at = now
        return coupon

    def to_state(self) -> list[dict[str, Any]]:
        return [c.to_state() for c in self.coupons.values()]


def _iso_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else isoformat(moment)


def _parse_or_none(text: str | None) -> datetime | None:
    return None if text is None else parse_iso(text)
