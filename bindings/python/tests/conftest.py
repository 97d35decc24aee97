"""Fixtures shared by the binding tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

ReleasesGil = Callable[[Callable[[], object], str], None]


@pytest.fixture
def assert_releases_gil() -> ReleasesGil:
    """``check(work, what)``: while ``work()`` runs, another Python thread keeps running (the
    call released the GIL). Skips when ``work`` is too fast to observe."""

    def check(work: Callable[[], object], what: str) -> None:
        ticks = 0
        stop = threading.Event()

        def tick() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1

        t = threading.Thread(target=tick)
        t.start()
        try:
            time.sleep(0.05)
            before = ticks
            started = time.perf_counter()
            work()
            elapsed = time.perf_counter() - started
            during = ticks - before
        finally:
            stop.set()
            t.join()
        if elapsed < 0.05:
            pytest.skip(f"{what} too fast ({elapsed:.3f}s) to observe")
        assert during > 1000, f"only {during} ticks of the other thread in {elapsed:.2f}s: GIL held?"

    return check
