"""The garbage collector of a serving sandbox, tuned for what it holds.

A sandbox serving a team holds many tenants' orders, lines, transactions and journal entries:
hundreds of thousands of long-lived objects that reference counting already frees when they
go, and that hold no reference cycles worth finding. With CPython's default thresholds
(700, 10, 10), a full collection walks all of them every few seconds under load; measured
under the benchmark's write mix, each took up to 90 ms, during which no request is answered:
that was the write mix's p99 (19 to 64 ms).

:func:`tune_for_serving` moves what startup built (modules, the fixture, the catalog) out of
the collector's sight (``gc.freeze``) and makes full collections a thousand times rarer; the
young generations keep CPython's thresholds, whose collections are frequent but take a small
fraction of a millisecond (larger young generations were tried: with 20,000 objects, each
young collection paused the loop for up to 6 ms, and the reads' p99 doubled). Cyclic garbage
is still collected, by the young generations where nearly all of it is found, and by a full
collection every seventy million allocations, after which what survived is frozen too, so
that the next full collection walks only what came since. ``sandbox serve`` calls it once
it has built its application; the pytest plugin's in-process servers do not (the collector
of a user's test process is theirs).
"""

from __future__ import annotations

import gc

#: Allocations between young collections, young collections between middle ones, and middle
#: collections between full ones (CPython's default: 700, 10, 10).
SERVING_THRESHOLDS = (700, 10, 10_000)


def tune_for_serving() -> None:
    """Freeze what exists now, set :data:`SERVING_THRESHOLDS`, and after each full collection
    freeze what survived it."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVING_THRESHOLDS)
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)


def _freeze_survivors(phase: str, info: dict[str, int]) -> None:
    """After a full collection, move its survivors out of the collector's sight: the next one
    then walks only what was allocated since, not every tenant the sandbox holds. (A frozen
    object is still freed by reference counting when its last reference goes; only a cycle
    made entirely of frozen objects would stay, and the sandbox's state holds none.)"""
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()
