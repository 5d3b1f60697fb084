"""A render process hands freed memory back to the system after a large job, and leaves a small job's
heap alone (trimming after every still made the next one fault its pages in again: 1.1 ms each)."""

from __future__ import annotations

import subprocess
import sys

# in a fresh process (this one holds torch): fill the heap with small objects, free all but every 64th
# (they pin the heap's pages, so glibc cannot give them back by itself), then finish a job
SCRIPT = """
import os
from app.web import work

def resident():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

kept = []
def job(megabytes):
    blocks = [bytes(1000) for _ in range(megabytes * 1000)]
    kept.extend(blocks[::64])
    return "done"

before = resident()
work.worker_result(job, {size})
print(before, resident())
"""


def resident_after(megabytes: int) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(size=megabytes)], capture_output=True, text=True, check=True)
    before, after = map(int, out.stdout.split())
    return before, after


def test_a_large_job_gives_its_freed_heap_back():
    from app.web.work import TRIM_ABOVE

    before, after = resident_after(300)   # 300 MB of small objects, 1/64 of them kept
    assert before < TRIM_ABOVE and after < before + 60 * 2**20, (before, after)


def test_a_small_job_keeps_its_heap_for_the_next():
    before, after = resident_after(20)    # 20 MB: under the threshold, nothing trimmed
    assert after > before + 10 * 2**20, (before, after)
