"""Freight: volumetric weight, banded tariffs and channel coverage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.domain.fixture import Fixture
from sandbox.domain.freight import (
    ChannelNotFound,
    ChannelRefused,
    Logistics,
    quote,
    volumetric_weight,
)


@pytest.fixture
def logistics(fixture: Fixture) -> Logistics:
    return fixture.logistics


def test_the_reference_box_weighs_1800_g_volumetric_and_costs_185_and_210(
    logistics: Logistics,
) -> None:
    ems = quote(logistics.channel("ch-001"), 1500, (30, 20, 15))
    dhl = quote(logistics.channel("ch-002"), 1500, (30, 20, 15))
    assert (ems.actual_weight, ems.volumetric_weight, ems.charge_weight) == (1500, 1800, 1800)
    assert ems.total_price == Decimal("185.00")
    assert dhl.total_price == Decimal("210.00")


@pytest.mark.parametrize(
    ("grams", "price"),
    [(1, "80.00"), (500, "80.00"), (501, "115.00"), (1000, "115.00"), (1650, "185.00")],
)
def test_each_started_band_after_the_first_costs_one_more_step(
    logistics: Logistics, grams: int, price: str
) -> None:
    assert str(logistics.channel("ch-001").price(grams)) == price  # two decimals, exactly


def test_the_actual_weight_wins_when_it_is_heavier(logistics: Logistics) -> None:
    found = quote(logistics.channel("ch-001"), 2500, (10, 10, 10))
    assert (found.volumetric_weight, found.charge_weight) == (200, 2500)


def test_without_all_three_dimensions_there_is_no_volumetric_weight(
    logistics: Logistics,
) -> None:
    assert quote(logistics.channel("ch-001"), 700, (30, 20, None)).volumetric_weight == 0


def test_us_at_1500_g_is_served_by_the_two_documented_channels(logistics: Logistics) -> None:
    assert [c.channel_id for c in logistics.serving("US", 1500, None)] == ["ch-001", "ch-002"]


def test_battery_cargo_goes_only_on_the_battery_line(logistics: Logistics) -> None:
    assert [c.channel_id for c in logistics.serving("JP", 1000, "battery")] == ["ch-003"]
    assert logistics.serving("US", 1000, "battery") == []


def test_no_channel_serves_antarctica(logistics: Logistics) -> None:
    assert "AQ" in {c.code for c in logistics.countries}
    assert logistics.serving("AQ", None, None) == []


def test_a_channel_refuses_what_it_does_not_serve(logistics: Logistics) -> None:
    ems = logistics.channel("ch-001")
    with pytest.raises(ChannelRefused, match="does not serve country AQ"):
        ems.require("AQ", 1000, "general")
    with pytest.raises(ChannelRefused, match="does not accept battery cargo"):
        ems.require("US", 1000, "battery")
    with pytest.raises(ChannelRefused, match="from 100 g to 30000 g, got 30001 g"):
        ems.require("US", 30001, "general")
    with pytest.raises(ChannelRefused, match="got 99 g"):
        ems.require("US", 99, "general")


def test_an_unknown_channel_is_not_found(logistics: Logistics) -> None:
    with pytest.raises(ChannelNotFound):
        logistics.channel("ch-999")


@pytest.mark.parametrize(
    ("dimensions", "grams"),
    [((30, 20, 15), 1800), ((7, 7, 7), 69), ((1, 1, 1), 1), ((1000, 1000, 1000), 200_000_000)],
)
def test_whole_and_decimal_centimetres_give_the_same_rounded_up_grams(
    dimensions: tuple[int, int, int], grams: int
) -> None:
    as_floats = tuple(float(side) for side in dimensions)
    assert volumetric_weight(*dimensions) == volumetric_weight(*as_floats) == grams
    assert volumetric_weight(7.5, 7, 7) == 74  # 367.5 cm³ x 1000 / 5000 = 73.5 -> 74
