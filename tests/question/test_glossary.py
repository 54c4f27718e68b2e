"""The glossary's data files and its stemmed matching (assistant/question/glossary.py, glossaries/*.yaml)."""

import time

import pytest
import yaml

from assistant.question.glossary import (
    DOMAIN_TERMS,
    GLOSSARY_LANGUAGES,
    Glossary,
    GlossaryFile,
    _UniqueKeyLoader,
    glossary,
    read_glossary_file,
)
from assistant.question.languages import english_terms, english_word, foreign_phrases
from assistant.question.text import fold


@pytest.mark.parametrize("lang", GLOSSARY_LANGUAGES)
def test_every_file_validates_and_feeds_domain_terms(lang: str) -> None:
    data = read_glossary_file(lang)
    entries = data.entries()
    assert len(entries) > 100
    assert all(english.strip() and english == english.strip() for _, english, _ in entries)
    assert DOMAIN_TERMS[lang] == {fold(term): english for term, english, _ in entries}


@pytest.mark.parametrize("lang", GLOSSARY_LANGUAGES)
def test_every_entry_is_reached_by_its_own_words(lang: str) -> None:
    """No entry is shadowed by another: each term, read as a question, maps to its own English alone."""
    terms = glossary(lang)
    shadowed = [(t.text, [f.text for f in terms.find(t.text)]) for t in terms.terms if terms.find(t.text) != [t]]
    assert not shadowed


def test_duplicate_terms_are_refused() -> None:
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate"):
        yaml.load("terms:\n  jumelage: town twinning\n  jumelage: twinning\n", Loader=_UniqueKeyLoader)  # noqa: S506
    with pytest.raises(ValueError, match="twice"):
        GlossaryFile(terms={"échéance": "deadline"}, exact={"echeance": "deadline"}).entries()
    with pytest.raises(ValueError, match="empty English"):
        GlossaryFile(terms={"échéance": " "})
    with pytest.raises(ValueError, match="lower case"):
        GlossaryFile(terms={"Échéance": "deadline"})
    with pytest.raises(ValueError, match="four letters"):
        GlossaryFile(terms={}, prefix={"ag": "strand"}).entries()


# Language -> (entry, an inflected form of it that the entry alone covers). The forms are not in the files.
INFLECTED: dict[str, list[tuple[str, str]]] = {
    "fr": [
        ("jumelage", "jumelages"),
        ("candidature", "candidatures"),
        ("financement", "financer"),
        ("montant", "montants"),
        ("date limite", "dates limites"),
        ("réseau de villes", "réseaux de villes"),
        ("gérer", "gère"),
        ("refusé", "refusées"),
    ],
    "it": [
        ("gemellaggio", "gemellaggi"),
        ("scadenza", "scadenze"),
        ("finanziamento", "finanziamenti"),
        ("massimo", "massima"),
        ("valutazione", "valutato"),
        ("candidatura", "candidature"),
        ("rete di città", "reti di città"),
        ("stato membro", "stati membri"),
    ],
    "hu": [
        ("határidő", "határidőt"),
        ("határidő", "határidőig"),
        ("határideje", "határidejét"),
        ("pályázat", "pályázatok"),
        ("önkormányzat", "önkormányzatok"),
        ("keret", "kerete"),
        ("alapít", "alapította"),
        ("pénz", "pénzt"),
    ],
    "ro": [
        ("termen limită", "termenul limită"),
        ("buget", "bugetul"),
        ("oraș", "orașelor"),
        ("proiect", "proiectele"),
        ("finanțare", "finanțarea"),
        ("primării", "primăriile"),
        ("maxim", "maximul"),
        ("cetățean", "cetățeanul"),
    ],
    "de": [
        ("städtepartnerschaft", "städtepartnerschaften"),
        ("städtepartnerschaft", "städtepartnerschaften"),
        ("frist", "fristen"),
        ("zuschuss", "zuschüsse"),
        ("gemeinde", "gemeinden"),
        ("verband", "verbände"),
        ("kontaktstelle", "kontaktstellen"),
        ("lokale behörde", "lokalen behörden"),
    ],
    "es": [
        ("hermanamiento", "hermanamientos"),
        ("proyecto", "proyectos"),
        ("red de ciudades", "redes de ciudades"),
        ("financiación", "financiar"),
        ("plazo", "plazos"),
        ("máximo", "máxima"),
        ("organización", "organizaciones"),
        ("autoridad local", "autoridades locales"),
    ],
}


@pytest.mark.parametrize("lang, entry, form", [(lang, e, f) for lang, rows in INFLECTED.items() for e, f in rows])
def test_one_entry_covers_its_inflections(lang: str, entry: str, form: str) -> None:
    terms = glossary(lang)
    assert fold(form) not in DOMAIN_TERMS[lang]
    assert [t.text for t in terms.find(form)] == [entry]
    assert english_terms(form.capitalize(), lang) == [DOMAIN_TERMS[lang][fold(entry)]]


# Language -> (word, English it must not bring): words that share a stem with an entry but not its meaning.
NOT_MATCHED: dict[str, list[tuple[str, str]]] = {
    "fr": [
        ("payé", "countries"),
        ("communication", "municipalities"),
        ("également", "equality"),
        ("vers", "payment"),
        ("fonds", "founded"),
        ("fonds", "legal basis"),
        ("par rapport à", "report"),
        ("répondre", "respondents"),
    ],
    "it": [
        ("temere", "themes"),
        ("presente", "submitted"),
        ("fondi", "founded"),
        ("comunicazione", "municipalities"),
        ("importante", "amount"),
        ("tasse", "funding rate"),
        ("finalmente", "aims"),
        ("soldati", "money"),
    ],
    "hu": [
        ("kér", "budget"),
        ("kerül", "budget"),
        ("élni", "president"),
        ("alapja", "founded"),
        ("média", "until when deadline"),
        ("határ", "deadline"),
        ("egyesült", "associations"),
        ("tartalom", "reserve list"),
    ],
    "ro": [
        ("tare", "countries"),
        ("contează", "account"),
        ("apele", "call"),
        ("comis", "european commission"),
        ("agent", "agency"),
        ("activ", "activities"),
        ("primarul", "municipalities"),
        ("ora", "towns"),
    ],
    "de": [
        ("wie hoch", "maximum"),
        ("Treffer", "meetings"),
        ("erheblich", "survey"),
        ("Grund", "founded"),
        ("Wanne", "when"),
        ("vergeblich", "awarded"),
        ("them", "themes"),
        ("wie viel Geld", "how many"),
    ],
    "es": [
        ("plaza", "deadline"),
        ("importante", "amount"),
        ("hermano", "town twinning"),
        ("se encuentra", "meetings"),
        ("temer", "themes"),
        ("resulta", "results"),
        ("mesa", "months"),
        ("administrativo", "managed"),
    ],
}


@pytest.mark.parametrize("lang, word, english", [(lang, w, e) for lang, rows in NOT_MATCHED.items() for w, e in rows])
def test_stems_shared_by_other_words_do_not_match(lang: str, word: str, english: str) -> None:
    assert english not in english_terms(word, lang)


@pytest.mark.parametrize(
    "text, lang, english",
    [
        # stemmed before accents are folded, and also when written without them
        ("Quelle était la date limite de l'appel ?", "fr", ["deadline", "call"]),
        ("Mi a pályázat határidejét?", "hu", ["deadline", "application apply"]),
        ("Mi a palyazat hataridejet?", "hu", ["deadline", "application apply"]),
        (
            "Care sunt tarile eligibile pentru infratirea oraselor?",
            "ro",
            ["eligible", "town twinning", "countries", "towns"],
        ),
        # a form the term is as written comes before the stem another term shares ("financés" / "financement")
        ("Combien de projets ont été financés ?", "fr", ["how many", "funded", "projects"]),
        ("Wie viel Geld gibt es?", "de", ["how much", "money"]),
        # a longer term before the shorter one it begins with: a percentage, not "how much"
        ("Wie viel Prozent Vorfinanzierung?", "de", ["percentage", "prefinancing"]),
        ("Wie viele Projekte?", "de", ["how many", "projects"]),
        # hyphens and elisions separate words
        ("Qui gère-t-il l'appel à propositions ?", "fr", ["call", "managed"]),
        # an irregular plural, verb forms and a question word
        (
            "unde semnăm acordul de grant și trimitem rapoartele?",
            "ro",
            ["grant agreement", "report", "submitted send", "where", "sign"],
        ),
        ("mikor csatlakoztak a régiók?", "hu", ["joined", "when", "regions"]),
    ],
)
def test_questions_map_to_english(text: str, lang: str, english: list[str]) -> None:
    assert english_terms(text, lang) == english


@pytest.mark.parametrize(
    ("text", "english"),
    [
        # a compound is read by its head ("Gesamtbudget": a budget), inflected too
        ("Wie groß ist das Gesamtbudget?", ["budget"]),
        ("Höhe des Gesamtbudgets", ["budget"]),
        # and by its first part where that is a term ("Städtepartnerschaft" + "Projekt")
        ("ein Städtepartnerschaftsprojekt", ["town twinning", "projects"]),
        # a word that is a term of its own is read as that term alone ("Vorfinanzierung" is no "Finanzierung")
        ("Vorfinanzierung", ["prefinancing"]),
        # a head of fewer than five letters is no evidence ("Besitz" holds no "Sitz")
        ("Besitz", []),
    ],
)
def test_german_compounds_are_read_by_their_head(text: str, english: list[str]) -> None:
    assert english_terms(text, "de") == english


def test_only_a_language_that_compounds_reads_heads() -> None:
    assert read_glossary_file("de").compound_heads and not read_glossary_file("fr").compound_heads
    plain = GlossaryFile(terms={"budget": "budget"})
    assert Glossary("de", plain).find("gesamtbudget") == []
    headed = GlossaryFile(terms={"budget": "budget"}, compound_heads=True)
    assert [t.text for t in Glossary("de", headed).find("gesamtbudget")] == ["budget"]


def test_another_languages_phrase_in_an_english_question_is_read_in_english() -> None:
    english, words = foreign_phrases("can our comite de jumelage apply directly or does it have to be the mairie")
    assert english == ["twinning committees"] and words == {"comite", "de", "jumelage"}
    # One word that may be English too ("commune") is no evidence, nor is an English phrase.
    assert foreign_phrases("Can a commune apply for town twinning?") == ([], frozenset())


def test_english_word_reads_one_word_by_its_stem() -> None:
    assert english_word("jeunes", "fr") == "young"
    assert english_word("proyectos", "es") == "projects"
    assert english_word("partecipanti", "it") == "participants"
    assert english_word("ville", "en") == "ville"
    assert english_word("xyz", "fr") == "xyz"


def test_matching_is_fast() -> None:
    question = (
        "Bonjour, je suis chargée de mission jumelage dans une commune de 4 500 habitants, jumelée avec un village "
        "de Galice. Nous voulons déposer un projet « jumelage de villes » CERV en 2026 : quelle est la date limite ?"
    )
    for lang in GLOSSARY_LANGUAGES:
        english_terms(question, lang)  # words stemmed once, then cached
    start = time.perf_counter()
    for _ in range(100):
        for lang in GLOSSARY_LANGUAGES:
            english_terms(question, lang)
    assert (time.perf_counter() - start) / 600 < 0.002  # seconds per call; about 0.02 ms on a quiet machine


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("ro", "Avem deja un PIC. Trebuie să ne înregistrăm din nou?"),
        ("it", "Abbiamo già un PIC: dobbiamo registrarci di nuovo?"),
        ("de", "Wir haben bereits eine PIC. Müssen wir uns erneut registrieren?"),
    ],
)
def test_already_and_again_are_read(lang: str, question: str) -> None:
    # "Register again when we already have a PIC?" is answered by the sentence saying not to register again.
    assert {"already", "again"} <= set(" ".join(english_terms(question, lang)).split())


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("de", "Wir haben keinen offiziellen Partnerschaftsvertrag. Können wir trotzdem einen Antrag stellen?"),
        ("it", "Non abbiamo un accordo di gemellaggio firmato: possiamo partecipare?"),
        ("fr", "Nous n'avons pas de charte de jumelage. Pouvons-nous candidater ?"),
    ],
)
def test_a_twinning_agreement_is_read(lang: str, question: str) -> None:
    assert "twinning agreement" in english_terms(question, lang)
