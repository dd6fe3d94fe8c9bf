"""A high-fidelity, stateful sandbox of the purchasing-agent commerce API v1.

The shape, from the inside out (imports point inwards only; ``tests/test_architecture.py``
holds the line):

* :mod:`sandbox.domain`: the rules as plain dataclasses and tables, no HTTP, no file formats;
* :mod:`sandbox.store`, :mod:`sandbox.journal`, :mod:`sandbox.ratelimit`,
  :mod:`sandbox.scenario`: the pieces of state, each with its own methods;
* :mod:`sandbox.backend`: :class:`~sandbox.backend.Backend`, the one owner of those pieces and
  of every whole-state verb (reset, mint, retire, restore, advance a clock...);
* :mod:`sandbox.http` (the API pipeline, routes and views) and :mod:`sandbox.control` (the
  ``/__sandbox`` plane), both over the backend; :func:`sandbox.http.app.create_app` composes
  them, ``/openapi.json`` and the pages into one Starlette application;
* the edges: :mod:`sandbox.cli`, :mod:`sandbox.server`, :mod:`sandbox.pytest_plugin`.
"""

from __future__ import annotations

__version__ = "0.1.0"
