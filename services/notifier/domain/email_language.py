"""Which language an email speaks (docs/contract.md §8.4): the recipient's own where the notice
knows it; where it does not, English, or under the Welsh Language Standards both, Welsh first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

ENGLISH: tuple[str, ...] = ("en",)
WELSH: tuple[str, ...] = ("cy",)
BILINGUAL: tuple[str, ...] = ("cy", "en")  # the Standards: Welsh must not come second
_HEADER = {"en": "en-GB", "cy": "cy"}


def known_language(languages: Mapping[str, str], recipient: str) -> str | None:
    """The recipient's recorded language; addresses compare without case, as mail servers do."""
    wanted = recipient.strip().lower()
    return next((lang for email, lang in languages.items() if str(email).strip().lower() == wanted), None)


def email_languages(known: str | None, welsh_standards: bool) -> tuple[str, ...]:
    if known == "cy":
        return WELSH
    if known == "en":
        return ENGLISH
    return BILINGUAL if welsh_standards else ENGLISH


def digest_known_language(notices: Iterable, recipient: str) -> str | None:
    """A digest speaks the language any of its notices records for the recipient (the first one)."""
    for notice in notices:
        found = known_language(notice.languages, recipient)
        if found:
            return found
    return None


def content_language(langs: tuple[str, ...]) -> str:
    return ", ".join(_HEADER[lang] for lang in langs)
