"""Programme-level facts as typed data: the status of countries by year (``countries:``), national contact points
(``contact_points:``) and the REALISE grant rounds (``grants:``), validated field by field, queried through the
call registry (``CallRegistry.programme``), checked by ``check-corpus``, and stated by the corpus documents' own
text, each value in a sentence citing its source.

A record is "stated" when its country (or recipient) and its status (or role) stand together in one sentence that
cites the record's source, and each of its other values (dates as "21 December 2023", years, amounts as "30,000",
names, web addresses, strands) stands in a sentence citing that source. Countries are written as the text writes
them: Babel's "Bosnia & Herzegovina" is "Bosnia and Herzegovina", and "the French recipient" names France.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from assistant.calls.models import (
    PROGRAMME_BLOCKS,
    ContactPoint,
    CountryStatus,
    Grant,
    GrantRound,
    country_name,
)
from assistant.calls.registry import (
    PROGRAMME_FACTS,
    CallRegistry,
    ProgrammeFacts,
    Stated,
    programme_facts_json,
    validate_programme_blocks,
)
from assistant.corpus.check import check_corpus, programme_facts
from assistant.corpus.markers import strip_markers
from assistant.corpus.registry import load_registry
from assistant.ingest.loaders import NESTED_KEYS
from assistant.ingest.pipeline import run_ingest
from assistant.question.places import english_adjectives
from assistant.service import Assistant
from tests.calls.test_call_facts_data import (
    amount_forms,
    cited_sentences,
    date_forms,
    split_document,
    stated,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
SOURCES = CORPUS / "sources.yaml"
# The documents that carry each block, and the least each must hold.
DOCUMENTS = {
    "countries": (CORPUS / "cerv" / "eligible-countries.md", 18),
    "contact_points": (CORPUS / "cerv" / "national-contact-points.md", 8),
    "grants": (CORPUS / "cemr" / "realise-2024.md", 1),
}
STATUS_FORMS = {
    "member-state": ["Member State"],
    "associated": ["associated", "agreement on participation", "association agreement"],
    "signed": ["signed"],
    "eligible": ["eligible"],
    "negotiating": ["negotiating"],
    "close-to-joining": ["close to joining"],
    "participating": ["taken part", "took part", "joined", "participating"],
}
PROGRAMME_FORMS = {
    "CERV": ["CERV"],
    "Europe for Citizens": ["Europe for Citizens"],
    "REC": ["REC", "Rights, Equality and Citizenship"],
}
ROLE_FORMS = {"contact-point": ["contact point"], "coordinator": ["coordinator"]}


# -- the corpus forms of a record's values ------------------------------------------------------------------------


def country_forms(name: str) -> list[str]:
    """How the text may name a country: Babel's name, "and" for "&", its adjective ("French")."""
    forms = [name, name.replace("&", "and")]
    english = name.split(" & ")[0].casefold()
    return forms + english_adjectives(english)


def year_forms(value: dt.date | int) -> list[str]:
    return date_forms(value) if isinstance(value, dt.date) else [str(value)]


def record_parts(record: BaseModel) -> tuple[list[list[str]], list[list[str]]]:
    """The parts a record's text must state: those that must stand together in one sentence (who, and what), and
    the others, each as its alternative forms."""
    if isinstance(record, CountryStatus):
        together = [country_forms(record.country), STATUS_FORMS[record.status]]
        others = [PROGRAMME_FORMS[record.programme]]
        others += [[str(record.year)]] if record.year is not None else []
        others += [[record.call]] if record.call is not None else []  # "networks-of-towns" folds to the text's form
        others += [year_forms(v) for v in (record.since, record.until) if v is not None]
        others += [date_forms(v) for v in (record.signed, record.as_of) if v is not None]
        others += [[strand] for strand in record.except_strands]
        return together, others
    if isinstance(record, ContactPoint):
        together = [country_forms(record.country), ROLE_FORMS[record.role]]
        names = (record.organisation, record.short_name, record.local_name, record.web, record.email)
        others = [[name] for name in names if name is not None]
        others += [[str(record.year)]] if record.year is not None else []
        return together, others
    assert isinstance(record, Grant), record
    together = [[record.recipient], country_forms(record.country)]
    others = [[record.name]] if record.name is not None else []
    others += [amount_forms(v) for v in (record.amount, record.amount_max) if v is not None]
    return together, others


def unstated(records: list[BaseModel], body: str) -> list[str]:
    """The records (and grant round values) the body does not state in a sentence citing their source: one line
    each, naming the record and what is missing."""
    sentences = cited_sentences(body)
    text = strip_markers(body)
    problems = []
    items: list[tuple[BaseModel, list[list[str]], list[list[str]]]] = []
    for record in records:
        if isinstance(record, GrantRound):
            for value in [*record.announced, *record.amount_max]:
                forms = date_forms(value.date) if hasattr(value, "date") else amount_forms(value.amount)
                items.append((value, [forms], []))
            if not (stated([record.scheme], text) and stated([str(record.year)], text)):
                problems.append(f"{record.scheme} {record.year}: not in the text")
            items += [(grant, *record_parts(grant)) for grant in record.recipients]
        else:
            items.append((record, *record_parts(record)))
    for record, together, others in items:
        shown = json.dumps(record.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False)
        own = [s for s, ids in sentences if record.source in ids]
        if not own:
            problems.append(f"{shown}: no sentence cites [^{record.source}]")
        elif not any(all(stated(forms, s) for forms in together) for s in own):
            missing = " + ".join(forms[0] for forms in together)
            problems.append(f"{shown}: no sentence citing [^{record.source}] states {missing}")
        else:
            problems += [
                f"{shown}: no sentence citing [^{record.source}] states {forms[0]}"
                for forms in others
                if not any(stated(forms, s) for s in own)
            ]
    return problems


def _records(key: str) -> list[BaseModel]:
    path, _ = DOCUMENTS[key]
    meta, _ = split_document(path)
    records, errors = validate_programme_blocks({key: meta.get(key)})
    assert not errors, f"{path.name}: {errors}"
    return records[key]


def _sources(records: list[BaseModel]) -> list[str]:
    found = []
    for record in records:
        if isinstance(record, GrantRound):
            found += [v.source for v in [*record.announced, *record.amount_max, *record.recipients]]
        else:
            found.append(record.source)  # type: ignore[attr-defined]
    return found


# -- the corpus documents -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(DOCUMENTS))
def test_the_block_validates_and_ends_the_front_matter(key: str) -> None:
    path, least = DOCUMENTS[key]
    meta, _ = split_document(path)
    assert list(meta)[-1] == key, f"{path.name}: {key}: is not the last key of the front matter"
    assert len(_records(key)) >= least


@pytest.mark.parametrize("key", list(DOCUMENTS))
def test_the_block_names_sources_of_the_registry(key: str) -> None:
    registry, _ = load_registry(SOURCES)
    unknown = [source for source in _sources(_records(key)) if source not in registry]
    assert not unknown, f"{key}: sources not in corpus/sources.yaml: {unknown}"


@pytest.mark.parametrize("key", list(DOCUMENTS))
def test_every_record_is_stated_by_the_document_with_its_source(key: str) -> None:
    path, _ = DOCUMENTS[key]
    _, body = split_document(path)
    problems = unstated(_records(key), body)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_the_corpus_records_answer_the_registry_queries() -> None:
    """The real blocks, as ingestion stores them, queried as an answer layer would."""
    metas = [
        {"doc_id": path.relative_to(CORPUS).as_posix(), PROGRAMME_FACTS: programme_facts_json({key: meta[key]}, path)}
        for key, (path, _) in DOCUMENTS.items()
        for meta in [split_document(path)[0]]
    ]
    facts = CallRegistry.from_metadatas(metas).programme
    assert facts.describe() == "18 country statuses, 8 contact points, REALISE 2024 (10 recipients)"
    bih = facts.status("Bosnia and Herzegovina", 2024)
    assert bih is not None and bih.record.status == "associated" and bih.source == "eui-zzh-bih-cerv"
    assert (bih.record.signed, bih.record.since, bih.doc_id) == (
        dt.date(2023, 12, 21),
        dt.date(2023, 1, 1),
        "cerv/eligible-countries.md",
    )
    assert facts.status("Serbia", 2024) is None  # its signature's date is unknown: not "no", unknown
    assert facts.status("Serbia", 2023).record.status == "eligible"  # the 2023 networks of towns call
    assert [s.record.country for s in facts.associated(2025)] == ["Bosnia & Herzegovina"]
    assert {s.record.country for s in facts.countries_in(2023, "eligible")} == {
        "Albania",
        "Bosnia & Herzegovina",
        "Kosovo",
        "Montenegro",
        "Serbia",
        "Ukraine",
    }
    assert [s.record.short_name for s in facts.contact_points("sweden")] == ["MUCF"]
    french = facts.recipients(2024, "France")
    assert sorted({(r.grant.recipient, r.source) for r in french}) == [
        ("AFCCRE", "cemr-news-realise-2024"),
        ("AFCCRE", "cemr-realise-2024-page"),
        ("AMF", "cemr-realise-2024-page"),  # the conflict is kept
    ]


# -- the models -------------------------------------------------------------------------------------------------------


COUNTRY = {"country": "Serbia", "status": "signed", "source": "s"}
CONTACT = {"country": "Sweden", "organisation": "MUCF", "source": "s"}
ROUND = {"scheme": "REALISE", "year": 2024}
GRANT = {"recipient": "AICCRE", "country": "Italy", "source": "s"}


@pytest.mark.parametrize(
    "model, data, field",
    [
        (CountryStatus, {**COUNTRY, "country": "Narnia"}, "country"),
        (CountryStatus, {**COUNTRY, "status": "joined"}, "status"),
        (CountryStatus, {**COUNTRY, "signed": "2023-02-30"}, "signed"),
        (CountryStatus, {**COUNTRY, "since": 1066}, "since"),
        (CountryStatus, {**COUNTRY, "programme": "Erasmus"}, "programme"),
        (CountryStatus, {**COUNTRY, "except_strands": ["Union value"]}, "except_strands.0"),
        (CountryStatus, {k: v for k, v in COUNTRY.items() if k != "source"}, "source"),
        (CountryStatus, {**COUNTRY, "date": "2023-12-21"}, "date"),
        (ContactPoint, {**CONTACT, "web": "not an address"}, "web"),
        (ContactPoint, {**CONTACT, "email": "mucf"}, "email"),
        (ContactPoint, {**CONTACT, "role": "agency"}, "role"),
        (Grant, {**GRANT, "amount_max": -1}, "amount_max"),
        (Grant, {**GRANT, "amount": "thirty thousand"}, "amount"),
        (GrantRound, {**ROUND, "scheme": "REALIZE"}, "scheme"),
        (GrantRound, {**ROUND, "recipients": [{**GRANT, "country": "Atlantis"}]}, "recipients.0.country"),
        (GrantRound, {**ROUND, "announced": [{"date": "2024-06-11"}]}, "announced.0.source"),
    ],
)
def test_an_invalid_record_names_its_field(model: type[BaseModel], data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    fields = {".".join(map(str, e["loc"])) for e in caught.value.errors()}
    assert any(f == field or f.startswith(f"{field}.") for f in fields), fields


def test_records_that_contradict_themselves_are_refused() -> None:
    with pytest.raises(ValidationError, match="a call needs its year"):
        CountryStatus.model_validate({**COUNTRY, "status": "eligible", "call": "networks-of-towns"})
    with pytest.raises(ValidationError, match="until 2013 is before since 2014"):
        CountryStatus.model_validate({**COUNTRY, "status": "participating", "since": 2014, "until": 2013})
    with pytest.raises(ValidationError, match="a contact point needs an organisation"):
        ContactPoint.model_validate({"country": "Finland", "source": "s"})


def test_countries_are_named_as_babel_names_them() -> None:
    assert country_name("North Macedonia") == "North Macedonia"
    assert country_name("bosnia and herzegovina") == "Bosnia & Herzegovina"
    assert country_name("Turkiye") == "Türkiye"
    assert country_name("Kosovo") == "Kosovo"
    assert country_name("European Union") is None and country_name("Narnia") is None
    record = CountryStatus.model_validate({**COUNTRY, "country": "Bosnia and Herzegovina"})
    assert record.country == "Bosnia & Herzegovina"


def test_a_since_is_a_year_or_a_day_and_survives_the_json_round_trip() -> None:
    year = CountryStatus.model_validate({**COUNTRY, "status": "participating", "since": 2007, "until": "2013"})
    day = CountryStatus.model_validate({**COUNTRY, "status": "associated", "since": dt.date(2023, 1, 1)})
    assert (year.since, year.until, day.since) == (2007, 2013, dt.date(2023, 1, 1))
    for record in (year, day):
        assert CountryStatus.model_validate_json(record.model_dump_json(exclude_defaults=True)) == record


@pytest.mark.parametrize(
    "data, held, not_held",
    [
        ({"status": "eligible", "call": "networks-of-towns", "year": 2023}, [2023], [2022, 2024]),
        ({"status": "associated", "since": "2023-01-01"}, [2023, 2027], [2022]),  # from a day, no end stated
        ({"status": "participating", "since": 2007, "until": 2013}, [2007, 2013], [2006, 2014]),
        ({"status": "close-to-joining", "as_of": "2023-12-01"}, [2023], [2024]),  # said on one day
        ({"status": "signed", "signed": "2023-12-21"}, [2023], [2024]),
        ({"status": "signed"}, [], [2023, 2024]),  # undated: it holds for no year
    ],
)
def test_the_years_a_status_holds_in(data: dict[str, Any], held: list[int], not_held: list[int]) -> None:
    record = CountryStatus.model_validate({**COUNTRY, **data})
    assert [y for y in held + not_held if record.holds_in(y)] == held


# -- the registry -----------------------------------------------------------------------------------------------------


def _country(doc: str = "eligible.md", **data: Any) -> Stated[CountryStatus]:  # noqa: ANN401
    return Stated(CountryStatus.model_validate({"source": "s", **data}), doc)


FACTS = ProgrammeFacts(
    countries=[
        _country(country="Serbia", status="close-to-joining", as_of="2023-12-01", source="newsroom"),
        _country(country="Serbia", status="eligible", call="networks-of-towns", year=2023, source="listing"),
        _country(country="Serbia", status="signed", source="article"),
        _country(country="Serbia", programme="REC", status="participating", since="2018-07-16", source="rol"),
        _country(country="Bosnia & Herzegovina", status="eligible", call="networks-of-towns", year=2023),
        _country(country="Bosnia & Herzegovina", status="associated", since="2023-01-01", signed="2023-12-21"),
        _country(country="Montenegro", status="eligible", call="networks-of-towns", year=2023),
        _country(country="Ukraine", status="associated", since=2024, source="official"),
        _country(country="Ukraine", status="negotiating", year=2024, source="press"),  # a conflict: both kept
    ],
    contact_points=[
        Stated(ContactPoint.model_validate({"country": "Sweden", "organisation": "MUCF", "source": "a"}), "ncp.md"),
        Stated(ContactPoint.model_validate({"country": "France", "organisation": "Cidem", "source": "b"}), "ncp.md"),
        Stated(ContactPoint.model_validate({"country": "France", "web": "example.fr", "source": "c"}), "ncp.md"),
    ],
    rounds=[
        Stated(
            GrantRound.model_validate(
                {
                    **ROUND,
                    "amount_max": [{"amount": 30000, "source": "press"}],
                    "recipients": [
                        {"recipient": "AICCRE", "country": "Italy", "source": "press"},
                        {"recipient": "AFCCRE", "country": "France", "source": "press"},
                        {"recipient": "AMF", "country": "France", "source": "page"},
                        {"recipient": "AICCRE", "country": "Italy", "amount_max": 30000, "source": "aiccre"},
                    ],
                }
            ),
            "realise-2024.md",
        )
    ],
)


def test_the_status_of_a_country_in_a_year() -> None:
    serbia = FACTS.status("serbia", 2023)
    assert serbia is not None and (serbia.record.status, serbia.source) == ("eligible", "listing")
    assert FACTS.status("Serbia", 2024) is None  # unknown: no record states Serbia's status for 2024
    assert FACTS.status("Serbia", 2019, "REC").record.since == dt.date(2018, 7, 16)
    bih = FACTS.status("Bosnia and Herzegovina", 2023)
    assert bih.record.status == "associated" and bih.record.signed == dt.date(2023, 12, 21)
    assert FACTS.status("Bosnia and Herzegovina", 2022) is None
    assert FACTS.status("Narnia", 2024) is None
    # Every record is kept: the most definite leads, the conflicting one is still there with its source.
    assert FACTS.status("Ukraine", 2024).source == "official"
    assert [(s.record.status, s.source) for s in FACTS.statuses("Ukraine", 2024)] == [
        ("associated", "official"),
        ("negotiating", "press"),
    ]
    assert [s.source for s in FACTS.statuses("Serbia")] == ["newsroom", "listing", "article"]  # dated or not


def test_the_countries_of_a_year() -> None:
    assert [s.record.country for s in FACTS.associated(2024)] == ["Bosnia & Herzegovina", "Ukraine"]
    assert [s.record.country for s in FACTS.associated(2023)] == ["Bosnia & Herzegovina"]
    assert FACTS.associated(2022) == []
    assert [s.record.country for s in FACTS.countries_in(2023, "eligible")] == [
        "Serbia",
        "Bosnia & Herzegovina",
        "Montenegro",
    ]
    assert [s.record.country for s in FACTS.countries_in(2019, programme="REC")] == ["Serbia"]


def test_the_contact_points_of_a_country() -> None:
    assert [(s.record.organisation, s.doc_id) for s in FACTS.contact_points("Sweden")] == [("MUCF", "ncp.md")]
    assert [s.source for s in FACTS.contact_points("france")] == ["b", "c"]
    assert FACTS.contact_points("Germany") == []
    assert len(FACTS.contact_points()) == 3


def test_the_recipients_of_a_grant_round() -> None:
    assert [(r.grant.recipient, r.source) for r in FACTS.recipients(2024, "France")] == [
        ("AFCCRE", "press"),
        ("AMF", "page"),
    ]
    by_country = FACTS.recipients_by_country(2024)
    assert list(by_country) == ["Italy", "France"]
    assert [r.grant.amount_max for r in by_country["Italy"]] == [None, 30000]  # only where a source states it
    assert FACTS.recipients(2023) == []
    assert FACTS.rounds(year=2024)[0].record.amount_max[0].amount == 30000
    assert FACTS.describe() == "9 country statuses, 3 contact points, REALISE 2024 (4 recipients)"


def test_the_call_registry_carries_the_programme_facts_and_keeps_its_call_api() -> None:
    assert len(CallRegistry().programme) == 0 and CallRegistry().calls == []
    registry = CallRegistry([], FACTS)
    assert registry.programme is FACTS and len(registry) == 0


def test_programme_facts_are_read_from_chunk_metadata_and_a_stale_record_is_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stored = json.dumps(
        {
            "countries": [
                {"country": "Serbia", "status": "signed", "source": "s"},
                {"country": "Serbia", "status": "gone", "source": "s"},  # written by an older version
            ],
            "contact_points": [{"country": "Cyprus", "web": "epcr.org.cy", "source": "c"}],
        }
    )
    metas = [
        {"doc_id": "cerv/eligible-countries.md", PROGRAMME_FACTS: stored},
        {"doc_id": "cerv/eligible-countries.md"},  # its other chunks carry nothing
        {"doc_id": "old.md", PROGRAMME_FACTS: "not json"},
    ]
    with caplog.at_level(logging.WARNING):
        facts = ProgrammeFacts.from_metadatas(metas)
    assert [s.record.status for s in facts.statuses("Serbia")] == ["signed"]
    assert facts.contact_points("Cyprus")[0].doc_id == "cerv/eligible-countries.md"
    assert "cerv/eligible-countries.md" in caplog.text and "countries.1.status" in caplog.text
    assert "old.md" in caplog.text


def test_validation_keeps_the_valid_records_and_names_each_bad_field() -> None:
    records, errors = validate_programme_blocks(
        {
            "countries": [COUNTRY, {**COUNTRY, "country": "Narnia", "since": 1}],
            "grants": [{**ROUND, "recipients": [GRANT, {**GRANT, "amount": -5}]}],
            "contact_point": [],
        }
    )
    assert [r.country for r in records["countries"]] == ["Serbia"]
    assert [g.recipient for g in records["grants"][0].recipients] == ["AICCRE"]  # the round keeps its valid one
    assert [where for where, _ in errors] == [
        "countries.1.country",
        "countries.1.since",
        "grants.0.recipients.1.amount",
        "contact_point",
    ]
    assert validate_programme_blocks({"countries": "Serbia"})[1] == [("countries", "a list of records is expected")]


def test_the_blocks_are_nested_front_matter_keys() -> None:
    assert set(PROGRAMME_BLOCKS) == {"countries", "contact_points", "grants"}
    assert set(PROGRAMME_BLOCKS) < set(NESTED_KEYS)


def test_a_record_the_text_does_not_state_is_reported() -> None:
    body = (
        "On 1 December 2023, Serbia and Albania were close to joining the CERV programme.[^news] "
        "Kosovo was listed as eligible for CERV.[^listing]\n"
    )
    records = [
        CountryStatus.model_validate(
            {"country": "Serbia", "status": "close-to-joining", "as_of": "2023-12-01", "source": "news"}
        ),
        CountryStatus.model_validate({"country": "Montenegro", "status": "close-to-joining", "source": "news"}),
        CountryStatus.model_validate({"country": "Kosovo", "status": "eligible", "year": 2024, "source": "listing"}),
        CountryStatus.model_validate({"country": "Albania", "status": "eligible", "source": "listing"}),
    ]
    problems = unstated(records, body)
    assert len(problems) == 3, problems
    assert "Montenegro" in problems[0] and "states Montenegro + close to joining" in problems[0]
    assert "Kosovo" in problems[1] and "states 2024" in problems[1]
    assert "Albania" in problems[2] and "citing [^listing] states Albania + eligible" in problems[2]


# -- ingestion and check-corpus -------------------------------------------------------------------------------------

COUNTRIES_DOC = """---
title: Countries
publisher: European Commission
programme: CERV
topic: programme
language: en
countries:
  - {country: Serbia, status: eligible, call: networks-of-towns, year: 2023, source: cemr-news-realise-2024}
  - {country: Serbia, status: eligible, year: 2023, source: cemr-news-realise-2024, since: 20230101}
  - {country: Narnia, status: associated, source: cemr-news-realise-2024}
---
# Countries

Serbia was listed as eligible for the 2023 networks of towns call.[^cemr-news-realise-2024]
"""


def test_an_invalid_record_is_reported_with_its_fields_and_the_document_still_ingested(
    make_settings,  # noqa: ANN001
    embeddings,  # noqa: ANN001
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings()
    (settings.corpus_dir / "countries.md").write_text(COUNTRIES_DOC, encoding="utf-8")
    realise = settings.corpus_dir / "cemr" / "realise-2024.md"
    text = realise.read_text(encoding="utf-8").replace(
        "language: en\n",
        "language: en\ngrants:\n  - scheme: REALISE\n    year: 2024\n    recipients:\n"
        "      - {recipient: AICCRE, country: Italy, source: cemr-news-realise-2024}\n"
        "      - {recipient: TÖOSZ, country: Hungry, source: cemr-news-realise-2024}\n",
        1,
    )
    realise.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        report = run_ingest(settings, embeddings=embeddings, progress=False)
    assert report.docs_failed == 0
    assert "countries.md: programme facts left out (countries.1.since" in caplog.text
    assert "countries.2.country: Value error, 'Narnia' is not a country" in caplog.text
    assert "realise-2024.md: programme facts left out (grants.0.recipients.1.country" in caplog.text
    facts = Assistant(settings, embeddings).calls.programme
    assert [(s.record.status, s.doc_id) for s in facts.statuses("Serbia")] == [("eligible", "countries.md")]
    assert [r.grant.recipient for r in facts.recipients(2024)] == ["AICCRE"]
    chunks = Assistant(settings, embeddings).searcher.lexical.chunks
    assert any(c.metadata.get("doc_id") == "countries.md" for c in chunks)  # the document itself is ingested


def test_check_corpus_names_the_file_and_line_of_each_bad_field_and_unknown_source(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "sources.yaml").write_text(
        (ROOT / "tests" / "fixtures" / "corpus" / "sources.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    doc = COUNTRIES_DOC.replace(
        "language: en\n",
        "language: en\ncontact_points:\n  - country: France\n    organisation: Cidem\n    source: no-such-page\n",
    )
    (root / "countries.md").write_text(doc, encoding="utf-8")
    _, problems = check_corpus(root, [programme_facts])
    lines = doc.splitlines()

    def line(needle: str) -> int:
        return next(i for i, text in enumerate(lines, 1) if needle in text)

    assert [str(p) for p in problems] == [
        f"corpus/countries.md:{line('source: no-such-page')}: contact_points.0.source: source 'no-such-page' is "
        "not in the registry",
        f"corpus/countries.md:{line('since: 20230101')}: countries.1.since: Value error, year 20230101 is outside "
        "1950-2100",
        f"corpus/countries.md:{line('Narnia')}: countries.2.country: Value error, 'Narnia' is not a country's "
        "English name in CLDR (as Babel gives it)",
    ]
