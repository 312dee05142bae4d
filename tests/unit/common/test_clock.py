import datetime as dt

from services.common.clock import london_today

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


def test_a_simulated_clock_stands_still_until_moved():
    from services.common.clock import LONDON, SimulatedClock

    clock = SimulatedClock(dt.datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(dt.timedelta(days=1))
    assert clock.today() == dt.date(2026, 3, 29)
    clock.set_day(dt.date(2026, 7, 1), hour=0)
    assert clock.now().astimezone(LONDON).hour == 0 and clock.today() == dt.date(2026, 7, 1)
