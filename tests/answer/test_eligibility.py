"""Eligibility of countries reasoned from the registry (answer/eligibility.py): a call's partnership rule weighed
against each country named, every rule and status cited by the sentence that states it, and an unknown status
said to be unknown. Over a small index of two documents built here: a call with its rule, and country records."""

from __future__ import annotations

import json

import pytest

from assistant.answer.answer import Answer
from assistant.answer.eligibility import asks_about_countries
from assistant.answer.extractive import ExtractiveComposer
from assistant.calls.registry import CALL_FACTS, PROGRAMME_FACTS, call_facts_json, programme_facts_json
from assistant.ingest.splitting import Chunk
from assistant.question.query import analyse
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.lexical import LexicalIndex
from tests.conftest import fixed_clock

SOURCES = {
    "portal": {"url": "https://portal.example/tt-2024", "title": "Portal", "kind": "official", "confidence": "high"},
    "listing": {"url": "https://listing.example/nt", "title": "Listing", "kind": "secondary", "confidence": "medium"},
    "agreement": {"url": "https://bih.example/cerv", "title": "Agreement", "kind": "official", "confidence": "high"},
}


def _chunk(cid: str, body: str, ids: list[list[str]], **meta: object) -> Chunk:
    used = {n for names in ids for n in names}
    return Chunk(
        cid,
        body,
        {
            "doc_id": f"{cid}.md",
            "title": cid,
            "header_chars": 0,
            "sentence_sources": json.dumps(ids),
            "sources": json.dumps({n: SOURCES[n] for n in used}),
            **meta,
        },
    )


CALL = {
    "programme": "CERV",
    "call_id": "CERV-2024-CITIZENS-TOWN-TT",
    "type": "town-twinning",
    "year": 2024,
    "min_countries": [{"count": 2, "source": "portal"}],
    "min_eu_member_states": [{"count": 1, "source": "portal"}],
}
COUNTRIES = {
    "countries": [
        {"country": "Serbia", "status": "eligible", "call": "networks-of-towns", "year": 2023, "source": "listing"},
        {"country": "Bosnia & Herzegovina", "status": "associated", "since": "2023-01-01", "source": "agreement"},
    ]
}
CHUNKS = [
    _chunk(
        "tt-2024",
        "A 2024 Town Twinning project had to involve towns from at least 2 eligible countries, at least one of them "
        "an EU Member State.",
        [["portal"]],
        topic="town-twinning",
        year=2024,
        call_id="CERV-2024-CITIZENS-TOWN-TT",
        **{CALL_FACTS: call_facts_json(CALL, "tt-2024")},
    ),
    _chunk(
        "countries",
        "The 2023 networks of towns listing showed Serbia as eligible. The Bosnia and Herzegovina CERV agreement "
        "applies from 1 January 2023.",
        [["listing"], ["agreement"]],
        topic="programme",
        **{PROGRAMME_FACTS: programme_facts_json(COUNTRIES, "countries")},
    ),
    _chunk(
        "nt-2023",
        "The 2023 Networks of Towns call funded networks.",
        [["listing"]],
        topic="networks-of-towns",
        year=2023,
        call_id="CERV-2023-CITIZENS-TOWN-NT",
        **{
            CALL_FACTS: call_facts_json(
                {
                    "programme": "CERV",
                    "call_id": "CERV-2023-CITIZENS-TOWN-NT",
                    "type": "networks-of-towns",
                    "year": 2023,
                },
                "nt-2023",
            )
        },
    ),
]


def _ask(question: str, chunks: list[Chunk] = CHUNKS) -> Answer:
    passages = [Passage(c, 1.0 / (i + 1), 0.5) for i, c in enumerate(chunks)]
    index = LexicalIndex(chunks)
    return ExtractiveComposer().compose(analyse(question), passages, index, fixed_clock(2025, 1, 10)())


FAQ = _chunk(
    "faq",
    "No, towns do not need a formal twinning agreement to apply for town twinning. Twinning is understood broadly.",
    [["portal"], ["portal"]],
    topic="town-twinning",
)


def test_a_year_of_the_context_only_names_no_call() -> None:
    # 2012 is when the friendship began, no call's year: the latest call stating a rule answers.
    answer = _ask("We are a Hungarian town, friends with a Serbian town since 2012. Can we do town twinning?")
    assert (
        answer.answered and "Town Twinning 2024" in answer.answer and "Hungary is an EU Member State" in answer.answer
    )


def test_the_other_part_of_an_eligibility_question_is_answered_by_a_sentence_naming_no_country() -> None:
    question = "For town twinning, can we partner with a Serbian town, and do we need a formal twinning agreement?"
    answer = _ask(question, [*CHUNKS, FAQ])
    # The registry answers for Serbia; the agreement is answered by the sentence holding it, which names no country.
    assert answer.answered and "at least 2 eligible countries" in answer.answer and "Serbia" in answer.answer
    assert "do not need a formal twinning agreement" in answer.answer


def test_two_non_member_countries_alone_do_not_meet_the_member_state_rule() -> None:
    answer = _ask("Can a Serbian and a Bosnian town do a town twinning project together in 2024?")
    assert answer.answered and answer.answer.startswith("No:")
    assert "at least one EU Member State" in answer.answer and "Serbia" in answer.answer
    # The rule is cited by the call's sentence; Serbia's 2024 status is unknown, its 2023 listing cited.
    assert "The documents do not state whether Serbia takes part in CERV in 2024" in answer.answer
    assert "Networks of Towns 2023" in answer.answer
    assert {s.url for s in answer.sources} >= {SOURCES["portal"]["url"], SOURCES["listing"]["url"]}


def test_a_member_and_an_associated_country_meet_the_rule() -> None:
    answer = _ask("We are a municipality in Bosnia and Herzegovina. Could we apply to TT 2024 with a Croatian town?")
    assert answer.answered and answer.answer.startswith("Yes:")
    assert "Croatia is an EU Member State" in answer.answer and "1 January 2023" in answer.answer
    assert SOURCES["agreement"]["url"] in {s.url for s in answer.sources}


def test_an_unknown_status_gives_the_rule_without_a_verdict() -> None:
    answer = _ask("Can a French town and a Serbian town do a TT 2024 project?")
    assert answer.answered and not answer.answer.startswith(("Yes", "No"))
    assert answer.answer.startswith("A project under the Town Twinning 2024 call")


def test_countries_the_sources_never_speak_of_are_refused() -> None:
    # Switzerland and Norway have no CERV record here: no "No" is made up from CLDR's list of territories, and the
    # call's rule alone does not answer whether they take part.
    answer = _ask("Can a Swiss and a Norwegian town do a TT 2024 project together?")
    assert not answer.answered and answer.refused_by == "country"
    assert answer.answer.startswith("The documents do not say whether Switzerland takes part in CERV.")
    assert "Norway" in answer.answer


def test_an_overseas_territory_is_not_refused_as_unknown() -> None:
    # The sources speak of the overseas countries and territories as a group: the call's rule is given.
    answer = _ask("Can a town in French Polynesia take part in a TT 2024 project?")
    assert answer.answered and answer.answer.startswith("A project under the Town Twinning 2024 call")


def test_an_overseas_territory_is_said_to_be_one_cited_by_the_sentence_on_the_octs() -> None:
    octs = _chunk(
        "eligible",
        "Entities in the EU Member States are eligible, including those in the overseas countries and territories.",
        [["portal"]],
        topic="programme",
    )
    answer = _ask("We're a commune in French Polynesia. Can we take part in a TT 2024 project?", [*CHUNKS, octs])
    assert "French Polynesia is one of the overseas countries and territories (OCTs)" in answer.answer
    # The sentence saying so supports it, cited.
    assert "including those in the overseas countries and territories. [" in answer.answer


def test_the_answer_is_in_the_question_language() -> None:
    answer = _ask("Peut-on faire un jumelage 2024 entre une ville de Serbie et une ville de Bosnie-Herzégovine ?")
    assert answer.answered and answer.language == "fr" and answer.answer.startswith("Non :")


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Can a Serbian town take part in town twinning?", True),
        # Member States only: whether they may make up a project together.
        ("Could a TT project involve only an Italian and an Austrian town?", True),
        ("For town twinning, what if it's only Serbia and Montenegro, no EU town?", True),
        ("Does a town twinning project with a Serbian town need an EU partner?", True),
        ("Una città della Bosnia ed Erzegovina può partecipare al gemellaggio 2024?", True),
        # Another thing asked about the countries, or no call: not an eligibility question.
        ("How many Italian towns were funded in TT 2022?", False),
        ("When is the deadline for Serbian towns in TT 2024?", False),
        ("Can a Serbian town join CEMR?", False),
        ("Can we apply to town twinning 2024?", False),
        ("Our town and a village in Austria never signed a charter. Can we still apply for town twinning?", False),
        ("Which account do I need before I can submit our TT application with our Slovak twin town?", False),
        # Member States named only in the context: the question asks something else of them.
        ("We're twinned with an Austrian and an Italian town. Where may TT activities take place?", False),
        # Two years' calls compared: their rules are compared, whoever the context's partners are.
        (
            "Our 2022 network had partners in Italy, Spain and Albania. Can you compare the 2022 and the 2025 "
            "networks of towns minimum partnership?",
            False,
        ),
    ],
)
def test_an_eligibility_question_is_recognised(question: str, asks: bool) -> None:
    assert asks_about_countries(analyse(question)) is asks


def test_member_states_alone_meet_the_rule_when_enough_of_them() -> None:
    answer = _ask("Could a TT 2024 project involve only an Italian and an Austrian town?")
    assert answer.answered and answer.answer.startswith("Yes:"), answer.answer
    assert "Italy is an EU Member State" in answer.answer and "Austria is an EU Member State" in answer.answer


def _with_nt_2022(question: str) -> Answer:
    """``question`` answered over the fixture plus the 2022 Networks of Towns call and its rule (5 countries, 3 of
    them Member States); the fixture's 2023 call states no rule."""
    nt_2022 = {
        "programme": "CERV",
        "call_id": "CERV-2022-CITIZENS-TOWN-NT",
        "type": "networks-of-towns",
        "year": 2022,
        "min_countries": [{"count": 5, "source": "portal"}],
        "min_eu_member_states": [{"count": 3, "source": "portal"}],
    }
    chunk = _chunk(
        "nt-2022",
        "A 2022 Networks of Towns project needed towns from at least 5 eligible countries, at least 3 of them EU "
        "Member States.",
        [["portal"]],
        topic="networks-of-towns",
        year=2022,
        call_id="CERV-2022-CITIZENS-TOWN-NT",
        **{CALL_FACTS: call_facts_json(nt_2022, "nt-2022")},
    )
    chunks = [chunk, *CHUNKS]
    passages = [Passage(c, 1.0 / (i + 1), 0.5) for i, c in enumerate(chunks)]
    return ExtractiveComposer().compose(analyse(question), passages, LexicalIndex(chunks), fixed_clock(2025, 1, 10)())


def test_too_few_member_states_named_do_not_meet_the_rule_whatever_the_others() -> None:
    question = "Would a 2022 network of towns in Serbia, Bosnia and Herzegovina, Croatia and Slovenia meet the rule?"
    answer = _with_nt_2022(question)
    assert answer.answered and answer.answer.startswith("No:"), answer.answer
    assert "at least 3 EU Member States" in answer.answer and "include only 2" in answer.answer
    assert "2" in answer.computed  # counted, not quoted: the grounding check knows it
    assert SOURCES["portal"]["url"] in {s.url for s in answer.sources}


def test_too_few_countries_do_not_meet_the_rule_of_the_latest_call_stating_one() -> None:
    # No year asked: the 2023 call states no rule, so the 2022 call's is weighed, and named.
    answer = _with_nt_2022("Can we do a networks of towns project with just a French, a German and an Italian town?")
    assert answer.answered and answer.answer.startswith("No:"), answer.answer
    assert "Networks of Towns 2022" in answer.answer and "at least 5 eligible countries" in answer.answer
    assert "only 3 are named" in answer.answer and "3" in answer.computed


def _nt_2024(body: str, **counts: int) -> Chunk:
    """The 2024 Networks of Towns call's document, stating ``body``, with the fixture call's facts but these counts
    (``min_countries=5``, ...)."""
    nt = {**CALL, "call_id": "CERV-2024-CITIZENS-TOWN-NT", "type": "networks-of-towns"}
    nt.update({name: [{"count": n, "source": "portal"}] for name, n in counts.items()})
    return _chunk(
        "nt-2024",
        body,
        [["portal"]],
        topic="networks-of-towns",
        year=2024,
        call_id="CERV-2024-CITIZENS-TOWN-NT",
        **{CALL_FACTS: call_facts_json(nt, "nt-2024")},
    )


def test_two_calls_minimum_countries_compared_give_the_difference() -> None:
    network = _nt_2024(
        "A 2024 Networks of Towns project had to involve towns from at least 5 eligible countries, at least one of "
        "them an EU Member State.",
        min_countries=5,
    )
    answer = _ask(
        "In 2024, how did the minimum number of countries differ between town twinning and networks of towns?",
        [*CHUNKS, network],
    )
    # Each call's minimum, cited, then their difference (5 - 2), computed.
    assert answer.answered and "at least 5 eligible countries" in answer.answer and "3" in answer.computed


def test_a_minimum_partnership_is_the_fewest_countries_and_member_states() -> None:
    answer = _with_nt_2022("What was the minimum partnership for networks of towns in 2022?")
    assert answer.answered, answer.answer
    # The registry's partnership rule, both its parts cited, not a passage about something else of the call.
    lead = answer.answer.split("\n")[0]
    assert "at least 5 eligible countries" in lead and "at least 3 of the countries involved" in lead, lead


def test_one_member_state_required_is_written_as_one() -> None:
    # The fixture's 2024 TT call asks at least 1 Member State: "at least one ... an EU Member State", as its
    # sentence says, not "at least 1 ... must be EU Member States".
    answer = _ask("What is the minimum partnership for town twinning 2024?")
    lead = answer.answer.split("\n")[0]
    assert "at least one of the countries involved must be an EU Member State" in lead, lead
    assert "at least 1 " not in lead, lead


def test_two_calls_minimum_partnerships_compared_give_each_difference_after_its_values() -> None:
    # The TT call states no fewest applicants: that part is left out, not a refusal.
    network = _nt_2024(
        "A 2024 Networks of Towns project had to involve at least 5 applicants from at least 5 eligible countries, "
        "at least 3 of them EU Member States.",
        min_countries=5,
        min_eu_member_states=3,
        min_applicants=5,
    )
    answer = _ask(
        "In 2024, how did the minimum partnership differ between town twinning and networks of towns?",
        [*CHUNKS, network],
    )
    lead = answer.answer.split("\n")[0]
    assert answer.answered and {"3", "2"} <= set(answer.computed), answer.answer
    # The countries' difference follows the countries, before the Member States are given.
    assert lead.index("3 less") < lead.index("of the countries involved must be EU Member States"), lead
