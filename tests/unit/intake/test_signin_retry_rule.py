"""The retry rule of sign-in emails (services/intake/domain/signinmail.py): the wait doubles to a
ceiling, a retry is never planned at or after the link's expiry, a permanent refusal ends it,
and every try of one link carries one Message-ID."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.intake.domain.signinmail import FIRST_WAIT, LONGEST_WAIT, message_id, next_try, wait_after

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc)
EXPIRES = NOW + dt.timedelta(minutes=15)


def test_the_wait_doubles_from_two_seconds_up_to_a_minute():
    assert [wait_after(n).total_seconds() for n in range(1, 9)] == [2, 4, 8, 16, 32, 60, 60, 60]


@given(st.integers(min_value=1, max_value=10_000))
def test_the_wait_grows_and_stays_between_its_bounds(attempts):
    wait = wait_after(attempts).total_seconds()
    assert FIRST_WAIT <= wait <= LONGEST_WAIT
    assert wait_after(attempts + 1).total_seconds() >= wait


@given(attempts=st.integers(min_value=1, max_value=100),
       before_expiry=st.timedeltas(min_value=dt.timedelta(seconds=-3600), max_value=dt.timedelta(minutes=15)))
def test_a_retry_comes_after_now_and_before_the_link_expires_or_not_at_all(attempts, before_expiry):
    now = EXPIRES - before_expiry
    retry = next_try(attempts, now, EXPIRES)
    if now + wait_after(attempts) < EXPIRES:
        assert retry == now + wait_after(attempts)
    else:
        assert retry is None, "a retry was planned for a link that will have expired"


def test_the_last_retry_before_expiry_and_giving_up_after_it():
    assert next_try(3, EXPIRES - dt.timedelta(seconds=9), EXPIRES) == EXPIRES - dt.timedelta(seconds=1)
    assert next_try(3, EXPIRES - dt.timedelta(seconds=8), EXPIRES) is None


def test_a_permanent_refusal_is_given_up_at_once():
    assert next_try(1, NOW, EXPIRES, permanent=True) is None


def test_a_naive_expiry_from_sqlite_reads_as_utc():
    assert next_try(1, NOW, EXPIRES.replace(tzinfo=None)) == NOW + dt.timedelta(seconds=2)


@given(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
       st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
def test_one_message_id_per_link(a, b):
    assert message_id(a) == message_id(a)
    assert (message_id(a) == message_id(b)) == (a == b)
    assert message_id(a).startswith("<") and message_id(a).endswith("@followthrough.invalid>")
