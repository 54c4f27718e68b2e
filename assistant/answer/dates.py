"""Dates: an injectable clock, deadline status, upcoming calls from the corpus' ``deadline`` metadata."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
Clock = Callable[[], dt.datetime]

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "hu": "január február március április május június július augusztus szeptember október november december",
    "ro": "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
}


def system_clock() -> dt.datetime:
    return dt.datetime.now(BRUSSELS)


def format_date(value: dt.date, lang: str = "en", with_time: bool = False) -> str:
    """A date as people write it in ``lang`` (Hungarian: year first)."""
    month = MONTHS.get(lang, MONTHS["en"]).split()[value.month - 1]
    text = f"{value.year}. {month} {value.day}." if lang == "hu" else f"{value.day} {month} {value.year}"
    if with_time and isinstance(value, dt.datetime) and (value.hour, value.minute) != (0, 0):
        text += f", {value:%H:%M}"
    return text


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
