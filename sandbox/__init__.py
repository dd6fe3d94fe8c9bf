"""A high-fidelity, stateful sandbox of the purchasing-agent commerce API v1."""

from __future__ import annotations

__version__ = "0.1.0"
