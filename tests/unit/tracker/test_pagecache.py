"""The panel page cache: reused within its time, rebuilt after it or after any
write, and never keeps a copy rendered while a write happened."""

from __future__ import annotations

from services.tracker.web.pagecache import PageCache


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_page_is_reused_within_its_time_and_rebuilt_after():
    clock, renders = Clock(), []
    cache = PageCache(ttl=2.0, clock=clock)

    def render(marker):
        renders.append(marker)
        return f"page {len(renders)} {marker}"

    assert cache.get(("p", 1), render) == f"page 1 {cache.marker}"
    clock.now += 1.9
    assert cache.get(("p", 1), render) == f"page 1 {cache.marker}"
    clock.now += 0.2
    assert cache.get(("p", 1), render) == f"page 2 {cache.marker}"
    assert cache.get(("other", 1), render) == f"page 3 {cache.marker}"


def test_a_write_clears_every_page():
    cache, n = PageCache(ttl=60, clock=Clock()), iter(range(10))
    assert cache.get(("p",), lambda m: f"v{next(n)}") == "v0"
    cache.clear()
    assert cache.get(("p",), lambda m: f"v{next(n)}") == "v1"


def test_a_copy_rendered_while_a_write_happened_is_not_kept():
    cache, n = PageCache(ttl=60, clock=Clock()), iter(range(10))

    def render_during_write(marker):
        cache.clear()  # another thread's write lands while this one renders
        return f"v{next(n)}"

    assert cache.get(("p",), render_during_write) == "v0"
    assert cache.get(("p",), lambda m: f"v{next(n)}") == "v1"


def test_an_unknown_panel_is_not_cached():
    cache, calls = PageCache(clock=Clock()), []
    assert cache.get(("nope",), lambda m: calls.append(1)) is None
    assert cache.get(("nope",), lambda m: calls.append(1)) is None
    assert len(calls) == 2


def test_the_marker_differs_per_process():
    assert PageCache().marker != PageCache().marker


def test_while_one_visitor_refreshes_an_expired_page_the_others_get_the_old_copy():
    clock = Clock()
    cache = PageCache(ttl=2.0, clock=clock)
    assert cache.get(("p",), lambda m: "old") == "old"
    clock.now += 3
    seen_meanwhile = []

    def refresh(marker):
        seen_meanwhile.append(cache.get(("p",), lambda m: "should not render twice"))
        return "new"

    assert cache.get(("p",), refresh) == "new"
    assert seen_meanwhile == ["old"]
    assert cache.get(("p",), lambda m: "again") == "new"
