"""Typed call facts: what a call document states about its call, as validated data with a source per value.

A call document carries them in its front matter under ``call:`` (docs/corpus.md shows the format):

    call:
      programme: CERV
      call_id: CERV-2024-CITIZENS-TOWN-TT
      type: town-twinning
      year: 2024
      deadline:
        - {date: 2024-09-19, time: "17:00", source: euroaccess-tt-2024}
      budget:
        - {amount: 4000000, source: europapact-tt}

Every attribute holds a list of values, each with the source (an id of ``corpus/sources.yaml``) that states it
and, when it differs from the source's own, a confidence. A value the sources do not give is absent, never
guessed; sources that disagree each get their value in the list (a conflict is kept, not resolved here).
Amounts are in euros.

Programme-level facts follow the same rules, as lists of records, each record what one source states with that
source: ``countries:`` (``CountryStatus``), ``contact_points:`` (``ContactPoint``) and ``grants:`` (``GrantRound``
and its ``Grant`` recipients).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

Confidence = Literal["high", "medium", "low"]
CallType = Literal["town-twinning", "networks-of-towns", "remembrance", "citizens-engagement"]

_ID = r"^[A-Z]+-\d{4}-[A-Z0-9-]+$"


class _Sourced(BaseModel):
    """One value and where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1, description="The id of the source in corpus/sources.yaml.")
    confidence: Confidence | None = Field(None, description="When it differs from the source's own confidence.")
    note: str | None = Field(None, description='A qualifier the value needs ("indicative", "about").')


class DateValue(_Sourced):
    date: dt.date


class DeadlineValue(_Sourced):
    """A closing date, with its hour and time zone when the source gives them."""

    date: dt.date
    time: dt.time | None = None
    zone: str = "Europe/Brussels"

    @field_validator("date")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        if not 1900 <= value.year <= 2200:
            raise ValueError(f"year {value.year} is outside 1900-2200")
        return value


class AmountValue(_Sourced):
    amount: int = Field(ge=0, description="Euros.")


class CountValue(_Sourced):
    count: int = Field(ge=0)


class TextValue(_Sourced):
    text: str = Field(min_length=1)


class CallFacts(BaseModel):
    """The typed facts of one call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    programme: Literal["CERV"]
    call_id: str = Field(pattern=_ID)
    type: CallType
    year: int = Field(ge=2021, le=2027)
    opening: list[DateValue] = []
    deadline: list[DeadlineValue] = []
    results_date: list[DateValue] = []
    budget: list[AmountValue] = []
    grant_min: list[AmountValue] = []
    grant_max: list[AmountValue] = []
    paid_as: list[TextValue] = []
    min_countries: list[CountValue] = []
    min_eu_member_states: list[CountValue] = []
    min_applicants: list[CountValue] = []
    min_participants: list[CountValue] = []
    min_invited_participants: list[CountValue] = []
    duration_months_min: list[CountValue] = []
    duration_months_max: list[CountValue] = []
    proposals_received: list[CountValue] = []
    proposals_eligible: list[CountValue] = []
    projects_funded: list[CountValue] = []

    @model_validator(mode="after")
    def _id_names_the_year(self) -> CallFacts:
        if f"-{self.year}-" not in self.call_id:
            raise ValueError(f"call_id {self.call_id} does not name the year {self.year}")
        return self

    def attributes(self) -> dict[str, list[_Sourced]]:
        """The attributes that hold at least one value."""
        return {
            name: values
            for name in type(self).model_fields
            if isinstance(values := getattr(self, name), list) and values
        }


ATTRIBUTES: tuple[str, ...] = tuple(
    name for name, info in CallFacts.model_fields.items() if str(info.annotation).startswith("list")
)


# -- programme-level facts ----------------------------------------------------------------------------------------
#
# What the programme documents state beyond one call, in their front matter (docs/corpus.md, "Programme facts"):
# ``countries:`` (corpus/cerv/eligible-countries.md), ``contact_points:`` (corpus/cerv/national-contact-points.md)
# and ``grants:`` (corpus/cemr/realise-2024.md). Each record is what one source states, with that source; two
# sources that disagree give two records. Countries are named as the Unicode CLDR data Babel ships names them in
# English ("North Macedonia", "Bosnia & Herzegovina", "Türkiye").

Programme = Literal["CERV", "Europe for Citizens", "REC"]
CountryStatusKind = Literal[
    "member-state",  # an EU Member State
    "associated",  # its agreement on participation (association) applies
    "signed",  # it signed its agreement on participation; when it applies is not stated
    "eligible",  # listed as an eligible country (of a call: ``call`` and ``year``)
    "negotiating",  # negotiating its association
    "close-to-joining",  # announced as close to joining
    "participating",  # took part in the programme (a past programme: Europe for Citizens, REC)
]
Strand = Literal[
    "Union values",
    "Equality, rights and gender equality",
    "Citizens' engagement and participation",
    "Daphne",
]
# CLDR territory codes that are not countries (unions, unknown region, pseudo-regions).
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})
_WEB = r"^(?i:(?:https?://)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/\S*)?)$"
_EMAIL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"


@lru_cache(maxsize=1)
def _cldr_names() -> dict[str, str]:
    """Folded English country name ("&" also written "and") -> the name as Babel gives it."""
    from babel import Locale

    names: dict[str, str] = {}
    for code, name in Locale("en").territories.items():
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
            names[_fold_name(name)] = name
            names[_fold_name(name.replace("&", "and"))] = name
    return names


def _fold_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split())


def country_name(name: str) -> str | None:
    """The English CLDR name of the country ``name`` names ("bosnia and herzegovina" -> "Bosnia & Herzegovina",
    "Turkiye" -> "Türkiye"), or None when it names none."""
    return _cldr_names().get(_fold_name(name))


def _as_country(value: str) -> str:
    found = country_name(value)
    if found is None:
        raise ValueError(f"{value!r} is not a country's English name in CLDR (as Babel gives it)")
    return found


CountryName = Annotated[str, AfterValidator(_as_country)]
"""A country's English CLDR name as Babel gives it; the same name in another case, without accents or with "and" for
"&" is accepted and written Babel's way."""


def _year_of(value: int | dt.date) -> int:
    return value.year if isinstance(value, dt.date) else value


class CountryStatus(_Sourced):
    """A country's place in a programme as one source states it: member state, associated (with the day its
    agreement was signed and the day or year it applies from, when stated), signed, eligible for a year's call,
    negotiating, close to joining (on the day a source said so), or, for a past programme, participating."""

    country: CountryName
    programme: Programme = "CERV"
    status: CountryStatusKind
    year: int | None = Field(None, ge=1950, le=2100, description="The one year the status is stated for.")
    call: CallType | None = Field(None, description="The call whose list of countries states it (with year).")
    since: int | dt.date | None = Field(
        None, union_mode="left_to_right", description="The day, or year, the status holds from."
    )
    until: int | dt.date | None = Field(
        None, union_mode="left_to_right", description="The day, or year, it held until."
    )
    signed: dt.date | None = Field(None, description="The day its agreement was signed.")
    as_of: dt.date | None = Field(None, description="The day a source stated the status (an announcement).")
    except_strands: list[Strand] = Field([], description="Strands it takes no part in.")

    @field_validator("since", "until")
    @classmethod
    def _plausible_year(cls, value: int | dt.date | None) -> int | dt.date | None:
        if value is not None and not 1950 <= _year_of(value) <= 2100:
            raise ValueError(f"year {_year_of(value)} is outside 1950-2100")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CountryStatus:
        if self.call is not None and self.year is None:
            raise ValueError("a call needs its year")
        if self.since is not None and self.until is not None and _year_of(self.until) < _year_of(self.since):
            raise ValueError(f"until {self.until} is before since {self.since}")
        return self

    def holds_in(self, year: int) -> bool:
        """Whether the record states the status for ``year``: its ``year``; else the years from ``since`` (to
        ``until``, open when not given); else the year of ``as_of`` or of ``signed``. An undated record (a
        signature whose date no source gives) holds for no year."""
        if self.year is not None:
            return self.year == year
        if self.since is not None or self.until is not None:
            after = self.since is None or _year_of(self.since) <= year
            return after and (self.until is None or year <= _year_of(self.until))
        day = self.as_of or self.signed
        return day is not None and day.year == year


class ContactPoint(_Sourced):
    """A country's CERV contact point (or national coordinator) as one source names it: the organisation, its
    short and local names, and its web address or e-mail only when the text gives them."""

    country: CountryName
    role: Literal["contact-point", "coordinator"] = "contact-point"
    organisation: str | None = Field(None, min_length=1, description="Its name, in English when given.")
    short_name: str | None = Field(None, min_length=1, description='An acronym or short name ("MUCF").')
    local_name: str | None = Field(None, min_length=1, description='Its name in its own language ("Ured za udruge").')
    web: str | None = Field(None, pattern=_WEB, description='Its address as the text writes it ("epcr.org.cy").')
    email: str | None = Field(None, pattern=_EMAIL)
    year: int | None = Field(None, ge=1950, le=2100, description="The year the source reports it for.")

    @model_validator(mode="after")
    def _named(self) -> ContactPoint:
        if not (self.organisation or self.short_name or self.web or self.email):
            raise ValueError("a contact point needs an organisation, a short_name, a web address or an e-mail")
        return self


class Grant(_Sourced):
    """One recipient of a grant scheme's round as one source names it, with its amount when stated."""

    recipient: str = Field(min_length=1, description='The name the source gives it ("AICCRE").')
    name: str | None = Field(None, min_length=1, description="Its full name, when the source gives it.")
    country: CountryName
    amount: int | None = Field(None, ge=0, description="Euros.")
    amount_max: int | None = Field(None, ge=0, description='Euros, for "up to".')


class GrantRound(BaseModel):
    """One year's round of a grant scheme (CEMR's REALISE): when its recipients were announced, the most a
    proposal could receive, and its recipients."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme: Literal["REALISE"]
    year: int = Field(ge=1950, le=2100)
    announced: list[DateValue] = []
    amount_max: list[AmountValue] = []
    recipients: list[Grant] = []


PROGRAMME_BLOCKS: dict[str, type[BaseModel]] = {
    "countries": CountryStatus,
    "contact_points": ContactPoint,
    "grants": GrantRound,
}
"""The front matter keys of programme facts, each a list of records of its model."""
