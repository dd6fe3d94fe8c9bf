"""The journal is bounded per tenant and in total: the sandbox's oldest entries go first."""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.journal import Journal

NOW = datetime(2024, 1, 23, 12, tzinfo=UTC)


def record(journal: Journal, user_id: int | None, request_id: str) -> None:
    journal.record(
        user_id, request_id=request_id, method="GET", path="/cart", query_string="", key=None,
        body=b"", status=200, scenario=None, time=NOW,
    )  # fmt: skip


def ids(journal: Journal, user_id: int | None) -> list[str]:
    return [entry["requestId"] for entry in journal.entries(user_id)]


def test_past_the_total_the_oldest_entries_of_any_tenant_go_first() -> None:
    journal = Journal(size=10, total=5)
    for n in range(4):
        record(journal, 1, f"a{n}")
    for n in range(3):
        record(journal, 2, f"b{n}")
    assert len(journal) == 5
    assert ids(journal, 1) == ["a3", "a2"]
    assert ids(journal, 2) == ["b2", "b1", "b0"]


def test_each_book_keeps_its_own_bound_and_the_count_stays_true() -> None:
    journal = Journal(size=3, total=100)
    for n in range(1000):
        record(journal, 1, f"a{n}")
    record(journal, None, "anon")
    assert len(journal) == 4
    assert ids(journal, 1) == ["a999", "a998", "a997"]
    assert len(journal._arrivals) <= 2 * journal.total + 1  # compacted, not growing
    journal.clear(1)
    assert len(journal) == 1
    assert ids(journal, None) == ["anon"]


def test_past_the_byte_budget_the_oldest_bodies_go_first() -> None:
    journal = Journal(size=100, total=100, budget=10_000)
    for n in range(10):
        journal.record(
            n % 2, request_id=f"r{n}", method="POST", path="/cart/items", query_string="",
            key=None, body=b"x" * 1500, status=201, scenario=None, time=NOW, response=b"y" * 500,
        )  # fmt: skip
    assert journal._bytes <= 10_000
    assert len(journal) == 5
    assert ids(journal, 0) + ids(journal, 1) == ["r8", "r6", "r9", "r7", "r5"]
    journal.clear(0)
    assert journal._bytes == 3 * 2000


def test_the_index_by_request_id_holds_exactly_the_entries_kept() -> None:
    # Kept exact at every drop (a full book, the total cap, a cleared tenant), so that it never
    # needs a rebuild: rebuilding it over 50,000 entries held the event loop for 84 ms.
    journal = Journal(size=3, total=5)
    for n in range(40):
        record(journal, n % 4, f"r{n}")
    assert set(journal.by_id) == {f"r{n}" for n in range(35, 40)}
    assert journal.find("r34", everyone=True) is None
    assert journal.find("r39", 3)["requestId"] == "r39"  # type: ignore[index]
    journal.clear(3)
    assert set(journal.by_id) == {f"r{n}" for n in (36, 37, 38)}
    journal.clear(everyone=True)
    assert journal.by_id == {} and len(journal) == 0
