"""Deterministic product generation with Faker.

Generated products are built on first use, each from its own seed (the catalog's seed and the
product id), so the catalog is the same whatever order products are read in, startup never
pays for Faker, and a 100,000-product catalog costs nothing until read. A 1688 offer's product
is generated the same way from the offer id: the same offer always gives the same product.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.domain.product import Product, Sku
from sandbox.money import money

if TYPE_CHECKING:
    from faker import Faker

IMAGE_HOST = "https://cdn.sandbox.example"
SHOP_HOST = "https://shop.sandbox.example"

#: category id -> (nouns, variant axis, variants, price range in yuan, weight range in grams)
CATEGORIES: dict[
    int, tuple[tuple[str, ...], str, tuple[str, ...], tuple[int, int], tuple[int, int]]
] = {
    23: (
        ("Sneakers", "Running Shoes", "Boots", "Sandals", "Loafers"),
        "Size",
        ("US 7", "US 8", "US 9", "US 10", "US 11"),
        (89, 899),
        (600, 1400),
    ),
    31: (
        ("Backpack", "Tote Bag", "Wallet", "Crossbody Bag", "Duffel"),
        "Color",
        ("Black", "Grey", "Navy", "Khaki", "Red"),
        (39, 599),
        (200, 1200),
    ),
    42: (
        ("T-Shirt", "Hoodie", "Jacket", "Jeans", "Sweater"),
        "Size",
        ("S", "M", "L", "XL", "XXL"),
        (29, 459),
        (150, 900),
    ),
    57: (
        ("Wireless Earbuds", "Power Bank", "Phone Case", "Smart Watch", "USB-C Cable"),
        "Model",
        ("Standard", "Pro", "Max", "Lite"),
        (19, 1299),
        (50, 500),
    ),
    64: (
        ("Ceramic Mug", "Desk Lamp", "Throw Pillow", "Storage Box", "Tea Set"),
        "Color",
        ("White", "Black", "Green", "Pink", "Blue"),
        (15, 399),
        (200, 2500),
    ),
    78: (
        ("Lipstick", "Face Serum", "Sheet Mask Set", "Perfume", "Sunscreen"),
        "Shade",
        ("01", "02", "03", "04"),
        (25, 699),
        (50, 400),
    ),
    85: (
        ("Building Blocks", "Plush Toy", "Puzzle", "RC Car", "Action Figure"),
        "Edition",
        ("Classic", "Deluxe", "Collector"),
        (19, 899),
        (100, 1800),
    ),
}
ADJECTIVES = (
    "Classic",
    "Premium",
    "Lightweight",
    "Vintage",
    "Breathable",
    "Minimalist",
    "Waterproof",
    "Limited",
    "Everyday",
    "Urban",
    "Deluxe",
    "Eco",
)
MATERIALS = ("Cotton", "Leather", "Polyester", "Nylon", "Canvas", "Ceramic", "ABS", "Silicone")
ORIGINS = ("China", "Vietnam", "Japan", "Korea", "Indonesia")


@functools.cache
def _faker() -> Faker:
    from faker import Faker  # imported here: startup never pays for Faker

    return Faker("en_US")


def generated_product(product_id: int, seed: int) -> Product:
    """The catalog's generated product ``product_id``, the same for the same seed."""
    fake = _faker()
    fake.seed_instance(seed * 1_000_003 + product_id)
    category_id = fake.random_element(sorted(CATEGORIES))
    nouns, axis, variants, (low, high), (light, heavy) = CATEGORIES[category_id]
    brand = fake.last_name()
    title = f"{brand} {fake.random_element(ADJECTIVES)} {fake.random_element(nouns)}"
    price = Decimal(fake.random_int(low, high))
    chosen = fake.random_elements(
        variants, length=fake.random_int(1, min(4, len(variants))), unique=True
    )
    skus = _skus(fake, product_id, price, axis, chosen, prefix="g")
    return Product(
        id=product_id,
        title=title,
        description=fake.paragraph(nb_sentences=2),
        price=min(s.price for s in skus),
        original_price=money(price * Decimal("1.4")),
        platform="taobao",
        platform_item_id=str(fake.random_number(digits=11, fix_len=True)),
        image_url=f"{IMAGE_HOST}/products/{product_id}/main.jpg",
        images=tuple(f"{IMAGE_HOST}/products/{product_id}/{n}.jpg" for n in range(1, 4)),
        shop_name=f"{brand} Official Store",
        shop_url=f"{SHOP_HOST}/shops/{brand.lower()}",
        sales=fake.random_int(0, 20000),
        stock=sum(s.stock for s in skus) + fake.random_int(0, 50),
        category_id=category_id,
        skus=skus,
        attributes=(
            ("Material", fake.random_element(MATERIALS)),
            ("Origin", fake.random_element(ORIGINS)),
        ),
        weight=fake.random_int(light, heavy),
    )


def offer_product(offer_id: str) -> Product:
    """The product a 1688 import of ``offer_id`` gives; its id is the offer id's number."""
    product_id = int(offer_id)
    fake = _faker()
    fake.seed_instance(product_id)
    category_id = fake.random_element(sorted(CATEGORIES))
    nouns, axis, variants, (low, high), (light, heavy) = CATEGORIES[category_id]
    title = f"Wholesale {fake.random_element(ADJECTIVES)} {fake.random_element(nouns)}"
    price = Decimal(max(3, fake.random_int(low, high) // 4))
    chosen = fake.random_elements(
        variants, length=fake.random_int(1, min(4, len(variants))), unique=True
    )
    skus = _skus(fake, product_id, price, axis, chosen, prefix="a", stock_range=(200, 5000))
    factory = fake.city()
    return Product(
        id=product_id,
        title=title,
        description=fake.paragraph(nb_sentences=2),
        price=min(s.price for s in skus),
        original_price=money(price * Decimal("1.2")),
        platform="1688",
        platform_item_id=str(product_id),
        image_url=f"{IMAGE_HOST}/1688/{product_id}/main.jpg",
        images=tuple(f"{IMAGE_HOST}/1688/{product_id}/{n}.jpg" for n in range(1, 5)),
        shop_name=f"{factory} {fake.random_element(nouns)} Factory",
        shop_url=f"https://shop{product_id % 100000}.1688.com",
        sales=fake.random_int(100, 90000),
        stock=sum(s.stock for s in skus),
        category_id=category_id,
        skus=skus,
        attributes=(("Material", fake.random_element(MATERIALS)), ("Origin", "China")),
        min_order=fake.random_int(2, 50),
        weight=fake.random_int(light, heavy),
    )


def _skus(
    fake: Any,
    product_id: int,
    base: Decimal,
    axis: str,
    variants: Sequence[str],
    *,
    prefix: str,
    stock_range: tuple[int, int] = (5, 300),
) -> tuple[Sku, ...]:
    return tuple(
        Sku(
            sku_id=f"{prefix}{product_id}-{n}",
            name=f"{axis} {variant}" if axis in ("Size", "Model", "Shade") else variant,
            price=money(base + Decimal(fake.random_int(0, 3) * 10)),
            stock=fake.random_int(*stock_range),
            image=f"{IMAGE_HOST}/products/{product_id}/sku-{n}.jpg",
        )
        for n, variant in enumerate(variants, start=1)
    )
