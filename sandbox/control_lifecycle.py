"""Control-plane operations that drive purchase and shipping orders (the commerce issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.admin import ControlOperation

LIFECYCLE_CONTROL_OPERATIONS: tuple[ControlOperation, ...] = ()
