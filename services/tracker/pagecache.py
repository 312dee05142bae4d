"""Rendered panel pages, kept for a moment.

A 200-commitment page takes tens of milliseconds to build; under 50 readers
at once that queue is the page's latency. Every write this process makes
clears the cache; writes by other replicas show within `ttl` seconds. The
per-visitor CSRF value is never cached: pages are stored with a marker that
is swapped for each visitor's value."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Callable


class PageCache:
    def __init__(self, ttl: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self._clock = ttl, clock
        self.marker = f"csrf-{secrets.token_hex(16)}"  # unguessable, so no user text can contain it
        self._pages: dict[tuple, tuple[float, int, str]] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def get(self, key: tuple, render: Callable[[str], str | None]) -> str | None:
        """The page for `key`, rendered with the marker in place of the CSRF value."""
        now = self._clock()
        with self._lock:
            hit = self._pages.get(key)
            generation = self._generation
        if hit and hit[0] > now and hit[1] == generation:
            return hit[2]
        page = render(self.marker)
        if page is not None:
            with self._lock:
                if generation == self._generation:  # a write during rendering makes this copy stale
                    self._pages[key] = (now + self.ttl, generation, page)
        return page

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._pages.clear()
