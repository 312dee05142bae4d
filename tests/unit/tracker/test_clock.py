import datetime as dt

from services.tracker.clock import london_today

UTC = dt.timezone.utc


def test_london_today_follows_british_summer_time():
    # 23:30 UTC on 1 July is already 2 July in London (BST, UTC+1)...
    assert london_today(dt.datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == dt.date(2026, 7, 2)
    # ...but not in January (GMT, UTC+0).
    assert london_today(dt.datetime(2026, 1, 1, 23, 30, tzinfo=UTC)) == dt.date(2026, 1, 1)


def test_london_today_across_the_clock_changes():
    # Clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October 2026.
    assert london_today(dt.datetime(2026, 3, 28, 23, 59, tzinfo=UTC)) == dt.date(2026, 3, 28)
    assert london_today(dt.datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == dt.date(2026, 3, 30)
    assert london_today(dt.datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == dt.date(2026, 10, 25)
    assert london_today(dt.datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == dt.date(2026, 10, 25)
