"""Languages as facilitators send them (contract §8.4): a person's (`en` or `cy`, left out when
not known) and a panel's (`en`, `cy` or `bilingual`). A wrong value is refused with the fix in
the message, in the API, the CSV and the record form alike."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import BeforeValidator

PERSON = ("en", "cy")
PANEL = ("en", "cy", "bilingual")


def _one_of(allowed: tuple[str, ...], blank_ok: bool):
    words = ", ".join(allowed[:-1]) + " or " + allowed[-1]

    def check(value):
        if value is None or (blank_ok and value == ""):
            return None
        text = value.strip().lower() if isinstance(value, str) else value
        if text not in allowed:
            raise ValueError(f"{value!r} is not a language we know here: use {words}")
        return text
    return check


# Empty means "not known" (a form's "Not known", an empty CSV cell).
PersonLanguage = Annotated[Optional[Literal["en", "cy"]], BeforeValidator(_one_of(PERSON, blank_ok=True))]
PanelLanguage = Annotated[Literal["en", "cy", "bilingual"], BeforeValidator(_one_of(PANEL, blank_ok=False))]
