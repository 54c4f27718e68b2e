"""Citations and authority: each quoted sentence is cited by the page that holds its fact, official sources lead,
and a secondary source giving another value is disclosed after the answer, never dropped.

Over the session's fixture index (its documents cite sources per sentence), over hand-made passages, and over an
index of the real corpus for the known case of the CERV budget."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from assistant.answer.answer import Answer
from assistant.answer.extractive import ExtractiveComposer
from assistant.config import Settings
from assistant.corpus.markers import parse_markers, sentence_ids
from assistant.corpus.registry import load_registry
from assistant.ingest.loaders import load_document
from assistant.ingest.splitting import Chunk, sections
from assistant.question.query import analyse
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.lexical import LexicalIndex
from assistant.sentences import split_sentences
from assistant.service import Assistant
from tests.conftest import FIXTURES, fixed_clock


def urls_by_sentence(corpus: Path) -> dict[str, set[str]]:
    """Every sentence of the Markdown documents under ``corpus`` -> the urls its markers name."""
    registry = load_registry(corpus / "sources.yaml")[0]
    out: dict[str, set[str]] = {}
    for path in corpus.rglob("*.md"):
        doc = load_document(path, path.name)
        for _, body in sections(doc.text, doc.title):
            cited = parse_markers(body)
            for sentence, names in zip(split_sentences(cited.text), sentence_ids(cited), strict=True):
                out[sentence] = {registry.entries[n].url for n in names}
    return out


def cited_pairs(answer: Answer) -> list[tuple[str, int]]:
    """(sentence, citation number) for each quoted sentence of an answer: the supporting sentences after a direct
    answer from the call registry (after its blank line), else every cited sentence."""
    quoted = answer.answer.rpartition("\n\n")[2]
    return [
        (m["sentence"].strip(), int(m["n"])) for m in re.finditer(r"(?P<sentence>[^\[\]]+?) \[(?P<n>\d+)\]", quoted)
    ]


@pytest.mark.parametrize(
    "question",
    [
        "When did the 2025 networks of towns call open and close, and what was its budget?",
        "What was the budget of the 2024 town twinning call and the amount per project?",
        "How many participants did a 2024 town twinning event need?",
        "How much could a REALISE proposal receive?",
    ],
)
def test_each_cited_sentence_links_to_the_page_of_its_own_fact(service: Assistant, question: str) -> None:
    expected = urls_by_sentence(FIXTURES / "corpus")
    answer = service.ask(question)
    pairs = cited_pairs(answer)
    assert answer.answered and pairs
    for sentence, number in pairs:
        source = answer.sources[number - 1]
        assert source.url in expected[sentence], (sentence, source.url)
        assert sentence in source.snippet
        assert source.kind in {"official", "contact-point", "association", "secondary"} and source.confidence


def test_two_sentences_citing_the_same_page_share_one_number(service: Assistant) -> None:
    answer = service.ask("When did the 2025 networks of towns call open and close, and what was its budget?")
    assert "27 March 2025" in answer.answer and "10,000,000" in answer.answer
    assert {n for _, n in cited_pairs(answer)} == {1} and len(cited_pairs(answer)) >= 2
    assert [s.url for s in answer.sources] == ["https://euro-access.eu/en/calls/1711/Networks-of-Towns"]


def test_sentences_from_different_pages_of_one_document_are_cited_apart(service: Assistant) -> None:
    answer = service.ask("What was the budget of the 2024 town twinning call and the amount per project?")
    assert {s.url for s in answer.sources} == {
        "https://www.euro-access.eu/en/calls/1237/Town-Twinning",  # the amount per project
        "https://europapact.frl/calloverzicht/town-twinning/",  # the budget
    }


# Hand-made passages: an official and a secondary page giving the 2031 budget of an imaginary programme.
SOURCES = {
    "eu": {
        "url": "https://ec.europa.eu/prog",
        "title": "European Commission: Prog",
        "kind": "official",
        "confidence": "high",
    },
    "agg": {
        "url": "https://www.aggregator.example/prog",
        "title": "Aggregator: Prog",
        "kind": "secondary",
        "confidence": "low",
    },
}


def chunk(cid: str, body: str, ids: list[list[str]]) -> Chunk:
    used = {n for names in ids for n in names}
    meta = {
        "doc_id": f"{cid}.md",
        "title": "Prog budget",
        "header_chars": 0,
        "sentence_sources": json.dumps(ids),
        "sources": json.dumps({n: SOURCES[n] for n in used}),
    }
    return Chunk(cid, body, meta)


def compose(question: str, chunks: list[Chunk]) -> Answer:
    passages = [Passage(c, 1.0 / (i + 1), 0.5) for i, c in enumerate(chunks)]
    return ExtractiveComposer().compose(analyse(question), passages, LexicalIndex(chunks), fixed_clock(2026, 1, 1)())


AGGREGATOR = chunk("agg", "The total budget of the Prog programme is EUR 766,3 billion.", [["agg"]])
OFFICIAL = chunk("eu", "The Prog programme has a budget of EUR 641,705,000.", [["eu"]])


def test_an_official_figure_leads_and_a_contradicting_secondary_one_is_disclosed_after_it() -> None:
    answer = compose("What is the total budget of the Prog programme?", [AGGREGATOR, OFFICIAL])
    assert answer.answered
    assert answer.answer.startswith("The Prog programme has a budget of EUR 641,705,000. [1]")
    assert answer.answer.endswith(
        "Another source (aggregator.example) gives a different value: The total budget of the Prog programme is "
        "EUR 766,3 billion. [2]"
    )
    assert [(s.url, s.kind) for s in answer.sources] == [
        ("https://ec.europa.eu/prog", "official"),
        ("https://www.aggregator.example/prog", "secondary"),
    ]


def test_the_disclosure_speaks_the_language_of_the_question() -> None:
    answer = compose("Quel est le budget total du programme Prog ?", [AGGREGATOR, OFFICIAL])
    assert "Une autre source (aggregator.example) donne une valeur différente : “The total budget" in answer.answer


def test_a_secondary_source_that_agrees_is_quoted_as_usual() -> None:
    agreeing = chunk("agg", "The total budget of the Prog programme is EUR 641,705,000.", [["agg"]])
    answer = compose("What is the total budget of the Prog programme?", [agreeing, OFFICIAL])
    assert "Another source" not in answer.answer and "641,705,000" in answer.answer


def test_a_secondary_figure_alone_still_answers() -> None:
    answer = compose("What is the total budget of the Prog programme?", [AGGREGATOR])
    assert answer.answered and answer.answer.startswith("The total budget of the Prog programme is EUR 766,3 billion.")


@pytest.fixture(scope="module")
def corpus_service(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Assistant:  # noqa: ANN001
    """The real corpus, ingested once for this module."""
    from assistant.ingest.pipeline import run_ingest

    root = tmp_path_factory.mktemp("real-corpus")
    shutil.copytree(Path(__file__).parents[2] / "corpus", root / "corpus")
    settings = Settings(_env_file=None, corpus_dir=root / "corpus", data_dir=root / "data")
    run_ingest(settings, embeddings=embeddings, progress=False)
    return Assistant(settings, embeddings, clock=fixed_clock(2026, 11, 21))


def test_the_cerv_budget_is_led_by_the_official_figures_not_the_aggregators_typo(corpus_service: Assistant) -> None:
    answer = corpus_service.ask("What is the total CERV budget?")
    lead = answer.answer.split(" [1]")[0]
    assert "766,3" not in lead and ("1.5 billion" in lead or "641,705,000" in lead)
    assert answer.sources[0].kind == "official"
    assert "Another source (social-economy-gateway.ec.europa.eu) gives a different value: " in answer.answer
    typo = answer.answer.index("766,3 billion")
    assert all(answer.answer.index(f) < typo for f in ("1.5 billion", "641,705,000"))


def test_a_snippet_keeps_the_sentences_an_answer_quotes_whole() -> None:
    from assistant.answer.extractive import SNIPPET_CHARS, _clip

    # Five quoted sentences of one page (about 1,100 characters): the last one's figure stays in the snippet.
    quoted = " ".join(
        f"Sentence {i} of the page states that the strand receives EUR {i},000,000 in total. " * 3 for i in range(5)
    )
    assert len(quoted) > 1000 and _clip(quoted) == quoted
    # Only an unusually long snippet is cut, at a word, marked as cut.
    long = "word " * SNIPPET_CHARS
    assert len(_clip(long)) <= SNIPPET_CHARS and _clip(long).endswith("…")
