from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sandbox.fixtures import FixtureError, build_fixture, default_fixture_path, load_fixture


def default_document() -> dict:
    return yaml.safe_load(default_fixture_path().read_text())


def test_the_bundled_fixture_loads(fixture) -> None:  # type: ignore[no-untyped-def]
    assert fixture.start.isoformat() == "2024-01-23T12:00:00+00:00"
    assert [k.key for k in fixture.keys] == [
        "sk-sandbox-full",
        "sk-sandbox-readonly",
        "sk-sandbox-limited",
    ]
    assert fixture.rate_limit.limit == 1000 and fixture.rate_limit.window_seconds == 60


def test_the_full_key_has_every_scope_and_readonly_every_read_scope(fixture) -> None:  # type: ignore[no-untyped-def]
    from sandbox.domain.access import SCOPES

    scopes = {k.key: k.scopes for k in fixture.keys}
    assert set(scopes["sk-sandbox-full"]) == set(SCOPES)
    assert set(scopes["sk-sandbox-readonly"]) == {s for s in SCOPES if s.endswith(":read")}
    assert scopes["sk-sandbox-limited"] == ("products:read", "cart:read")


def test_a_bad_field_is_refused_with_the_file_the_field_and_the_reason() -> None:
    document = default_document()
    document["users"][0]["wallet"]["balance"] = "lots"
    with pytest.raises(FixtureError) as caught:
        build_fixture(document, source="bad.yaml")
    assert str(caught.value).startswith("bad.yaml: users[0].wallet.balance: 'lots' is not valid")


def test_money_with_more_than_two_decimals_is_refused() -> None:
    document = default_document()
    document["catalog"]["products"][0]["price"] = 1.005
    with pytest.raises(FixtureError, match=r"catalog\.products\[0\]\.price"):
        build_fixture(document)


def test_keys_must_name_known_users() -> None:
    document = default_document()
    document["keys"][0]["userId"] = 7
    with pytest.raises(FixtureError, match="names unknown user 7"):
        build_fixture(document)


def test_generated_ids_must_not_overlap_fixture_products() -> None:
    document = default_document()
    document["catalog"]["generate"]["firstId"] = 12300
    with pytest.raises(FixtureError, match="overlap the fixture's own product 12345"):
        build_fixture(document)


def test_unparsable_and_missing_files_name_their_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [1\n")
    with pytest.raises(FixtureError, match=r"broken\.yaml: not valid YAML"):
        load_fixture(broken)
    with pytest.raises(FixtureError, match=r"missing\.yaml: cannot read the file"):
        load_fixture(tmp_path / "missing.yaml")


def test_sandbox_validate_exits_1_on_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    document = default_document()
    del document["users"][0]["profile"]["email"]
    bad.write_text(yaml.safe_dump(document))
    good = subprocess.run(
        [sys.executable, "-m", "sandbox", "validate", str(default_fixture_path())],
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0, good.stderr
    refused = subprocess.run(
        [sys.executable, "-m", "sandbox", "validate", str(bad)], capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert f"{bad}: users[0].profile: 'email' is a required property" in refused.stderr


def big_document(count: int) -> dict:
    document = default_document()
    template = document["catalog"]["products"][0]
    document["catalog"]["products"] += [
        {**template, "id": 1_000_000 + n, "title": f"Copy {n}"} for n in range(count)
    ]
    return document


def test_a_large_catalog_is_checked_in_bulk_and_read_lazily() -> None:
    from sandbox.schemas import BULK

    fixture = build_fixture(big_document(BULK + 10))
    catalog = fixture.catalog()
    assert len(catalog) == len(fixture.products) + 300
    assert catalog.get(1_000_000 + BULK).title == f"Copy {BULK}"


def test_a_bad_product_in_a_large_catalog_is_named_with_every_problem() -> None:
    from sandbox.schemas import BULK

    document = big_document(BULK + 10)
    bad = document["catalog"]["products"][500]
    bad["price"] = "lots"
    bad["stock"] = -1
    with pytest.raises(FixtureError) as caught:
        build_fixture(document, source="big.json")
    assert str(caught.value).splitlines() == [
        "big.json: catalog.products[500].price: 'lots' is not valid under any of the given schemas",
        "big.json: catalog.products[500].stock: -1 is less than the minimum of 0",
    ]
