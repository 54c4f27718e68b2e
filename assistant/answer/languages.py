"""Languages: detect the question's language, map its domain terms to English, and speak its words.

Supported: English, French, Italian, Hungarian, Romanian, German, Spanish. Function words of one language only
decide first; otherwise lingua (restricted to these seven, low-accuracy mode: about 17 MB) decides, with domain
terms found in a question (``glossary.py``) as further evidence, since questions are short.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.glossary import DOMAIN_TERMS
from assistant.retrieval.text import fold

LANGUAGES = ("en", "fr", "it", "hu", "ro", "de", "es")

# The assistant's own words, per language. Quoted passages stay in the corpus' language (English).
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "sources": "Sources",
        "refusal": "I could not find this in the documents I have.",
        "nearby": "What the documents do say nearby:",
        "where_to_ask": "For details the documents do not cover, ask your national CERV contact point or check "
        "the call pages on the EU Funding & Tenders Portal.",
        "conflict": "Note: the sources disagree on this point; both values are given above with their sources.",
        "other_source": "Another source ({source}) gives a different value:",
        "deadline_passed": "The deadline of {title} ({date}) has passed.",
        "deadline_upcoming": "The deadline of {title} is {date}, in {days} days.",
        "upcoming_intro": "Calls in the documents whose deadline is still ahead (today is {today}):",
        "no_upcoming": "The documents hold no call with a deadline still ahead (today is {today}); the most recent "
        "deadline was {title} on {date}. New calls are announced on the EU Funding & Tenders Portal.",
        "greeting": "Hello! I answer questions about EU town-twinning funding: the CERV programme, its Town "
        "Twinning and Networks of Towns calls, and CEMR's twinning work. What would you like to know?",
        "thanks": "You're welcome! Ask me anything else about town-twinning funding.",
        "bye": "Goodbye, and good luck with your twinning project!",
        "about": "I am an assistant for EU town-twinning funding. I answer from official CERV and CEMR documents "
        "and cite them; when the documents don't hold the answer, I say so.",
    },
    "fr": {
        "sources": "Sources",
        "refusal": "Je n'ai pas trouvé cette information dans mes documents.",
        "nearby": "Voici ce que les documents disent à ce sujet :",
        "where_to_ask": "Pour ce que les documents ne couvrent pas, adressez-vous à votre point de contact national "
        "CERV ou consultez les pages de l'appel sur le portail Funding & Tenders de l'UE.",
        "conflict": "Attention : les sources divergent sur ce point ; les deux valeurs sont données ci-dessus.",
        "other_source": "Une autre source ({source}) donne une valeur différente :",
        "deadline_passed": "La date limite de {title} ({date}) est passée.",
        "deadline_upcoming": "La date limite de {title} est le {date}, dans {days} jours.",
        "upcoming_intro": "Appels des documents dont la date limite n'est pas passée (nous sommes le {today}) :",
        "no_upcoming": "Les documents ne contiennent aucun appel dont la date limite est à venir (nous sommes le "
        "{today}) ; la plus récente était {title}, le {date}. Les nouveaux appels sont publiés sur le portail "
        "Funding & Tenders de l'UE.",
        "greeting": "Bonjour ! Je réponds aux questions sur le financement européen des jumelages : le programme "
        "CERV, ses appels Jumelage de villes et Réseaux de villes, et le travail du CCRE. Que voulez-vous savoir ?",
        "thanks": "Avec plaisir ! N'hésitez pas à poser d'autres questions sur le financement des jumelages.",
        "bye": "Au revoir, et bonne chance pour votre projet de jumelage !",
        "about": "Je suis un assistant sur le financement européen des jumelages. Je réponds à partir des documents "
        "officiels CERV et CCRE et je les cite ; si les documents ne contiennent pas la réponse, je le dis.",
    },
    "it": {
        "sources": "Fonti",
        "refusal": "Non ho trovato questa informazione nei miei documenti.",
        "nearby": "Ecco che cosa dicono i documenti su questo tema:",
        "where_to_ask": "Per quanto i documenti non coprono, rivolgetevi al punto di contatto nazionale CERV o "
        "consultate le pagine del bando sul portale Funding & Tenders dell'UE.",
        "conflict": "Attenzione: le fonti non concordano su questo punto; entrambi i valori sono riportati sopra.",
        "other_source": "Un'altra fonte ({source}) indica un valore diverso:",
        "deadline_passed": "La scadenza di {title} ({date}) è passata.",
        "deadline_upcoming": "La scadenza di {title} è il {date}, tra {days} giorni.",
        "upcoming_intro": "Bandi nei documenti con scadenza ancora aperta (oggi è il {today}):",
        "no_upcoming": "I documenti non contengono bandi con scadenza futura (oggi è il {today}); l'ultima scadenza "
        "era {title}, il {date}. I nuovi bandi sono pubblicati sul portale Funding & Tenders dell'UE.",
        "greeting": "Buongiorno! Rispondo a domande sui finanziamenti UE per i gemellaggi: il programma CERV, i bandi "
        "Gemellaggio di città e Reti di città, e il lavoro del CCRE. Che cosa desidera sapere?",
        "thanks": "Prego! Chieda pure altro sui finanziamenti per i gemellaggi.",
        "bye": "Arrivederci e buona fortuna con il vostro gemellaggio!",
        "about": "Sono un assistente sui finanziamenti UE per i gemellaggi. Rispondo dai documenti ufficiali CERV e "
        "CCRE e li cito; se i documenti non contengono la risposta, lo dico.",
    },
    "hu": {
        "sources": "Források",
        "refusal": "Ezt nem találtam meg a rendelkezésemre álló dokumentumokban.",
        "nearby": "Amit a dokumentumok a témáról mondanak:",
        "where_to_ask": "Amit a dokumentumok nem tartalmaznak, azzal kapcsolatban forduljon a nemzeti CERV "
        "kapcsolattartó ponthoz, vagy nézze meg a felhívás oldalát az EU Funding & Tenders portálon.",
        "conflict": "Figyelem: a források ebben eltérnek; mindkét értéket megadtam fent a forrásukkal.",
        "other_source": "Egy másik forrás ({source}) eltérő értéket közöl:",
        "deadline_passed": "A(z) {title} határideje ({date}) lejárt.",
        "deadline_upcoming": "A(z) {title} határideje {date}, {days} nap múlva.",
        "upcoming_intro": "A dokumentumokban szereplő, még nyitott határidejű felhívások (ma {today} van):",
        "no_upcoming": "A dokumentumokban nincs még le nem járt határidejű felhívás (ma {today} van); a legutóbbi "
        "határidő: {title}, {date}. Az új felhívások az EU Funding & Tenders portálon jelennek meg.",
        "greeting": "Jó napot! A testvér-települési kapcsolatok uniós finanszírozásáról válaszolok: a CERV program, "
        "a testvértelepülési és településhálózati felhívások, valamint a CEMR munkája. Miben segíthetek?",
        "thanks": "Szívesen! Kérdezzen bátran mást is a testvértelepülési támogatásokról.",
        "bye": "Viszontlátásra, sok sikert a testvértelepülési projekthez!",
        "about": "A testvértelepülési kapcsolatok uniós finanszírozásáról szóló asszisztens vagyok. A hivatalos CERV "
        "és CEMR dokumentumokból válaszolok és hivatkozom rájuk; ha a válasz nincs bennük, megmondom.",
    },
    "ro": {
        "sources": "Surse",
        "refusal": "Nu am găsit această informație în documentele pe care le am.",
        "nearby": "Iată ce spun documentele despre acest subiect:",
        "where_to_ask": "Pentru detalii pe care documentele nu le acoperă, întrebați punctul național de contact "
        "CERV sau consultați paginile apelului pe portalul Funding & Tenders al UE.",
        "conflict": "Atenție: sursele nu concordă în această privință; ambele valori sunt date mai sus.",
        "other_source": "O altă sursă ({source}) indică o valoare diferită:",
        "deadline_passed": "Termenul limită pentru {title} ({date}) a trecut.",
        "deadline_upcoming": "Termenul limită pentru {title} este {date}, peste {days} zile.",
        "upcoming_intro": "Apeluri din documente al căror termen nu a trecut (astăzi este {today}):",
        "no_upcoming": "Documentele nu conțin niciun apel cu termen viitor (astăzi este {today}); cel mai recent "
        "termen a fost {title}, pe {date}. Apelurile noi sunt publicate pe portalul Funding & Tenders al UE.",
        "greeting": "Bună ziua! Răspund la întrebări despre finanțarea UE pentru înfrățirea orașelor: programul CERV, "
        "apelurile Înfrățire de orașe și Rețele de orașe și activitatea CEMR. Ce doriți să aflați?",
        "thanks": "Cu plăcere! Întrebați-mă orice altceva despre finanțarea înfrățirilor.",
        "bye": "La revedere și succes cu proiectul de înfrățire!",
        "about": "Sunt un asistent pentru finanțarea UE a înfrățirii orașelor. Răspund din documentele oficiale CERV "
        "și CEMR și le citez; când documentele nu conțin răspunsul, o spun.",
    },
    "de": {
        "sources": "Quellen",
        "refusal": "Das habe ich in meinen Dokumenten nicht gefunden.",
        "nearby": "Was die Dokumente dazu sagen:",
        "where_to_ask": "Für Einzelheiten, die die Dokumente nicht abdecken, wenden Sie sich an Ihre nationale "
        "CERV-Kontaktstelle oder sehen Sie die Seiten der Ausschreibung im Funding & Tenders Portal der EU an.",
        "conflict": "Hinweis: Die Quellen widersprechen sich hier; beide Werte stehen oben mit ihren Quellen.",
        "other_source": "Eine andere Quelle ({source}) nennt einen anderen Wert:",
        "deadline_passed": "Die Frist für {title} ({date}) ist abgelaufen.",
        "deadline_upcoming": "Die Frist für {title} ist am {date}, in {days} Tagen.",
        "upcoming_intro": "Ausschreibungen in den Dokumenten, deren Frist noch nicht abgelaufen ist (heute ist der "
        "{today}):",
        "no_upcoming": "Die Dokumente enthalten keine Ausschreibung mit noch offener Frist (heute ist der {today}); "
        "die letzte Frist war {title} am {date}. Neue Ausschreibungen erscheinen im Funding & Tenders Portal der EU.",
        "greeting": "Guten Tag! Ich beantworte Fragen zur EU-Förderung von Städtepartnerschaften: das Programm CERV, "
        "seine Aufrufe Städtepartnerschaften und Netzwerke von Städten sowie die Arbeit des RGRE. Was möchten Sie "
        "wissen?",
        "thanks": "Gern geschehen! Fragen Sie gern weiter zur Förderung von Städtepartnerschaften.",
        "bye": "Auf Wiedersehen und viel Erfolg mit Ihrer Städtepartnerschaft!",
        "about": "Ich bin ein Assistent für die EU-Förderung von Städtepartnerschaften. Ich antworte aus offiziellen "
        "CERV- und RGRE-Dokumenten und zitiere sie; steht die Antwort nicht darin, sage ich es.",
    },
    "es": {
        "sources": "Fuentes",
        "refusal": "No he encontrado esta información en mis documentos.",
        "nearby": "Esto es lo que dicen los documentos sobre el tema:",
        "where_to_ask": "Para lo que los documentos no cubren, consulte a su punto de contacto nacional CERV o las "
        "páginas de la convocatoria en el portal Funding & Tenders de la UE.",
        "conflict": "Atención: las fuentes no coinciden en este punto; ambos valores figuran arriba con su fuente.",
        "other_source": "Otra fuente ({source}) da un valor diferente:",
        "deadline_passed": "El plazo de {title} ({date}) ya ha vencido.",
        "deadline_upcoming": "El plazo de {title} vence el {date}, dentro de {days} días.",
        "upcoming_intro": "Convocatorias de los documentos cuyo plazo sigue abierto (hoy es {today}):",
        "no_upcoming": "Los documentos no contienen ninguna convocatoria con plazo abierto (hoy es {today}); el plazo "
        "más reciente fue {title}, el {date}. Las nuevas convocatorias se publican en el portal Funding & Tenders.",
        "greeting": "¡Hola! Respondo preguntas sobre la financiación europea de hermanamientos: el programa CERV, sus "
        "convocatorias de Hermanamiento de ciudades y Redes de ciudades, y el trabajo del CMRE. ¿Qué desea saber?",
        "thanks": "¡De nada! Pregunte lo que quiera sobre la financiación de hermanamientos.",
        "bye": "¡Adiós y mucha suerte con su hermanamiento!",
        "about": "Soy un asistente sobre la financiación europea de hermanamientos. Respondo con documentos oficiales "
        "de CERV y del CMRE y los cito; si los documentos no contienen la respuesta, lo digo.",
    },
}


def message(lang: str, key: str, **values: object) -> str:
    """The assistant's own sentence ``key`` in ``lang`` (English when the language is not supported)."""
    text = MESSAGES.get(lang, MESSAGES["en"]).get(key) or MESSAGES["en"][key]
    return text.format(**values)


@lru_cache(maxsize=1)
def _detector():  # noqa: ANN202 - lingua's detector type
    """lingua over the seven languages, in low-accuracy mode: trigram models only, about 17 MB resident instead of
    about 270 MB for the high-accuracy mode's 1- to 5-gram models. It is less sure of very short texts, so
    ``detect_language`` asks it only when the question's own words do not settle the language."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.ENGLISH,
        Language.FRENCH,
        Language.ITALIAN,
        Language.HUNGARIAN,
        Language.ROMANIAN,
        Language.GERMAN,
        Language.SPANISH,
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


def warm_up() -> None:
    """Load the detector's models now (a tenth of a second) rather than on the first question."""
    _detector()


# Function words (folded) that no other supported language writes the same way.
_ONLY_IN: dict[str, frozenset[str]] = {
    lang: frozenset(function_words.split())
    for lang, function_words in {
        "en": "the what when which who how does did were of for and with can many much",
        "fr": "et est une pour avec dans sont nous notre quel quelle quels quelles quand combien peut aux ou cette",
        "it": "gli della dello delle degli nel nella alla che sono qual quale quali quanto quanti quanta quando chi "
        "puo anche",
        "hu": "az hogy mikor mennyi hany kell egy nem vagy milyen melyik",
        "ro": "este pentru sunt cand cati cate sau cu poate trebuie",
        "de": "und das ist wie wann fur ein eine einen nicht wir kann gibt auch",
        "es": "los las cual cuales cuando cuanto cuantos para puede hay",
    }.items()
}
_ENGLISH_ONLY = _ONLY_IN["en"]
# lingua's Romanian model spells ș and ț with a cedilla (ş, ţ), as much Romanian text online still does.
_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


def detect_language(text: str, default: str = "en") -> str:
    """The question's language among the supported ones; ``default`` when the text gives too little to go on.

    Its own words come first: plainly English text, or function words of one language only, decide without the
    detector. Otherwise lingua's confidence plus 0.15 per domain term of a language decides, if at least 0.45;
    English needs an English function word, since names, acronyms and loanwords ("CERV", "budget") read as
    English: without one, the conversation's language (``default``) stays."""
    folded = fold(text)
    words = [w for w in folded.split() if any(c.isalpha() for c in w)]
    hits = {lang: len(english_terms(text, lang)) for lang in DOMAIN_TERMS}
    if len(words) < 2:
        return default
    tokens = set(re.findall(r"[a-z]+", folded))
    english_words = _ENGLISH_ONLY & tokens
    if text.isascii() and not any(hits.values()) and len(english_words) >= 2:
        return "en"  # plainly English (no accents, no foreign domain term, English function words): no detector
    marked = [lang for lang, only in _ONLY_IN.items() if only & tokens]
    if len(marked) == 1:
        return marked[0]
    scores = {lang: 0.0 for lang in LANGUAGES}
    for value in _detector().compute_language_confidence_values(text.translate(_CEDILLA)):
        code = value.language.iso_code_639_1.name.lower()
        scores[code] = value.value
    for lang, n in hits.items():
        scores[lang] += 0.15 * n
    best = max(scores, key=scores.get)
    if best == "en" and not english_words:
        return default
    return best if scores[best] >= 0.45 else default


def english_word(word: str, lang: str) -> str:
    """The English equivalent of one folded word of a question in ``lang``, or the word itself. Words of five
    letters or more also match inflected forms ("resztvevo" ~ "resztvevok", "hataridejet" ~ "hatarid")."""
    terms = DOMAIN_TERMS.get(lang, {}) if lang != "en" else {}
    if word in terms or word + " " in terms:
        return terms.get(word) or terms[word + " "]
    if len(word) >= 5:
        close = [t for t in terms if " " not in t and len(t) >= 5 and (word.startswith(t) or t.startswith(word))]
        if close:
            return terms[max(close, key=len)]
    return word


# Punctuation that separates words: elisions ("l'appel", "dell'Unione") and "¿" read as spaces, as does a full
# stop that ends a word (not the one of "4.2").
_PUNCTUATION = re.compile(r"[?!,;:()\"'\u2018\u2019\u201a\u201c\u201d\u201e\u00ab\u00bb\u00bf\u00a1]|\.(?!\d)")


def english_terms(text: str, lang: str) -> list[str]:
    """English phrases for the domain terms of a question in another language (for retrieval): terms start at
    a word start, longer terms first; terms of five letters or more also match inflected words."""
    if lang == "en" or lang not in DOMAIN_TERMS:
        return []
    folded = f" {' '.join(_PUNCTUATION.sub(' ', fold(text)).split())} "
    pattern, order = _term_pattern(lang)
    found = sorted({m.group(0) for m in pattern.finditer(folded)}, key=order.__getitem__)
    return [DOMAIN_TERMS[lang][term] for term in found]


@lru_cache(maxsize=16)
def _term_pattern(lang: str) -> tuple[re.Pattern[str], dict[str, int]]:
    """One regular expression for all of a language's domain terms, longest first (built once per language),
    and each term's rank in that order (found terms are listed in it)."""
    terms = sorted(DOMAIN_TERMS[lang], key=len, reverse=True)
    pattern = re.compile("(?<= )(?:" + "|".join(re.escape(t) + ("" if len(t) >= 5 else "(?= )") for t in terms) + ")")
    return pattern, {t: i for i, t in enumerate(terms)}
