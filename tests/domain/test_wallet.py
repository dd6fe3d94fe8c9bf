from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sandbox.domain.wallet import InsufficientBalance, Wallet
from sandbox.money import ceil_yuan, money

NOW = datetime(2024, 1, 23, 12, tzinfo=UTC)


def wallet(balance: str = "100.00", frozen: str = "0.00") -> Wallet:
    return Wallet(Decimal(balance), Decimal(frozen))


def test_available_is_balance_less_frozen() -> None:
    assert wallet("2000.00", "598.00").available == Decimal("1402.00")


def test_freeze_then_pay_moves_money_out_once() -> None:
    w = wallet()
    w.move("freeze", Decimal("60"), NOW, order_no="ORD-1")
    assert (w.balance, w.frozen, w.available) == (
        Decimal("100.00"),
        Decimal("60.00"),
        Decimal("40.00"),
    )
    w.move("payment", Decimal("60"), NOW, order_no="ORD-1")
    assert (w.balance, w.frozen) == (Decimal("40.00"), Decimal("0.00"))
    assert [(t.type, t.balance_after, t.frozen_after) for t in w.transactions] == [
        ("freeze", Decimal("100.00"), Decimal("60.00")),
        ("payment", Decimal("40.00"), Decimal("0.00")),
    ]


@pytest.mark.parametrize("kind", ["freeze", "service_fee", "shipping_fee"])
def test_spending_more_than_available_is_refused_and_records_nothing(kind: str) -> None:
    w = wallet("100.00", "50.00")
    with pytest.raises(InsufficientBalance, match=r"available 50\.00, required 50\.01"):
        w.move(kind, Decimal("50.01"), NOW)
    assert (w.balance, w.frozen, w.transactions) == (Decimal("100.00"), Decimal("50.00"), [])


def test_transaction_ids_continue_after_the_story() -> None:
    w = wallet()
    w.move("topup", Decimal("1"), NOW)
    restored = Wallet.from_state(w.to_state())
    assert restored.move("topup", Decimal("1"), NOW).id == 2


def test_set_available_records_an_adjustment() -> None:
    w = wallet("100.00", "30.00")
    w.set_available(Decimal("0"), NOW, "insufficient-balance scenario")
    assert w.available == Decimal("0.00")
    assert w.transactions[-1].type == "adjustment"
    assert w.transactions[-1].amount == Decimal("-70.00")


def test_money_is_exact() -> None:
    assert money(0.1) + money(0.2) == Decimal("0.30")
    assert money("1.005") == Decimal("1.01")
    assert ceil_yuan(Decimal("29.90")) == Decimal("30.00")
    assert ceil_yuan(Decimal("30.00")) == Decimal("30.00")
