"""``python -m sandbox`` runs the command-line interface."""

from __future__ import annotations

from sandbox.cli import main

raise SystemExit(main())
