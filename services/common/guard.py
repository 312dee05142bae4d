"""Refuse text that looks like a young person's contact details.

The safeguarding rule: recommendations belong to a panel, never to a person, so
nothing public may carry phone numbers, email addresses, street addresses,
postcodes or social media handles. People who mean to get past a filter write
them in disguise (fullwidth letters, invisible or combining characters,
"sam at gmail dot com", "snap: sammy_2009"), so the text is first brought to
one plain form (`plain`) and the patterns match that; what is stored is the
text as typed.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

import phonenumbers

from services.common.i18n import N_, _

# Invisible characters that are not of category Cf (format), which `plain` drops anyway:
# Hangul fillers, the braille blank and the combining grapheme joiner are drawn as nothing.
_INVISIBLE = dict.fromkeys(map(ord, "\u115f\u1160\u3164\uffa0\u2800\u034f"))
# Look-alikes of '@' and '.' that NFKC leaves alone (it already maps the fullwidth and small forms).
_CONFUSABLE = str.maketrans({"\u3002": ".", "\uff61": ".", "\u2024": ".", "\u2e33": ".", "\u00b7": ".",
                             "\u2022": ".", "\u3000": " "})

# phonenumbers' VALID check misses the ranges Ofcom reserves for examples
# (07700 900xxx), which real-looking samples use; this catches UK shapes too.
_UK_PHONE = re.compile(r"(?:\+44\s?\(?0?\)?\s?|\b0)(?:7\d{3}\s?\d{3}\s?\d{3}|[12]\d{1,3}\s?\d{3,4}\s?\d{3,4})\b")
# A run of digits broken up by single spaces, dots, commas, dashes or brackets ("0 7 9 1 1-123.456"). A
# mobile number inside a longer run is read in whole groups only, so that dates side by side
# ("2026-07-15 2026-08-15") never add up to a number that is not there.
_DIGIT_RUN = re.compile(r"(?:\+\s?)?\d(?:(?:[ .]|\s?[(),\-]\s?)?\d)*")

_DIGIT_OF = ({w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine".split())}
             | {"oh": "0", "o": "0", "plus": "+"})
_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(_DIGIT_OF)})\b", re.IGNORECASE)
_MOBILE = re.compile(r"(?:0|00440?)7\d{9}")

# Each address is tried from where it starts only (the look-behinds), or a long run of "x.x.x."
# takes quadratic time.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(\.[\w-]+)+")
# '@' and '.' written out or wrapped to get past filters: "(at)", "[ at ]", " at ", "[@]", " dot ", "(.)".
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_AT_MARKED = rf"\s*(?:{_OPEN}\s*(?:at|@)\s*{_CLOSE}|@)\s*"
_DOT_ANY = rf"\s*(?:{_OPEN}\s*(?:dot|\.)\s*{_CLOSE}|\.)\s*|\s+dot\s+"
_DOT_SPELLED = rf"\s*{_OPEN}\s*(?:dot|\.)\s*{_CLOSE}\s*|\s+dot\s+|\s+\.\s+"
_LOCAL, _LABEL = r"(?<![\w.+-])[\w+-](?:[\w.+-]*[\w+-])?", r"[\w-]+"
# Spaced or spelled, an address must end in a mail domain's ending, or "meeting @ St. Mary's" would be one.
_TLD = r"(?:com|net|org|uk|co|me|io|info|biz|edu|gov|ie|us|eu|app|dev|xyz|online|email|mail|live)\b"
_EMAIL_MARKED = re.compile(rf"{_LOCAL}(?:{_AT_MARKED}){_LABEL}(?:(?:{_DOT_ANY}){_LABEL})*(?:{_DOT_ANY}){_TLD}",
                           re.IGNORECASE)
# A bare " at " is ordinary English ("youth club at the community centre"), so it counts only
# with a written-out dot, or before a mail domain: not a website ("at www.…"), a public body's or a
# number ("at 0.48 of the baseline").
_EMAIL_SPELLED = re.compile(rf"{_LOCAL}\s+at\s+{_LABEL}(?:(?:{_DOT_SPELLED}){_LABEL})*(?:{_DOT_SPELLED}){_TLD}",
                            re.IGNORECASE)
_EMAIL_AT_DOMAIN = re.compile(rf"{_LOCAL}\s+at\s+(?!www\.)({_LABEL}(?:\.{_LABEL})*\.{_TLD})", re.IGNORECASE)
# A mail provider needs no top-level domain to give an address away ("sammy2009@gmail").
_WEBMAIL = re.compile(r"[\w.+-]\s*(?:@|\bat)\s*"
                      r"(?:gmail|googlemail|hotmail|yahoo|icloud|proton(?:mail)?|btinternet|aol)\b", re.IGNORECASE)
_PUBLIC_DOMAINS = (".gov.uk", ".police.uk", ".nhs.uk", ".ac.uk", ".sch.uk", ".parliament.uk", ".mod.uk")

# What looks like a handle rather than a word: a letter and a digit or underscore, and not a time.
_HANDLE_LIKE = (r"(?!\d{1,2}(?:[.:]\d\d)?\s?[ap]m\b)(?=[A-Za-z0-9_.]*[A-Za-z])(?=[A-Za-z0-9_.]*[\d_])"
                r"[A-Za-z0-9_.]{3,30}\b")
# "@name", or "@ name" when name looks like a handle ("meet @ 6pm" is ordinary).
_HANDLE = re.compile(rf"(?<![\w@])@(?:[A-Za-z0-9_.]{{3,30}}\b|\s+{_HANDLE_LIKE})", re.IGNORECASE)
_PLATFORM = (r"snap(?:\s?chat)?|insta(?:gram)?|tik\s?tok|twitter|facebook|discord|whats\s?app|telegram|kik|threads"
             r"|twitch|you\s?tube|be\s?real")
# Short names that are also police words ("SC" is a special constable).
_PLATFORM_SHORT = r"sc|ig|tt|fb|yt"
# "snap: x", "snapchat - x", "tiktok @ x": a platform and a separator is a handle whatever follows;
# "insta x", "my snap is x", "sc: x" only when x looks like a handle, since "we post on insta
# every week" and "SC: Jones will attend" are ordinary.
_HANDLE_SAID = re.compile(rf"\b(?:{_PLATFORM})\s*(?:[:=@]|\s-)\s*@?[A-Za-z0-9_.]{{2,30}}", re.IGNORECASE)
_HANDLE_NAMED = re.compile(rf"\b(?:{_PLATFORM}|{_PLATFORM_SHORT})\s*(?:[:=@]|\s-|\s+(?:(?:is|me|on|at|name)\s+)?)"
                           rf"\s*@?{_HANDLE_LIKE}", re.IGNORECASE)
_PROFILE_LINK = re.compile(
    r"(?<![\w-])(?:(?:www|m|mobile|vm)\.)?(?:instagram\.com|instagr\.am|tiktok\.com|snapchat\.com|facebook\.com"
    r"|fb\.com|fb\.me|twitter\.com|x\.com|wa\.me|t\.me|discord\.gg|discord\.com/users|threads\.net|kik\.me"
    r"|linktr\.ee)\s*/\s*@?[\w.\-]{2,}", re.IGNORECASE)

# The letters a postcode can have where: none ends in AM or PM, so "Q3 4pm" is not one.
_POSTCODE = re.compile(r"\b[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?[ .\-]*[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
# Street names whose last word is seldom anything but a street's, in any case ("12 hoe street")...
_STREET_ANY_CASE = re.compile(
    r"\b\d{1,4}[a-z]?,?\s+(?:(?!(?:the|a|an|on|in|at|of|to|for|and|or|by|with|from|per|more|extra|new|our|their"
    r"|every|each|all|other|officers?|people|police|patrols?|young|youth|hours?|days?|weeks?|months?|years?"
    r"|bus|cycle|safety|town)\b)"
    r"[a-z'’-]+\s+){1,3}"
    r"(?:road|rd|street|st|avenue|ave|lane|grove|gardens|gdns|crescent|terrace|mews|square)\b", re.IGNORECASE)
# ...and those whose last word is an ordinary one ("close", "way", "walk"), only when capitalised.
_STREET = re.compile(
    r"\b\d{1,4}[a-z]?,? +(?:[A-Z][a-z]+ +){1,3}"
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Grove|Gardens|Crescent|Court|Place|Terrace|Hill|Row|Walk|Square|Mews)\b"
)


def plain(text: str) -> str:
    """`text` with its disguises taken off: one width, no invisible or combining characters,
    percent-escapes decoded, look-alike '@' and '.' made plain."""
    text = unquote(text) if "%" in text else text
    decomposed = unicodedata.normalize("NFKD", text.translate(_INVISIBLE))
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Cf", "Mn", "Me"))
    return unicodedata.normalize("NFKC", kept).translate(_CONFUSABLE)


def contact_details_in(text: str) -> list[str]:
    """What in `text` looks like contact details, as plain-language findings."""
    text = plain(text)
    found = []
    if _has_email(text):
        found.append(N_("an email address"))
    if _has_phone(text):
        found.append(N_("a phone number"))
    if _STREET.search(text) or _STREET_ANY_CASE.search(text) or _POSTCODE.search(text):
        found.append(N_("a street address or postcode"))
    if _has_handle(text):
        found.append(N_("a social media handle"))
    return found


def _has_email(text: str) -> bool:
    if any(p.search(text) for p in (_EMAIL, _EMAIL_MARKED, _EMAIL_SPELLED, _WEBMAIL)):
        return True
    return any(not ("." + m.group(1).lower()).endswith(_PUBLIC_DOMAINS) for m in _EMAIL_AT_DOMAIN.finditer(text))


def _has_phone(text: str) -> bool:
    text = _digits_for_words(text)
    if _UK_PHONE.search(text) or any(_is_uk_number(m.group()) for m in _DIGIT_RUN.finditer(text)):
        return True
    return any(True for _ in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID))


def _digits_for_words(text: str) -> str:
    """Digits written as words ("plus four four seven...", "oh seven nine...") or as the letter O
    beside digits ("O7911"), as digits."""
    text = _NUMBER_WORD.sub(lambda m: _DIGIT_OF[m.group().lower()], text)
    return re.sub(r"(?<=\d)[oO]|[oO](?=\d)", "0", text)


def _is_uk_number(run: str) -> bool:
    """Whether `run` is a UK number, or holds a mobile number in whole groups of it."""
    groups = re.findall(r"\d+", run)
    digits = "".join(groups)
    if (run.startswith("+") and digits.startswith("44")) or digits.startswith("0044"):
        national = digits.removeprefix("00").removeprefix("44").removeprefix("0")
        return len(national) >= 9 and national[0] in "1237"
    if digits[:2] in ("01", "02", "03", "07") and len(digits) in (10, 11):
        return True
    return any(_mobile_from(groups[start:]) for start in range(len(groups)))


def _mobile_from(groups: list[str]) -> bool:
    digits = ""
    for group in groups:
        digits += group
        if _MOBILE.fullmatch(digits):
            return True
        if len(digits) >= 15:
            break
    return False


def _has_handle(text: str) -> bool:
    without_emails = _EMAIL.sub("", text)
    return bool(_HANDLE.search(without_emails) or _HANDLE_SAID.search(text) or _HANDLE_NAMED.search(text)
                or _PROFILE_LINK.search(text))


def explain(findings: list[str], what: str = N_("this text")) -> str:
    """The refusal, in the language of the request it refuses (English outside one: the API's words)."""
    return _("%(what)s seems to contain %(findings)s. followthrough never stores young people's contact "
             "details: describe the recommendation without them.") % {
        "what": _(what), "findings": _(" and ").join(_(f) for f in findings)}
