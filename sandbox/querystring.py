"""Query strings as Express's parser reads them (the journal and the HTTP layer share it)."""

from __future__ import annotations

from urllib.parse import parse_qsl


def parse_query(text: str) -> dict[str, str | list[str]]:
    """A query string as Express's parser gives it: a repeated name becomes a list."""
    query: dict[str, str | list[str]] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        previous = query.get(name)
        if previous is None:
            query[name] = value
        else:
            query[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
    return query
