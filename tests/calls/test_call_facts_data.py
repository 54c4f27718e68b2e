"""The typed call facts of the corpus: the ``call:`` block in the front matter of every call document under
corpus/cerv/calls validates against ``CallFacts``, names sources of corpus/sources.yaml, agrees with the document's
own front matter (call_id, year, topic, deadline), and holds only values the document's own text states.

A value is "stated" when each of its parts (a deadline's date and hour, an amount, a count, a text) is written in
the document's body, markers stripped, in the corpus' forms: dates as "19 September 2024", hours as "17:00",
amounts as "4,000,000" or "EUR 4 million", counts as digits or words ("at least one"), texts with a hyphen or a
space alike and in the plural ("lump-sum grants" and "lump sums" state "lump sum"). And the value's source must
say it: at least one of those parts stands in a sentence that cites the source (a deadline's hour may have its own
sentence, "The closing time of the 2023 call was 17:00", after the sentence that gives the date).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

from assistant.calls import CallFacts
from assistant.corpus.markers import parse_markers, sentence_ids, strip_markers
from assistant.corpus.registry import load_registry
from assistant.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[2]
CALLS = ROOT / "corpus" / "cerv" / "calls"
SOURCES = ROOT / "corpus" / "sources.yaml"
DOCUMENTS = sorted(CALLS.glob("*.md"))

_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
_MONTHS = ("January February March April May June July August September October November December").split()
_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()


# -- the corpus forms of a value ---------------------------------------------------------------------------------


def date_forms(day: dt.date) -> list[str]:
    """How the corpus writes a date: "1 October 2025"."""
    return [f"{day.day} {_MONTHS[day.month - 1]} {day.year}"]


def time_forms(hour: dt.time) -> list[str]:
    return [hour.strftime("%H:%M")]


def amount_forms(euros: int) -> list[str]:
    """ "4,000,000" and, for a round amount of a million or more, "EUR 4 million" ("EUR 4.2 million")."""
    forms = [f"{euros:,}"]
    if euros >= 1_000_000 and euros % 10_000 == 0:
        forms.append(f"EUR {euros / 1_000_000:g} million")
    return forms


def count_forms(count: int) -> list[str]:
    return [str(count)] + ([_WORDS[count]] if count < len(_WORDS) else [])


def parts(value: Any) -> list[list[str]]:  # noqa: ANN401 - any of the models' value types
    """The parts a value's text must state, each as its alternative forms."""
    if hasattr(value, "amount"):
        return [amount_forms(value.amount)]
    if hasattr(value, "count"):
        return [count_forms(value.count)]
    if hasattr(value, "text"):
        return [[value.text, f"{value.text}s"]]  # "lump sum": "lump-sum grants", "funded through lump sums"
    found = [date_forms(value.date)]
    if getattr(value, "time", None) is not None:
        found.append(time_forms(value.time))
    return found


def _fold(text: str) -> str:
    return re.sub(r"[\s\-‐‑–]+", " ", text).casefold()


def stated(forms: list[str], text: str) -> bool:
    """Whether ``text`` writes one of ``forms`` as a whole (4,000,000 is not read in 14,000,000, 2 not in 2024)."""
    folded = _fold(text)
    for form in forms:
        pattern = r"(?<![\w.,])" + re.escape(_fold(form)) + r"(?![\w]|[.,]\d)"
        if re.search(pattern, folded):
            return True
    return False


# -- a call document ---------------------------------------------------------------------------------------------


def split_document(path: Path) -> tuple[dict[str, Any], str]:
    """The front matter (yaml.safe_load) and the body of a corpus Markdown document."""
    match = _FRONT.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name}: no front matter"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), f"{path.name}: the front matter is not a mapping"
    return meta, match.group(2)


def cited_sentences(body: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each sentence of the body (markers stripped) with the ids of the sources it cites."""
    cited = parse_markers(body)
    return list(zip(split_sentences(cited.text), sentence_ids(cited), strict=True))


def unstated(facts: CallFacts, body: str) -> list[str]:
    """The values of ``facts`` the body does not state, or states in no sentence of their source: one line each,
    naming the attribute, the value and the source."""
    text = strip_markers(body)
    sentences = cited_sentences(body)
    problems = []
    for name, values in facts.attributes().items():
        for value in values:
            shown = f"{name} {value.model_dump(mode='json', exclude_none=True, exclude_defaults=True)}"
            missing = [forms for forms in parts(value) if not stated(forms, text)]
            if missing:
                problems.append(f"{shown}: {' / '.join(missing[0])} is not in the text")
                continue
            own = [s for s, ids in sentences if value.source in ids]
            if not own:
                problems.append(f"{shown}: no sentence cites [^{value.source}]")
            elif not any(stated(forms, s) for forms in parts(value) for s in own):
                problems.append(f"{shown}: no sentence citing [^{value.source}] states it")
    return problems


def _facts(path: Path) -> CallFacts:
    meta, _ = split_document(path)
    assert "call" in meta, f"{path.name}: a call document (call_id {meta.get('call_id')}) has no call: block"
    try:
        return CallFacts.model_validate(meta["call"])
    except ValidationError as exc:
        pytest.fail(f"{path.name}: call: does not validate:\n{exc}")


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


CALL_DOCUMENTS = [p for p in DOCUMENTS if split_document(p)[0].get("call_id")]


# -- the tests -----------------------------------------------------------------------------------------------------


def test_there_are_call_documents() -> None:
    assert len(CALL_DOCUMENTS) >= 14, [p.name for p in DOCUMENTS]


@pytest.mark.parametrize("path", CALL_DOCUMENTS, ids=_ids(CALL_DOCUMENTS))
def test_call_block_validates(path: Path) -> None:
    facts = _facts(path)
    meta, _ = split_document(path)
    assert list(meta)[-1] == "call", f"{path.name}: call: is not the last key of the front matter"
    assert facts.programme == meta["programme"], f"{path.name}: programme"


@pytest.mark.parametrize("path", CALL_DOCUMENTS, ids=_ids(CALL_DOCUMENTS))
def test_call_block_names_sources_of_the_registry(path: Path) -> None:
    registry, _ = load_registry(SOURCES)
    facts = _facts(path)
    unknown = [
        f"{name} {value.source}"
        for name, values in facts.attributes().items()
        for value in values
        if value.source not in registry
    ]
    assert not unknown, f"{path.name}: sources not in corpus/sources.yaml: {unknown}"


@pytest.mark.parametrize("path", CALL_DOCUMENTS, ids=_ids(CALL_DOCUMENTS))
def test_call_block_agrees_with_the_front_matter(path: Path) -> None:
    meta, _ = split_document(path)
    facts = _facts(path)
    assert facts.call_id == meta["call_id"], f"{path.name}: call_id {facts.call_id} != {meta['call_id']}"
    assert facts.year == meta["year"], f"{path.name}: year {facts.year} != {meta['year']}"
    if meta["topic"] in ("town-twinning", "networks-of-towns", "remembrance", "citizens-engagement"):
        assert facts.type == meta["topic"], f"{path.name}: type {facts.type} != topic {meta['topic']}"
    deadline = meta.get("deadline")
    if facts.deadline:
        assert deadline is not None, f"{path.name}: typed deadlines but no deadline key"
    if deadline is None:
        return
    if isinstance(deadline, dt.datetime):
        moments = [dt.datetime.combine(v.date, v.time, ZoneInfo(v.zone)) for v in facts.deadline if v.time is not None]
        assert deadline in moments, f"{path.name}: deadline {deadline.isoformat()} is none of the typed {moments}"
    else:
        days = [v.date for v in facts.deadline if v.time is None]
        assert deadline in days, f"{path.name}: deadline {deadline} is none of the typed dates without hour {days}"


@pytest.mark.parametrize("path", CALL_DOCUMENTS, ids=_ids(CALL_DOCUMENTS))
def test_every_typed_value_is_stated_by_the_document(path: Path) -> None:
    _, body = split_document(path)
    problems = unstated(_facts(path), body)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# -- the checker itself --------------------------------------------------------------------------------------------


def test_forms() -> None:
    assert date_forms(dt.date(2025, 10, 1)) == ["1 October 2025"]
    assert time_forms(dt.time(17, 0)) == ["17:00"]
    assert amount_forms(4_000_000) == ["4,000,000", "EUR 4 million"]
    assert amount_forms(4_200_000) == ["4,200,000", "EUR 4.2 million"]
    assert amount_forms(2_745_135) == ["2,745,135"]
    assert amount_forms(50_745) == ["50,745"]
    assert count_forms(2) == ["2", "two"]
    assert stated(["4,000,000"], "a budget of EUR 4,000,000 (EUR 4 million).")
    assert not stated(["4,000,000"], "a budget of EUR 14,000,000.")
    assert not stated(["EUR 4 million"], "EUR 4.2 million")
    assert not stated(["2"], "the 2024 call")
    assert stated(["one"], "at least one of them")
    assert stated(["lump sum"], "lump-sum grants")


def test_a_value_the_text_does_not_state_is_reported() -> None:
    body = (
        "The 2024 call closed on 19 September 2024 at 17:00 Brussels time.[^a] "
        "The 2024 call had a budget of EUR 4,000,000.[^b]\n"
    )
    facts = CallFacts.model_validate(
        {
            "programme": "CERV",
            "call_id": "CERV-2024-CITIZENS-TOWN-TT",
            "type": "town-twinning",
            "year": 2024,
            "deadline": [
                {"date": "2024-09-19", "time": "17:00", "source": "a"},
                {"date": "2024-09-17", "source": "a"},
            ],
            "budget": [{"amount": 4_000_000, "source": "a"}, {"amount": 5_000_000, "source": "b"}],
        }
    )
    problems = unstated(facts, body)
    assert len(problems) == 3, problems
    assert problems[0].startswith("deadline") and "17 September 2024" in problems[0]
    assert "no sentence citing [^a] states it" in problems[1]  # the amount is in the text, but from source b
    assert problems[2].startswith("budget") and "5,000,000" in problems[2]
