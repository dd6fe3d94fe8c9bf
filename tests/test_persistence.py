from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from sandbox.backend import Backend
from sandbox.domain.cart import NewLine
from sandbox.domain.fixture import Fixture
from sandbox.persistence import (
    InvalidState,
    StateFileError,
    load_state,
    read_state,
    save_state,
    state_problems,
)
from sandbox.store import Store


def frozen_store(fixture: Fixture) -> Store:
    store = Store(fixture)
    for tenant in store.tenants.values():
        tenant.clock.set(frozen=True)
    return store


def test_a_saved_state_loads_back_exactly(fixture: Fixture, tmp_path: Path) -> None:
    store = frozen_store(fixture)
    key = store.mint(balance=Decimal("1000"))
    store.tenant(key.user_id).clock.set(frozen=True)
    tenant = store.tenant(1001)
    tenant.cart.add([NewLine(12345, "s002", 3)], store.catalog, tenant.stock)
    path = tmp_path / "state.json"
    save_state(store, path)
    copy = Store(fixture)
    load_state(copy, path)
    assert copy.export() == store.export()
    assert copy.authenticate(key.key).user_id == key.user_id
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_saving_replaces_the_previous_file_whole(fixture: Fixture, tmp_path: Path) -> None:
    store = frozen_store(fixture)
    path = tmp_path / "state.json"
    path.write_text("old")
    save_state(store, path)
    assert read_state(path) == store.export()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "corrupt JSON"),
        (b'{"hello": "world"}', 'no "kind"'),
        (b'{"kind": "commerce-api-sandbox/state", "version": 9, "state": {}}', "version 9"),
        (
            b'{"kind": "commerce-api-sandbox/state", "version": 1, "state": {"version": 1}}',
            "state.(root): 'keys' is a required property",
        ),
    ],
)
def test_corrupt_or_foreign_files_are_refused_with_their_path(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError) as caught:
        read_state(path)
    assert str(caught.value).startswith(str(path))
    assert reason in str(caught.value)
    assert path.read_bytes() == content  # never replaced


def test_a_state_whose_keys_name_missing_users_is_refused(fixture: Fixture) -> None:
    store = frozen_store(fixture)
    state = store.export()
    state["keys"][0]["userId"] = 4242
    before = orjson.dumps(store.export())
    with pytest.raises(InvalidState) as caught:
        Backend(store).restore(state)
    assert caught.value.message == ["keys[0].userId: user 4242 is not in users"]
    assert orjson.dumps(store.export()) == before


def test_a_state_file_edited_by_hand_is_checked_in_full(fixture: Fixture, tmp_path: Path) -> None:
    store = frozen_store(fixture)
    path = tmp_path / "state.json"
    save_state(store, path)
    edited = path.read_bytes().replace(b'"balance":"2000.00"', b'"balance":"abc"', 1)
    assert edited != path.read_bytes()
    path.write_bytes(edited)
    with pytest.raises(StateFileError) as caught:
        read_state(path)
    assert "state.users[0].wallet.balance: 'abc'" in str(caught.value)


def test_a_state_of_many_tenants_is_checked_and_explained_in_bulk(fixture: Fixture) -> None:
    store = Store(fixture)
    for _ in range(60):
        store.mint()
    state = store.export()
    assert state_problems(state) == []
    state["users"][55]["wallet"]["balance"] = "abc"
    assert state_problems(state)[0].startswith("users[55].wallet.balance: 'abc'")
