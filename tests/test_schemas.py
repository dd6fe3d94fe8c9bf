from __future__ import annotations

from importlib import resources

import pytest
from jsonschema import Draft202012Validator

from sandbox.schemas import schema

NAMES = sorted(
    p.name.removesuffix(".schema.json")
    for p in resources.files("sandbox.schemas").iterdir()
    if p.name.endswith(".schema.json")
)


@pytest.mark.parametrize("name", NAMES)
def test_every_bundled_schema_is_a_valid_json_schema(name: str) -> None:
    Draft202012Validator.check_schema(schema(name))
    assert schema(name)["$id"].endswith(f"/{name}.schema.json")
