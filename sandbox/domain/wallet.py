"""The user's CNY wallet and its ledger of transactions.

``availableBalance = balance - frozenBalance``. Every movement appends a :class:`Transaction`
carrying the balance and frozen balance after it, so the ledger alone explains the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.clock import isoformat, parse_iso
from sandbox.errors import BadRequest
from sandbox.money import ZERO, money

#: Transaction types, each with the sign of its effect on ``balance`` and on ``frozenBalance``.
MOVEMENTS: dict[str, tuple[int, int]] = {
    "topup": (1, 0),
    "adjustment": (1, 0),
    "freeze": (0, 1),
    "unfreeze": (0, -1),
    "payment": (-1, -1),
    "service_fee": (-1, 0),
    "refund": (1, 0),
    "shipping_fee": (-1, 0),
    "shipping_refund": (1, 0),
}


class InsufficientBalance(BadRequest):
    """400: the available balance does not cover the amount."""

    default_message = "Insufficient balance"


@dataclass(slots=True)
class Transaction:
    id: int
    type: str
    amount: Decimal
    balance_after: Decimal
    frozen_after: Decimal
    description: str
    order_no: str | None
    created_at: datetime

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "amount": str(self.amount),
            "balanceAfter": str(self.balance_after),
            "frozenAfter": str(self.frozen_after),
            "description": self.description,
            "orderNo": self.order_no,
            "createdAt": isoformat(self.created_at),
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Transaction:
        return cls(
            id=int(data["id"]),
            type=data["type"],
            amount=money(data["amount"]),
            balance_after=money(data["balanceAfter"]),
            frozen_after=money(data.get("frozenAfter", "0")),
            description=data.get("description", ""),
            order_no=data.get("orderNo"),
            created_at=parse_iso(data["createdAt"]),
        )


class Wallet:
    __slots__ = ("balance", "frozen", "next_id", "transactions")

    def __init__(
        self,
        balance: Decimal = ZERO,
        frozen: Decimal = ZERO,
        transactions: list[Transaction] | None = None,
        next_id: int | None = None,
    ) -> None:
        self.balance = balance
        self.frozen = frozen
        self.transactions: list[Transaction] = transactions or []
        last = max((t.id for t in self.transactions), default=0)
        self.next_id = max(next_id or 1, last + 1)

    @property
    def available(self) -> Decimal:
        return self.balance - self.frozen

    def require_available(self, amount: Decimal) -> None:
        if amount > self.available:
            raise InsufficientBalance(
                f"Insufficient balance: available {self.available:.2f}, required {amount:.2f}"
            )

    def move(
        self,
        kind: str,
        amount: Decimal,
        now: datetime,
        *,
        description: str = "",
        order_no: str | None = None,
    ) -> Transaction:
        """Apply one movement of ``kind`` (see :data:`MOVEMENTS`) and record it."""
        balance_sign, frozen_sign = MOVEMENTS[kind]
        amount = money(amount)
        if (balance_sign < 0 and frozen_sign == 0) or kind == "freeze":
            self.require_available(amount)
        self.balance += balance_sign * amount
        self.frozen += frozen_sign * amount
        transaction = Transaction(
            id=self.next_id,
            type=kind,
            amount=amount,
            balance_after=self.balance,
            frozen_after=self.frozen,
            description=description,
            order_no=order_no,
            created_at=now,
        )
        self.next_id += 1
        self.transactions.append(transaction)
        return transaction

    def set_available(self, target: Decimal, now: datetime, description: str) -> None:
        """Adjust the balance so that the available balance reads ``target``."""
        delta = money(target) - self.available
        if delta:
            self.move("adjustment", delta, now, description=description)

    def to_state(self) -> dict[str, Any]:
        return {
            "balance": str(self.balance),
            "frozenBalance": str(self.frozen),
            "transactions": [t.to_state() for t in self.transactions],
            "nextTransactionId": self.next_id,
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Wallet:
        return cls(
            balance=money(data["balance"]),
            frozen=money(data.get("frozenBalance", "0")),
            transactions=[Transaction.from_state(t) for t in data.get("transactions", [])],
            next_id=data.get("nextTransactionId"),
        )
