"""
A job for the worker fault tests (tests/integration/test_worker_faults.py), run by real worker
processes: it notes each run in a file, and its first run lasts long enough to be killed.
"""

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def noted_job(path, first_run_seconds=0):
    log = Path(path)
    first = not log.exists()
    with log.open("a") as out:
        out.write(f"start {os.getpid()}\n")
    if first:
        time.sleep(first_run_seconds)
    with log.open("a") as out:
        out.write(f"done {os.getpid()}\n")
    return os.getpid()
