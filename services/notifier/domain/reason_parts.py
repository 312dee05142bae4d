"""What the tracker's English reason holds that a notice's facts do not: the words people wrote
(a handover's reason, the panel's comment, an owner's delay reason) and a few dates and counts.

Events stay language-neutral (docs/contract.md §8.4), so the notifier writes a Welsh reason
itself; the people's words must reach it as written, never translated, and they travel only
inside the English `reason`. Each pattern matches the sentence the tracker writes for that kind;
when it does not match (the tracker's wording changed), the Welsh reason is written from the
facts alone, without those words, rather than showing English to a Welsh reader."""

from __future__ import annotations

import datetime as dt
import re

_DATE = r"\d{1,2} [A-Z][a-z]+ \d{4}"


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("DATE", _DATE), re.DOTALL)


_PATTERNS: dict[str, re.Pattern[str]] = {
    "silent": _p(r"\ANo progress update since (?P<since>DATE) \((?P<days>\d+) days?\)"),
    "handover": _p(r"\AThis commitment has a new owner\. Reason given: (?P<said>.*)\Z"),
    "changed": _p(r"\A(?:The deadline moved from (?P<before>DATE) to DATE|This commitment was withdrawn)"
                  r" after you were told it was late\. Reason given: (?P<said>.*)\Z"),
    "extension_request": _p(r"\AThe owner asks to move the deadline from DATE to (?P<asked>DATE),.*?"
                            r"Reason given: (?P<said>.*)\Z"),
    "extension_refused": _p(r"\AYour supervisor did not agree to move the deadline to (?P<asked>DATE)\."),
    "early_warning": _p(r"\A(?P<who>.*?) told the panel early that this will be late, and why: (?P<said>.*) "
                        r"It is due on DATE, and they said so (?P<days>\d+) days? before"),
    "reopened": _p(r"\AThe youth panel says this promise, kept on (?P<kept>DATE), is no longer working, so it is "
                   r"open again\.(?: They said: (?P<said>.*))? It is now due on DATE;"),
    "insisted": _p(r"\AThe youth panel insists on this (?:recommendation|commitment), which (?:the police declined\. "
                   r"The police must agree or decline it again by (?P<by>DATE)\.|was withdrawn\.)"
                   r"(?: The panel said: (?P<said>.*))?\Z"),
    "owner_unreachable": _p(r"\AEmails to this commitment's owner, (?P<email>\S+?), cannot be delivered"),
}


def parts(kind: str, reason: str) -> dict[str, str]:
    """The named parts of the reason, empty when the kind has none or the sentence is not the tracker's."""
    pattern = _PATTERNS.get(kind)
    found = pattern.match(reason) if pattern else None
    return {k: v for k, v in found.groupdict().items() if v} if found else {}


def as_date(text: str | None) -> dt.date | None:
    """A date as the tracker writes it in English (`03 December 2026`)."""
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%d %B %Y").date()
    except ValueError:
        return None


def key_date(key: str) -> dt.date | None:
    """The date a key ends with (a requested deadline: `extension_request:1:v2:2027-01-31`)."""
    try:
        return dt.date.fromisoformat(key.rsplit(":", 1)[-1])
    except ValueError:
        return None


def key_days_before(key: str) -> int | None:
    """A reminder's days before the deadline (`reminder:0:v1:d3`)."""
    last = key.rsplit(":", 1)[-1]
    return int(last[1:]) if re.fullmatch(r"d\d+", last) else None
