"""The calls the corpus describes, queried by type, year, relative year ("this year", "the next call") and
attribute. Built from the chunks' metadata (the first chunk of a call document carries its typed facts as JSON,
``CALL_FACTS``), so it follows the index exactly: written, replaced and deleted with its document."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from assistant.calls.models import (
    PROGRAMME_BLOCKS,
    CallFacts,
    CallType,
    ContactPoint,
    CountryStatus,
    CountryStatusKind,
    DeadlineValue,
    Grant,
    GrantRound,
    Programme,
    country_name,
)

log = logging.getLogger(__name__)

CALL_FACTS = "call_facts"  # chunk metadata key: the call's facts as JSON, on the first chunk of its document
# Chunk metadata key: a document's programme facts as a JSON object of its blocks (``PROGRAMME_BLOCKS``: countries,
# contact_points, grants), each a list of records, on the first chunk of the document.
PROGRAMME_FACTS = "programme_facts"
Relative = Literal["this", "last", "before_last", "next_year", "next", "open", "latest"]
# The relative years that name a calendar year, as an offset from the clock's year.
YEAR_OFFSETS: dict[str, int] = {"before_last": -2, "last": -1, "this": 0, "next_year": 1}


@dataclass(frozen=True)
class Call:
    """One call's facts and the document that states them."""

    facts: CallFacts
    doc_id: str

    @property
    def call_id(self) -> str:
        return self.facts.call_id

    def closes(self) -> dt.datetime | None:
        """The earliest deadline the sources give (the safe one when they disagree; 17:00 Brussels when no hour is
        given, the hour CERV calls close at), as an aware datetime."""
        times = [_moment(d) for d in self.facts.deadline]
        return min(times) if times else None

    def opens(self) -> dt.datetime | None:
        days = [v.date for v in self.facts.opening]
        return dt.datetime.combine(min(days), dt.time(0), ZoneInfo("Europe/Brussels")) if days else None


class CallRegistry:
    """The calls of the index, oldest first, and the programme facts (``programme``)."""

    def __init__(self, calls: Iterable[Call] = (), programme: ProgrammeFacts | None = None) -> None:
        self.calls = sorted(calls, key=lambda c: (c.facts.year, c.facts.type, c.call_id))
        self.programme = programme or ProgrammeFacts()

    @classmethod
    def from_metadatas(cls, metadatas: Iterable[dict[str, Any]]) -> CallRegistry:
        """The calls whose facts chunk metadata carries, and the programme facts; a record that no longer validates
        is logged and left out."""
        metadatas = list(metadatas)
        calls = []
        for meta in metadatas:
            raw = meta.get(CALL_FACTS)
            if not raw:
                continue
            try:
                calls.append(Call(CallFacts.model_validate(json.loads(raw)), str(meta.get("doc_id", ""))))
            except (ValueError, ValidationError) as exc:
                log.warning("call facts of %s left out: %s", meta.get("doc_id"), exc)
        return cls(calls, ProgrammeFacts.from_metadatas(metadatas))

    def find(self, type: CallType | None = None, year: int | None = None, call_id: str | None = None) -> list[Call]:
        """The calls matching every given criterion, oldest first."""
        return [
            c
            for c in self.calls
            if (type is None or c.facts.type == type)
            and (year is None or c.facts.year == year)
            and (call_id is None or c.call_id == call_id.upper())
        ]

    def relative(self, which: Relative, now: dt.datetime, type: CallType | None = None) -> list[Call]:
        """The calls "this" year, "last" year, the year "before_last", "next_year", the "next" to close
        (its deadline not past), the ones "open" now
        (opened and not closed), or the "latest" year's; of one type or of all."""
        calls = self.find(type)
        if which in YEAR_OFFSETS:
            return [c for c in calls if c.facts.year == now.year + YEAR_OFFSETS[which]]
        if which == "latest":
            top = max((c.facts.year for c in calls), default=None)
            return [c for c in calls if c.facts.year == top]
        closing = [(closes, c) for c in calls if (closes := c.closes()) is not None and closes >= now]
        if which == "open":
            return [c for _, c in closing if (c.opens() or now) <= now]
        first = min((closes for closes, _ in closing), default=None)
        return [c for closes, c in closing if closes == first]

    def describe(self) -> str:
        """Which calls the registry holds ("Town Twinning 2021-2026, Networks of Towns 2021-2026"), for an answer
        about a call it does not hold."""
        by_type: dict[str, list[int]] = {}
        for c in self.calls:
            by_type.setdefault(c.facts.type, []).append(c.facts.year)
        return ", ".join(f"{kind} {_years(years)}" for kind, years in by_type.items())

    def __len__(self) -> int:
        return len(self.calls)


def call_facts_json(raw: object, source: object) -> str | None:
    """A front matter ``call:`` block validated, as the JSON the first chunk stores; None (with a warning naming
    ``source`` and each bad field) when it is invalid."""
    try:
        return CallFacts.model_validate(raw).model_dump_json(exclude_defaults=True)
    except ValidationError as exc:
        fields = "; ".join(f"call.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        log.warning("%s: call facts left out (%s)", source, fields)
        return None


def _moment(value: DeadlineValue) -> dt.datetime:
    return dt.datetime.combine(value.date, value.time or dt.time(17, 0), ZoneInfo(value.zone))


def _years(years: list[int]) -> str:
    years = sorted(set(years))
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


# -- programme-level facts ----------------------------------------------------------------------------------------

R = TypeVar("R", CountryStatus, ContactPoint, GrantRound)
# How definite a status is: the one ``ProgrammeFacts.status`` leads with when records of a year differ.
DEFINITE: tuple[CountryStatusKind, ...] = (
    "member-state",
    "associated",
    "eligible",
    "signed",
    "negotiating",
    "close-to-joining",
    "participating",
)


@dataclass(frozen=True)
class Stated(Generic[R]):
    """One programme fact record and the document that states it."""

    record: R
    doc_id: str

    @property
    def source(self) -> str:
        """The record's source (a grant round has none of its own: its values and recipients carry theirs)."""
        return getattr(self.record, "source", "")


@dataclass(frozen=True)
class Recipient:
    """One recipient of a grant round, as one source names it."""

    grant: Grant
    scheme: str
    year: int
    doc_id: str

    @property
    def source(self) -> str:
        return self.grant.source


class ProgrammeFacts:
    """The programme-level facts of the index: the status of countries by year (``countries``), the national
    contact points (``contacts``) and the rounds of CEMR's REALISE grant scheme (``grant_rounds``), each record as
    a ``Stated`` (with its document), in the order the documents state them. Every record keeps its source; records
    that disagree are all kept; what no record states is unknown (an empty list, or None)."""

    def __init__(
        self,
        countries: Iterable[Stated[CountryStatus]] = (),
        contact_points: Iterable[Stated[ContactPoint]] = (),
        rounds: Iterable[Stated[GrantRound]] = (),
    ) -> None:
        self.countries = list(countries)
        self.contacts = list(contact_points)
        self.grant_rounds = list(rounds)

    @classmethod
    def from_metadatas(cls, metadatas: Iterable[dict[str, Any]]) -> ProgrammeFacts:
        """The records chunk metadata carries (``PROGRAMME_FACTS``), by document id; a record that no longer
        validates is logged and left out."""
        found: dict[str, list[Stated[Any]]] = {key: [] for key in PROGRAMME_BLOCKS}
        for meta in metadatas:
            raw = meta.get(PROGRAMME_FACTS)
            if not raw:
                continue
            doc_id = str(meta.get("doc_id", ""))
            try:
                blocks = json.loads(raw)
            except ValueError as exc:
                log.warning("programme facts of %s left out: %s", doc_id, exc)
                continue
            if not isinstance(blocks, dict):
                log.warning("programme facts of %s left out: not an object of blocks", doc_id)
                continue
            records, errors = validate_programme_blocks(blocks)
            if errors:
                log.warning("programme facts of %s left out: %s", doc_id, _shown(errors))
            for key, items in records.items():
                found[key] += [Stated(item, doc_id) for item in items]
        return cls(found["countries"], found["contact_points"], found["grants"])

    # -- countries

    def statuses(
        self, country: str, year: int | None = None, programme: Programme = "CERV"
    ) -> list[Stated[CountryStatus]]:
        """What the sources state about ``country`` (any spelling ``country_name`` reads) in ``programme``: the
        records that hold in ``year`` (``CountryStatus.holds_in``), or all of them, dated or not, when no year
        is given."""
        name = country_name(country)
        return [
            s
            for s in self.countries
            if s.record.country == name
            and s.record.programme == programme
            and (year is None or s.record.holds_in(year))
        ]

    def status(self, country: str, year: int, programme: Programme = "CERV") -> Stated[CountryStatus] | None:
        """The record to answer "Is Serbia associated to CERV in 2024?" with: of the records that hold in ``year``,
        the most definite status (associated before eligible before signed ...), the first stated among equals;
        None when no record states the country's status for that year (unknown, not "no")."""
        found = self.statuses(country, year, programme)
        return min(found, key=lambda s: DEFINITE.index(s.record.status), default=None)

    def countries_in(
        self, year: int, status: CountryStatusKind | None = None, programme: Programme = "CERV"
    ) -> list[Stated[CountryStatus]]:
        """The records that hold in ``year``, of one status or of all."""
        return [
            s
            for s in self.countries
            if s.record.programme == programme
            and (status is None or s.record.status == status)
            and s.record.holds_in(year)
        ]

    def associated(self, year: int, programme: Programme = "CERV") -> list[Stated[CountryStatus]]:
        """The countries a source states are associated to ``programme`` in ``year`` (their agreement applies)."""
        return self.countries_in(year, "associated", programme)

    # -- contact points

    def contact_points(self, country: str | None = None) -> list[Stated[ContactPoint]]:
        """The contact points the sources name, of one country (any spelling ``country_name`` reads) or of all."""
        name = country_name(country) if country is not None else None
        return [s for s in self.contacts if country is None or s.record.country == name]

    # -- grants

    def rounds(self, scheme: str = "REALISE", year: int | None = None) -> list[Stated[GrantRound]]:
        return [s for s in self.grant_rounds if s.record.scheme == scheme and (year is None or s.record.year == year)]

    def recipients(
        self, year: int | None = None, country: str | None = None, scheme: str = "REALISE"
    ) -> list[Recipient]:
        """The recipients of the scheme's rounds (of one year, of one country's, or all), one per source that names
        them: a recipient two sources name appears twice, and two sources naming different recipients for one
        country both appear (REALISE 2024's French recipient)."""
        name = country_name(country) if country is not None else None
        return [
            Recipient(grant, s.record.scheme, s.record.year, s.doc_id)
            for s in self.rounds(scheme, year)
            for grant in s.record.recipients
            if country is None or grant.country == name
        ]

    def recipients_by_country(self, year: int | None = None, scheme: str = "REALISE") -> dict[str, list[Recipient]]:
        by_country: dict[str, list[Recipient]] = {}
        for recipient in self.recipients(year, scheme=scheme):
            by_country.setdefault(recipient.grant.country, []).append(recipient)
        return by_country

    def describe(self) -> str:
        """How many records it holds ("18 country statuses, 8 contact points, REALISE 2024 (10 recipients)")."""
        rounds = ", ".join(
            f"{s.record.scheme} {s.record.year} ({len(s.record.recipients)} recipients)" for s in self.grant_rounds
        )
        return ", ".join(
            part
            for part in (
                f"{len(self.countries)} country statuses" if self.countries else "",
                f"{len(self.contacts)} contact points" if self.contacts else "",
                rounds,
            )
            if part
        )

    def __len__(self) -> int:
        return len(self.countries) + len(self.contacts) + len(self.grant_rounds)


def validate_programme_blocks(blocks: dict[str, Any]) -> tuple[dict[str, list[Any]], list[tuple[str, str]]]:
    """The valid records of front matter programme blocks (``PROGRAMME_BLOCKS`` keys -> lists of records), and the
    errors of the others as (field path, message): ``countries.3.since``, ``grants.0.recipients.2.country``. An
    invalid record is left out, the rest kept; a grant round keeps its valid recipients. A key that is not a block
    or a block that is not a list is an error of its own."""
    records: dict[str, list[Any]] = {}
    errors: list[tuple[str, str]] = []
    for key, items in blocks.items():
        model = PROGRAMME_BLOCKS.get(key)
        if model is None:
            errors.append((str(key), f"not a programme facts block ({', '.join(PROGRAMME_BLOCKS)})"))
            continue
        if not isinstance(items, list):
            errors.append((key, "a list of records is expected"))
            continue
        kept = records.setdefault(key, [])
        for index, item in enumerate(items):
            where = f"{key}.{index}"
            if model is GrantRound and isinstance(item, dict) and isinstance(item.get("recipients"), list):
                grants = [_valid(Grant, g, f"{where}.recipients.{i}", errors) for i, g in enumerate(item["recipients"])]
                item = {**item, "recipients": [g for g in grants if g is not None]}
            if (record := _valid(model, item, where, errors)) is not None:
                kept.append(record)
    return records, errors


def _valid(model: type[Any], item: object, where: str, errors: list[tuple[str, str]]) -> Any:  # noqa: ANN401
    """``item`` validated by ``model``, or None with its errors added to ``errors``."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        errors += [(".".join([where, *map(str, e["loc"])]), e["msg"]) for e in exc.errors()]
        return None


def programme_facts_json(blocks: dict[str, Any], source: object) -> str | None:
    """Front matter programme blocks validated, as the JSON the first chunk stores (None when no record is valid);
    invalid records are left out with one warning naming ``source`` and each bad field."""
    records, errors = validate_programme_blocks(blocks)
    if errors:
        log.warning("%s: programme facts left out (%s)", source, _shown(errors))
    kept = {
        key: [item.model_dump(mode="json", exclude_defaults=True) for item in items]
        for key, items in records.items()
        if items
    }
    return json.dumps(kept, ensure_ascii=False) if kept else None


def _shown(errors: list[tuple[str, str]]) -> str:
    return "; ".join(f"{where}: {message}" for where, message in errors)
