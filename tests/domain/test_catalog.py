from __future__ import annotations

import subprocess
import sys

import pytest

from sandbox.domain.catalog import Catalog, GeneratedRange
from sandbox.domain.fixture import Fixture
from sandbox.domain.generate import generated_product, offer_product
from sandbox.errors import ProductNotFound, SkuNotFound


def test_generated_products_are_deterministic_whatever_the_read_order() -> None:
    forwards = [generated_product(pid, 42) for pid in range(20001, 20011)]
    backwards = [generated_product(pid, 42) for pid in reversed(range(20001, 20011))]
    assert forwards == list(reversed(backwards))


def test_another_seed_gives_another_catalog() -> None:
    assert generated_product(20001, 42).title != generated_product(20001, 43).title or (
        generated_product(20001, 42).skus != generated_product(20001, 43).skus
    )


def test_generated_products_are_complete(fixture: Fixture) -> None:
    catalog = fixture.catalog()
    assert fixture.generated is not None
    ids = range(fixture.generated.first_id, fixture.generated.first_id + fixture.generated.count)
    categories = set()
    for product_id in ids:
        product = catalog.get(product_id)
        categories.add(product.category_id)
        assert product.skus and product.attributes and product.images
        assert product.price == min(s.price for s in product.skus)
        assert all(s.stock > 0 for s in product.skus)
        assert product.image_url.startswith("https://")
    assert len(categories) >= 5
    assert len(catalog) == 300 + len(fixture.products)


def test_lookups_outside_the_catalog_are_not_found() -> None:
    catalog = Catalog({}, GeneratedRange(100, 5, 1))
    assert 104 in catalog and 105 not in catalog
    with pytest.raises(ProductNotFound):
        catalog.get(105)
    with pytest.raises(SkuNotFound):
        catalog.get(100).sku("nope")


def test_offer_products_depend_on_the_offer_alone() -> None:
    assert offer_product("1234567890") == offer_product("1234567890")
    assert offer_product("1234567890").id == 1234567890


def test_the_domain_imports_no_web_framework_and_startup_no_faker() -> None:
    code = (
        "import sys, sandbox.domain.tenant, sandbox.store, sandbox.fixtures, sandbox.http.app;"
        "import sandbox.http.routes;"
        "from sandbox.fixtures import load_fixture; from sandbox.store import Store;"
        "Store(load_fixture());"
        "bad = [m for m in ('faker',) if m in sys.modules];"
        "import sandbox.domain.cart, sandbox.domain.wallet;"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    domain_only = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, sandbox.domain.tenant, sandbox.domain.imports;"
            "print('starlette' in sys.modules, 'uvicorn' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert domain_only.stdout.strip() == "False False"


def test_an_import_is_kept_as_its_offer_id_and_rebuilt_the_same(monkeypatch: object) -> None:
    catalog = Catalog({}, None)
    product = catalog.add_offer("1234567890")
    assert catalog.offers == {1234567890: "1234567890"}
    catalog._build.cache_clear()  # as if the memo had dropped it
    assert catalog.get(1234567890) == product


def test_imports_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox.domain import catalog as module

    monkeypatch.setattr(module, "MAX_IMPORTS", 2)
    catalog = Catalog({}, None)
    catalog.add_offer("1234567890")
    catalog.add_offer("1234567891")
    catalog.add_offer("1234567890")  # again: not a new import
    with pytest.raises(module.TooManyImports):
        catalog.add_offer("1234567892")
    catalog.forget_offers()
    catalog.add_offer("1234567892")
