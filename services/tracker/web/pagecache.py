"""Rendered panel pages, kept for a moment.

A 200-commitment page takes tens of milliseconds to build; under 50 readers
at once that queue is the page's latency. Every write this process makes
clears the cache; writes by other replicas show within `ttl` seconds. The
per-visitor CSRF value is never cached: pages are stored with a marker that
is swapped for each visitor's value. Every page is kept per language (the
language in force when it is asked for, docs/contract.md §8.4), so a Welsh
page is never served to an English reader, nor the other way round: a page
that takes its language from something it reads (a panel's) sets it first."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Callable

from services.common import i18n


class PageCache:
    def __init__(self, ttl: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self._clock = ttl, clock
        self.marker = f"csrf-{secrets.token_hex(16)}"  # unguessable, so no user text can contain it
        self._pages: dict[tuple, tuple[float, str]] = {}
        self._rendering: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def get(self, key: tuple, render: Callable[[str], str | None]) -> str | None:
        """The page for `key`, rendered with the marker in place of the CSRF value.

        One visitor at a time renders a page; while an expired copy is being
        refreshed the others get that copy, so 50 readers never render at once."""
        key = (*key, i18n.language())
        with self._lock:
            hit = self._pages.get(key)
            rendering = self._rendering.setdefault(key, threading.Lock())
        if hit and hit[0] > self._clock():
            return hit[1]
        if hit:
            if not rendering.acquire(blocking=False):
                return hit[1]
        else:
            rendering.acquire()
            with self._lock:
                hit = self._pages.get(key)  # filled while we waited?
            if hit and hit[0] > self._clock():
                rendering.release()
                return hit[1]
        try:
            return self._render(key, render)
        finally:
            rendering.release()

    def _render(self, key: tuple, render: Callable[[str], str | None]) -> str | None:
        with self._lock:
            generation = self._generation
        page = render(self.marker)
        with self._lock:
            if page is None:
                self._rendering.pop(key, None)  # no such panel: keep nothing for made-up names
            elif generation == self._generation:  # a write during rendering makes this copy stale
                self._pages[key] = (self._clock() + self.ttl, page)
        return page

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._pages.clear()
