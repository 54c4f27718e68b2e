"""The call registry: typed call facts validated field by field, and calls found by type, year and the clock."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from assistant.calls import Call, CallFacts, CallRegistry
from assistant.calls.registry import CALL_FACTS
from assistant.ingest.pipeline import run_ingest
from assistant.service import Assistant
from tests.conftest import fixed_clock


def _call(kind: str, year: int, deadline: str | None, opening: str | None = None, **more: object) -> Call:
    short = {"town-twinning": "TT", "networks-of-towns": "NT"}[kind]
    data = {"programme": "CERV", "call_id": f"CERV-{year}-CITIZENS-TOWN-{short}", "type": kind, "year": year, **more}
    if deadline:
        data["deadline"] = [{"date": deadline, "time": "17:00", "source": "s"}]
    if opening:
        data["opening"] = [{"date": opening, "source": "s"}]
    return Call(CallFacts.model_validate(data), f"cerv/calls/{short.lower()}-{year}.md")


REGISTRY = CallRegistry(
    [
        _call("town-twinning", 2025, "2025-09-17", "2025-04-09"),
        _call("town-twinning", 2026, "2026-09-23"),
        _call("networks-of-towns", 2026, "2026-04-16", "2025-12-17"),
        _call("networks-of-towns", 2025, "2025-03-27", "2024-12-17"),
    ]
)


def test_calls_are_found_by_type_year_and_id() -> None:
    assert [c.call_id for c in REGISTRY.find("town-twinning")] == [
        "CERV-2025-CITIZENS-TOWN-TT",
        "CERV-2026-CITIZENS-TOWN-TT",
    ]
    assert [c.call_id for c in REGISTRY.find(year=2026)] == ["CERV-2026-CITIZENS-TOWN-NT", "CERV-2026-CITIZENS-TOWN-TT"]
    assert REGISTRY.find(call_id="cerv-2025-citizens-town-nt")[0].facts.year == 2025
    assert REGISTRY.find("town-twinning", 2023) == []
    assert REGISTRY.describe() == "networks-of-towns 2025-2026, town-twinning 2025-2026"


@pytest.mark.parametrize(
    "which, today, kind, expected",
    [
        ("this", (2026, 12, 1), "town-twinning", ["CERV-2026-CITIZENS-TOWN-TT"]),
        ("last", (2026, 12, 1), "networks-of-towns", ["CERV-2025-CITIZENS-TOWN-NT"]),
        ("next", (2026, 1, 10), None, ["CERV-2026-CITIZENS-TOWN-NT"]),  # the first to close from today
        ("next", (2026, 5, 1), None, ["CERV-2026-CITIZENS-TOWN-TT"]),
        ("next", (2026, 12, 1), None, []),  # every known call has closed: no next call is known
        ("open", (2026, 1, 10), "networks-of-towns", ["CERV-2026-CITIZENS-TOWN-NT"]),
        ("open", (2025, 12, 1), "networks-of-towns", []),  # published but not open before 17 December 2025
        ("latest", (2030, 1, 1), "town-twinning", ["CERV-2026-CITIZENS-TOWN-TT"]),
    ],
)
def test_calls_are_found_by_the_clock(
    which: str, today: tuple[int, int, int], kind: str | None, expected: list[str]
) -> None:
    now = fixed_clock(*today)()
    assert [c.call_id for c in REGISTRY.relative(which, now, kind)] == expected


def test_a_deadline_closes_at_its_hour_in_its_zone() -> None:
    call = REGISTRY.find("town-twinning", 2026)[0]
    assert call.closes() == dt.datetime(2026, 9, 23, 15, 0, tzinfo=dt.UTC)  # 17:00 Brussels summer time
    late = fixed_clock(2026, 9, 23)().replace(hour=17, minute=1)
    assert REGISTRY.relative("open", late, "town-twinning") == []


def test_conflicting_values_are_all_kept_with_their_sources() -> None:
    facts = CallFacts.model_validate(
        {
            "programme": "CERV",
            "call_id": "CERV-2025-CITIZENS-TOWN-TT",
            "type": "town-twinning",
            "year": 2025,
            "deadline": [
                {"date": "2025-09-17", "source": "official-portal"},
                {"date": "2025-09-19", "time": "17:00", "source": "regional-paper", "confidence": "low"},
            ],
        }
    )
    assert [(d.date.day, d.source) for d in facts.deadline] == [(17, "official-portal"), (19, "regional-paper")]
    assert list(facts.attributes()) == ["deadline"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"deadline": [{"date": "2026-02-30", "source": "s"}]}, "deadline.0.date"),
        ({"budget": [{"amount": -5, "source": "s"}]}, "budget.0.amount"),
        ({"budget": [{"amount": 4000000}]}, "budget.0.source"),
        ({"grant_max": [{"amount": 1, "source": "s", "currency": "USD"}]}, "grant_max.0.currency"),
        ({"type": "twinning"}, "type"),
        ({"deadlne": []}, "deadlne"),
    ],
)
def test_an_invalid_record_names_its_field(change: dict, field: str) -> None:
    data = {"programme": "CERV", "call_id": "CERV-2026-CITIZENS-TOWN-TT", "type": "town-twinning", "year": 2026}
    with pytest.raises(ValidationError) as caught:
        CallFacts.model_validate({**data, **change})
    assert field in {".".join(map(str, e["loc"])) for e in caught.value.errors()}


def test_a_call_id_must_name_its_year() -> None:
    with pytest.raises(ValidationError, match="does not name the year 2025"):
        CallFacts.model_validate(
            {"programme": "CERV", "call_id": "CERV-2026-CITIZENS-TOWN-TT", "type": "town-twinning", "year": 2025}
        )


def test_the_registry_is_read_from_chunk_metadata_and_skips_a_stale_record(caplog: pytest.LogCaptureFixture) -> None:
    good = REGISTRY.find("town-twinning", 2026)[0].facts.model_dump_json()
    metas = [
        {"doc_id": "cerv/calls/tt-2026.md", CALL_FACTS: good},
        {"doc_id": "cerv/calls/tt-2026.md"},  # its other chunks carry nothing
        {"doc_id": "cerv/calls/old.md", CALL_FACTS: json.dumps({"programme": "CERV"})},
    ]
    registry = CallRegistry.from_metadatas(metas)
    assert [c.doc_id for c in registry.calls] == ["cerv/calls/tt-2026.md"]
    assert "cerv/calls/old.md" in caplog.text


def test_ingestion_loads_the_call_documents_typed_facts_into_the_registry(service: Assistant) -> None:
    """The fixture's two call documents carry typed facts (front matter ``call:``): the service's registry has
    them, with their sources, by type and year and by the clock (21 November 2026)."""
    calls = service.calls
    tt = calls.find("town-twinning", 2024)[0]
    assert (tt.doc_id, tt.facts.budget[0].amount, tt.facts.budget[0].source) == (
        "tt-2024.md",
        4_000_000,
        "europapact-tt",
    )
    assert [(v.amount) for v in tt.facts.grant_min + tt.facts.grant_max] == [8455, 50745]
    assert calls.find("networks-of-towns", 2025)[0].opens().date() == dt.date(2024, 12, 17)
    assert calls.relative("next", service.now()) == []  # both calls have closed
    assert calls.describe() == "town-twinning 2024, networks-of-towns 2025"


def test_an_invalid_call_record_is_reported_with_its_field_and_the_document_still_ingested(
    make_settings,
    embeddings,
    caplog: pytest.LogCaptureFixture,  # noqa: ANN001
) -> None:
    settings = make_settings()
    doc = settings.corpus_dir / "tt-2024.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("amount: 4000000", "amount: four million"), encoding="utf-8")
    report = run_ingest(settings, embeddings=embeddings, progress=False)
    assert report.docs_failed == 0
    assert "tt-2024.md: call facts left out (call.budget.0.amount" in caplog.text
    assistant = Assistant(settings, embeddings)
    assert [c.call_id for c in assistant.calls.calls] == ["CERV-2025-CITIZENS-TOWN-NT"]
    assert assistant.ask("What was the budget of the 2024 town twinning call?").answered  # the text still answers
