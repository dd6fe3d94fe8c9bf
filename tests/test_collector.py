"""The serving process's garbage collector (sandbox.collector)."""

from __future__ import annotations

import subprocess
import sys


def test_tuning_freezes_what_startup_built_and_sets_the_serving_thresholds() -> None:
    # In a child interpreter: the test process's collector is left as it is.
    check = (
        "import gc\n"
        "from sandbox.collector import SERVING_THRESHOLDS, tune_for_serving\n"
        "assert gc.get_freeze_count() == 0\n"
        "tune_for_serving()\n"
        "assert gc.get_threshold() == SERVING_THRESHOLDS, gc.get_threshold()\n"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
