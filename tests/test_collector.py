"""The serving process's garbage collector (sandbox.collector)."""

from __future__ import annotations

import subprocess
import sys


def test_tuning_freezes_startup_and_each_full_collection_s_survivors() -> None:
    # In a child interpreter: the test process's collector is left as it is.
    check = (
        "import gc\n"
        "from sandbox.collector import SERVING_THRESHOLDS, tune_for_serving\n"
        "assert gc.get_freeze_count() == 0\n"
        "tune_for_serving()\n"
        "assert gc.get_threshold() == SERVING_THRESHOLDS, gc.get_threshold()\n"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()\n"
        "frozen = gc.get_freeze_count()\n"
        "kept = [[i] for i in range(5000)]\n"  # long-lived objects made after startup
        "gc.collect(1)\n"
        "assert gc.get_freeze_count() == frozen\n"  # a young collection freezes nothing
        "gc.collect()\n"
        "assert gc.get_freeze_count() >= frozen + 5000, gc.get_freeze_count()\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
