"""Dates: an injectable clock, dates, times and amounts as each language writes them (Babel's CLDR data), deadline
status, upcoming calls from the corpus' ``deadline`` metadata."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import get_month_names
from babel.numbers import format_decimal, format_percent

BRUSSELS = ZoneInfo("Europe/Brussels")
Clock = Callable[[], dt.datetime]

# Babel locale per supported language; English writes day-month-year, as the corpus does ("19 September 2024").
_LOCALES = {"en": "en_GB", "fr": "fr", "it": "it", "hu": "hu", "ro": "ro", "de": "de", "es": "es"}
# Month names January..December per language, space-separated: CLDR's wide names in the format context, in
# Babel's case (assistant.sentences.month_names lower-cases them and adds the stand-alone forms).
MONTHS = {
    lang: " ".join(get_month_names("wide", "format", locale=locale)[month] for month in range(1, 13))
    for lang, locale in _LOCALES.items()
}
_CODE_FIRST = {"en", "de"}


def _locale(lang: str) -> str:
    return _LOCALES.get(lang, _LOCALES["en"])


def _plain_spaces(text: str) -> str:
    """CLDR's no-break and narrow no-break spaces as plain spaces, as the corpus writes them ("4 000 000 EUR")."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def system_clock() -> dt.datetime:
    return dt.datetime.now(BRUSSELS)


def format_date(value: dt.date, lang: str = "en", with_time: bool = False) -> str:
    """A date in CLDR's long format for ``lang`` ("19 September 2024", "2024. szeptember 19.", "19. September
    2024"); English for an unsupported language. With ``with_time``, a datetime's time other than midnight
    follows: "19 September 2024, 17:00"."""
    text = _plain_spaces(babel_format_date(value, "long", locale=_locale(lang)))
    if with_time and isinstance(value, dt.datetime) and (value.hour, value.minute) != (0, 0):
        text += f", {format_time(value.time(), lang)}"
    return text


def format_time(value: dt.time, lang: str = "en") -> str:
    """A time of day on the 24-hour clock with the hour in two digits ("17:00", "09:05"), as the seven languages'
    official texts and the corpus write it (CLDR's short format would drop the hour's zero in hu and es)."""
    return f"{value:%H:%M}"


def format_amount(amount: int, lang: str = "en") -> str:
    """An amount of euros with the ISO code and the locale's (CLDR) digit grouping, in plain spaces: "EUR 4,000,000"
    (en), "EUR 4.000.000" (de), "4 000 000 EUR" (fr, hu), "4.000.000 EUR" (it, ro, es); English for an unsupported
    language. The code comes first in English and German, last elsewhere, as in the corpus translations."""
    lang = lang if lang in _LOCALES else "en"
    number = _plain_spaces(format_decimal(amount, locale=_locale(lang)))
    return f"EUR {number}" if lang in _CODE_FIRST else f"{number} EUR"


def format_count(count: int, lang: str = "en") -> str:
    """A number of things with the locale's (CLDR) digit grouping, in plain spaces: "30,000" (en), "30.000" (de)."""
    return _plain_spaces(format_decimal(count, locale=_locale(lang if lang in _LOCALES else "en")))


def format_share(share: float, lang: str = "en") -> str:
    """A share as a percentage with one decimal, the locale's way: "27.5%" (en), "27,5 %" (fr, de)."""
    return _plain_spaces(format_percent(share, "#,##0.0%", locale=_locale(lang if lang in _LOCALES else "en")))


def format_ratio(ratio: float, lang: str = "en") -> str:
    """How many times one value is another, to one decimal when not whole, the locale's way: "3", "2.5" (en), "2,5"
    (fr)."""
    return _plain_spaces(format_decimal(round(ratio, 1), "#,##0.#", locale=_locale(lang if lang in _LOCALES else "en")))


# Deadlines outside these years are typing slips or hostile (year 9999 with an offset cannot even be converted to
# Brussels time); they are refused at ingestion and ignored when read.
DEADLINE_YEARS = range(1900, 2201)


def parse_deadline(value: Any) -> dt.datetime | None:
    """A ``deadline`` metadata value (ISO date or date-time) as an aware datetime; a bare date means end of day.

    None for a missing or invalid value (see ``deadline_problem``).
    """
    if not value or deadline_problem(value):
        return None
    parsed = dt.datetime.fromisoformat(str(value))
    if len(str(value)) <= 10:
        parsed = parsed.replace(hour=23, minute=59, second=59)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BRUSSELS)


def deadline_problem(value: Any) -> str | None:
    """Why a ``deadline`` value cannot be used (not ISO 8601, or outside ``DEADLINE_YEARS``), or None if it can."""
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return f"{str(value)[:40]!r} is not an ISO date (2025-09-17 or 2025-09-17T17:00:00+02:00)"
    if parsed.year not in DEADLINE_YEARS:
        return f"year {parsed.year} is outside {DEADLINE_YEARS.start}-{DEADLINE_YEARS.stop - 1}"
    return None


@dataclass(frozen=True)
class Deadline:
    doc_id: str
    title: str
    url: str | None
    when: dt.datetime
    has_time: bool


def deadlines(metadatas: Iterable[dict[str, Any]]) -> list[Deadline]:
    """One deadline per document that has one, in date order."""
    seen: dict[str, Deadline] = {}
    for meta in metadatas:
        doc_id = meta.get("doc_id")
        when = parse_deadline(meta.get("deadline"))
        if doc_id and when and doc_id not in seen:
            has_time = len(str(meta["deadline"])) > 10
            seen[doc_id] = Deadline(doc_id, str(meta.get("title", doc_id)), meta.get("source_url"), when, has_time)
    return sorted(seen.values(), key=lambda d: d.when)


def days_until(when: dt.datetime, now: dt.datetime) -> int:
    """Calendar days from ``now`` to ``when`` in Brussels; a date at the edge of what Python represents (which
    ``parse_deadline`` never returns) counts in its own time zone rather than raising OverflowError."""
    try:
        target = when.astimezone(BRUSSELS).date()
    except OverflowError:
        target = when.date()
    return (target - now.astimezone(BRUSSELS).date()).days
