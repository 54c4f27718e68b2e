"""The intent registry: one table of questions per intent, its rules, and its data (lexicons/*.yaml)."""

import re

import pytest
import yaml
from pydantic import ValidationError

from assistant.question.intents import CUED, INTENTS, cue_pattern, cues, detect, exact_intents, settle
from assistant.question.languages import LANGUAGES
from assistant.question.lexicon import Lexicon, lexicon
from assistant.question.query import INTENT_CUES
from assistant.question.text import fold

# Intent -> (questions that must get it, near ones that must not). Read with each language's own cues (no mapped
# English terms), so the date events, read on English words, have English questions.
TABLES: dict[str, tuple[list[str], list[str]]] = {
    "upcoming": (
        [
            "Can we still apply for a twinning grant?",
            "Quel est le prochain appel ?",
            "Il prossimo bando?",
            "Mikor lesz a következő pályázat?",
            "Care este următorul apel?",
            "Wann ist die nächste Frist?",
            "¿Cuál es la próxima convocatoria?",
            "Possiamo ancora candidarci?",
            "Peut-on encore postuler ?",
            "Können wir uns noch bewerben?",
            "¿Todavía podemos presentar la solicitud?",
        ],
        [
            "When was the call open?",
            "Wie hoch war der Zuschuss nochmals?",
            # "Still" about something else than applying: the partner's country still negotiating.
            "Nuestro socio está en un país que todavía negocia su asociación al CERV. ¿Puede participar igualmente?",
            "Il nostro partner è ancora in un paese candidato: può partecipare?",
        ],
    ),
    "date": (
        [
            "When is the deadline?",
            "Quelle est la date limite ?",
            "Qual è la scadenza?",
            "Mikor van a határidő?",
            "Când este termenul?",
            "Wann ist die Frist?",
            "¿Cuál es el plazo?",
        ],
        ["Who are the candidates?", "How long does a project last?"],
    ),
    "date_open": (
        ["When does the call open?", "When was the 2024 call launched?"],
        ["When is the deadline?", "Is the call still open?"],  # an upcoming call's dates are all asked
    ),
    "date_close": (
        ["When does the call close?", "What was the deadline of the 2023 call?"],
        ["When will we hear back about the results?", "When does the call open?"],
    ),
    "date_results": (
        ["When will we hear back about the results?", "When are applicants notified?"],
        ["When does the call close?", "When was the 2024 call launched?"],
    ),
    "time": (
        [
            "At what time does the call close?",
            "À quelle heure ferme l'appel ?",
            "A che ora scade il bando?",
            "Hány órakor zár a pályázat?",
            "La ce oră se închide apelul?",
            "Bis zu welcher Uhrzeit kann man einreichen?",
            "¿A qué hora cierra la convocatoria?",
        ],
        ["Il bando è aperto ora?", "How many hours does the training last?"],  # "ora": now; "hours": a count
    ),
    "amount": (
        [
            "Total money for networks of towns over the first three CERV years?",
            "How much is the twinning grant?",
            "Quel est le montant de la subvention ?",
            "Qual è l'importo del contributo?",
            "Mekkora az összeg?",
            "Mekkora támogatást lehetett elnyerni?",
            "Care este suma acordată?",
            "Wie hoch ist der Betrag?",
            "¿Cuál es el importe?",
            "What is the maximum twinning grant?",  # a size, then what is sized
            "What's the gap between the smallest and the largest possible TT 2024 grant?",  # up to three words apart
            "what is the most a single project can get?",  # the most, then getting
            "Bis wann, und wie hoch ist der Zuschuss pro Projekt?",
        ],
        [
            "Where can we get a PIC?",  # getting, with no maximum
            "Which call got the most proposals?",
            "Which budget line funds town twinning?",  # a place in the EU budget
            "How many NT 2023 proposals were rejected for lack of budget?",  # a reason for rejection
            "Combien de projets ont été financés ?",  # "combien" starts a count cue
            "¿Cuántos proyectos se financiaron?",
        ],
    ),
    "per_project": (
        [
            "How much can one project get?",
            "The total NT budget and what a single project could expect from the EU?",
            "Quel est le montant par projet ?",
            "Quanto riceve ogni progetto, al massimo?",
            "Mennyi támogatást kap projektenként egy település?",
            "Cât primește un proiect, pe proiect?",
            "Wie viel bekommt man pro Projekt?",
            "¿Cuánto recibe cada proyecto por proyecto?",
        ],
        [
            "What is the total budget of the 2024 call?",
            "Which projects were funded per country?",
            # "How much did" asks what one got only when the question names no budget.
            "What was the 2004 twinning budget, and how much did the Parliament's budget committee approve?",
        ],
    ),
    "budget": (
        [
            "What is the total budget of the 2024 call?",
            "How much did the budget committee approve for 2005?",
            "Qual era il bilancio del bando?",
            "Mennyi a teljes költségvetés?",
            "Care a fost bugetul total?",
            "Wie viel Geld hat der Haushalt insgesamt?",
            "¿Cuál es el presupuesto total?",
        ],
        ["What is the maximum grant per project?", "Which budget line funds town twinning?"],
    ),
    "maximum": (
        [
            "What is the maximum grant per project?",
            "Quel est le montant maximal par projet ?",
            "Qual è l'importo massimo?",
            "Mennyi a legfeljebb adható összeg?",
            "Care este suma maximă?",
            "Wie hoch ist der Höchstbetrag?",
            "¿Cuál es el importe máximo?",
            # The most a count may be: "max" is no amount here.
            "Is there a max number of participants per twinning event?",
        ],
        # A maximum only of an amount or of a count: not a highest turnout, not a count's minimum.
        ["What is the minimum grant?", "Which town had the highest turnout?", "How many participants at least?"],
    ),
    "count": (
        [
            "How many projects were funded?",
            "Combien de projets ont été retenus ?",
            "Quanti progetti?",
            "Hány projektet támogattak?",
            "Câte proiecte au fost finanțate?",
            "Wie viele Projekte wurden gefördert?",
            "¿Cuántos proyectos?",
        ],
        ["How much money is there?", "Quanto costa il viaggio?"],
    ),
    "who": (
        [
            "Who can apply?",
            "Qui peut postuler ?",
            "Chi può partecipare?",
            "Ki pályázhat?",
            "Cine poate depune?",
            "Wer ist berechtigt?",
            "¿Quién puede solicitar?",
        ],
        ["Whose idea was twinning?", "Chiusura del bando?"],
    ),
    "list": (
        [
            "List the strands of CERV",
            "Quels sont les volets ?",
            "Quali sono le priorità?",
            "Melyek a prioritások?",
            "Care sunt prioritățile?",
            "Welche Länder nehmen teil?",
            "¿Cuáles son las prioridades?",
            "tt 2024 topics?",
        ],
        ["Did the listing change?", "Is Kiel a partner town?", "How much did the TT topic get?"],
    ),
    "share": (
        [
            "what was the success rate in NT 2023?",
            "What percentage of the lump sum is paid up front?",
            "Quel pourcentage des projets était italien ?",
            "Che percentuale era coordinata da comuni italiani?",
            "Hány százaléka jutott a harmadik ágnak?",
            "Ce procent din buget?",
            "Wie viel Prozent der Mittel?",
            "¿Qué porcentaje del presupuesto?",
            "what % pre-financing do we get when the grant agreement is signed?",
        ],
        ["What is the funding rate?", "Can we share the grant with our partner?"],  # "not applicable"; a verb
    ),
    "phone": (
        [
            "What's the phone number of the EACEA helpdesk?",
            "Quel est le numéro de téléphone de l'EACEA ?",
            "Numero di telefono del punto di contatto?",
            "Mi a telefonszáma?",
            "Care este numărul de telefon?",
            "Telefonnummer der Kontaktstelle?",
            "¿Cuál es el teléfono de la EACEA?",
            "Who is the contact person at Cidem, name and direct line please?",
        ],
        ["What's the e-mail address of EACEA?", "Can we phrase the project differently?"],
    ),
    "alone": (
        [
            "How much does the Daphne strand get on its own?",
            "What was the TT 2022 topic's own budget, separately from NT?",
            "Quanto riceve la sezione Daphne da sola?",
            "Combien reçoit le volet Daphne à lui seul ?",
            "Wie viel bekommt der Daphne-Bereich allein?",
            "Mennyit kap egyedül a Daphne ág?",
            "¿Cuánto recibe el capítulo Daphne por separado?",
        ],
        ["How much do the two strands get together?", "Could a project involve only an Italian town?"],
    ),
    "holder": (
        [
            "Who is the head of EACEA unit B.3?",
            "What's the name of the EACEA desk officer who handles town twinning files?",
            "who chairs CEMR these days?",
            "Come si chiama il funzionario EACEA che segue i gemellaggi?",
            "Qui est le président du CCRE ?",
            "Wer ist der Präsident des RGRE?",
            "¿Quién es el secretario general del CMRE?",
            "Ki a CEMR elnöke?",
            "Cine este președintele CMRE?",
        ],
        [
            "Who can apply for TT 2026?",
            "I am the EU officer of our town: who is eligible for NT?",  # a post, but not the one asked about
            "Qui peut être chef de file d'un réseau ?",  # the lead partner, an organisation
            "Can the mayor sign the grant agreement?",  # no name asked
        ],
    ),
    "email": (
        [
            "What's the e-mail address of EACEA?",
            "email of the cerv helpdesk?",
            "Quelle est l'adresse e-mail de l'EACEA ?",
            "Qual è l'indirizzo email del punto di contatto?",
            "Mi az e-mail címe?",
            "Care este adresa de e-mail?",
            "Wie lautet die E-Mail-Adresse der Kontaktstelle?",
            "¿Cuál es el correo electrónico de la EACEA?",
        ],
        ["What's the phone number of the EACEA helpdesk?", "Quel est le site web de CERV Italia ?"],
    ),
    "website": (
        [
            "ncp italy website?",
            "Quel est le site web de CERV Italia ?",
            "Qual è il sito web del punto di contatto?",
            "Mi a honlapja?",
            "Care este site-ul punctului de contact?",
            "Wie lautet die Webseite der Kontaktstelle?",
            "¿Cuál es la página web del punto de contacto?",
        ],
        [
            "What's the e-mail address of EACEA?",
            "Where is the site of the congress?",
            # A website as the place something is put: how long, not which address.
            "How long did the project have to stay on the municipality's website?",
            "Combien de temps le projet restait-il sur le site web de la commune ?",
        ],
    ),
    "countries": (
        [
            "Which 10 EU countries' associations are in the Bridges of Trust project?",
            "which countries were close to joining CERV?",
            "Quels pays ont rejoint CERV en 2024 ?",
            "Quali paesi sono associati al programma?",
            "Welche Länder sind dem Programm assoziiert?",
            "¿Qué países participan en el proyecto?",
            "Mely országok csatlakoztak a programhoz?",
            "Ce țări s-au alăturat programului?",
        ],
        ["How many countries did a 2025 network need?", "Which strands does CERV have?"],
    ),
    "places": (
        [
            "Which towns won the 2006 Golden Stars of Town Twinning?",
            "Which Italian municipalities coordinated the 33 projects?",
            "Quelles villes ont gagné les Étoiles d'or ?",
            "Quali comuni hanno coordinato i progetti?",
            "Welche Städte haben gewonnen?",
            "¿Qué ciudades ganaron?",
            "Ce orașe au câștigat?",
            "Melyik városok nyertek?",
        ],
        [
            "Which town twinning calls had a September deadline?",  # the call's name
            "Which towns can apply for town twinning?",  # who may take part
        ],
    ),
    "year": (
        [
            "In what year did CEMR publish its White Paper on twinning?",
            "En quelle année le CCRE a-t-il été fondé ?",
            "In che anno si è tenuto il congresso di Ferrara?",
            "In welchem Jahr wurde der RGRE gegründet?",
            "¿En qué año se fundó el CMRE?",
            "În ce an a fost fondat CMRE?",
            "Melyik évben alapították a CEMR-t?",
        ],
        ["When was CEMR founded?", "How many years did the programme run?"],  # a date will do; a count
    ),
    "span": (
        [
            "how long does it take for a new PIC to get validated?",
            "Roughly how long after the deadline do CERV results come?",
            "within what time must the report be sent?",
        ],
        ["How long can a 2024 town twinning project last?", "At what time does the call close?"],
    ),
    "method": (
        [
            "How was that flat-rate grant calculated?",
            "On what basis is the TT lump sum calculated? number of days? participants?",
            "Comment le forfait est-il calculé ?",
            "Su che base viene calcolata la somma forfettaria?",
            "Wie wird der Pauschalbetrag berechnet?",
            "¿Cómo se calcula la cantidad a tanto alzado?",
            "Hogyan számítják ki az átalányösszeget?",
            "Cum se calculează suma forfetară?",
        ],
        ["What is the lump-sum calculator called?", "How much is the lump sum?"],
    ),
}

CASES = [
    pytest.param(name, question, expected, id=f"{name}-{'yes' if expected else 'no'}-{question[:30]}")
    for name, (yes, no) in TABLES.items()
    for expected, questions in ((True, yes), (False, no))
    for question in questions
]


def test_every_intent_has_a_table() -> None:
    assert set(TABLES) == set(INTENTS)


@pytest.mark.parametrize("name, question, expected", CASES)
def test_intent_table(name: str, question: str, expected: bool) -> None:
    assert (name in detect(fold(question))) is expected


def test_a_question_how_something_is_worked_out_asks_no_figure() -> None:
    # The rule is the answer, not a count, an amount or a date ("number of days?" only offers what it may be).
    assert detect(fold("On what basis is the lump sum calculated? number of days? participants?")) == ["method"]
    # A question of its own beside it still asks its figure.
    found = detect(fold("How was the lump sum calculated, and how much could one municipality get?"))
    assert "method" in found and "amount" in found


@pytest.mark.parametrize(
    "question", ["What did a town have to send, and within what time?", "In what time frame must the report be sent?"]
)
def test_a_span_of_time_asked_is_no_time_of_day(question: str) -> None:
    # "Within 2 months of the meeting" answers; a sentence with no clock time is no misfit.
    assert "time" not in detect(fold(question))
    assert "time" in detect(fold("At what time must the report be sent?"))


@pytest.mark.parametrize(
    "question, expected",
    [
        # A budget table or section of a form asks no amount; budget shares ask shares.
        ("Part A of the form has a budget table. Do the two have to match?", []),
        ("EfC 2007-13: the four actions and their budget shares?", ["share"]),
        # A countable thing per project is a number of them, not money per project.
        ("Did the TT call accept only one applicant per project?", ["who"]),
        ("How much per project?", ["amount", "per_project"]),
    ],
)
def test_budget_phrases_that_ask_no_budget(question: str, expected: list[str]) -> None:
    assert detect(fold(question)) == expected


@pytest.mark.parametrize("question", ["In which year did Serbia ratify it?", "what year was CEMR founded?"])
def test_which_year_asks_a_date_not_a_list(question: str) -> None:
    assert detect(fold(question)) == ["date", "year"]
    # A list asked beside it is still asked.
    assert "list" in detect(fold("Which countries took part, and in which year?"))


def test_detect_lists_intents_in_a_fixed_order() -> None:
    assert detect(fold("At what time does the call close?")) == ["date", "time", "date_close"]
    assert detect(fold("What is the maximum grant per project?")) == ["amount", "per_project", "maximum"]


@pytest.mark.parametrize(
    "intents, question, lang, english, counted, expected",
    [
        # Asking whether a town may apply is no question of what is open.
        (["upcoming", "who"], "Our towns aren't twinned. Can we still apply?", "en", [], [], (["who"], [])),
        (["upcoming", "who"], "Can we still apply?", "en", [], [], (["upcoming", "who"], [])),
        # "quanto dura": how long, not how much.
        (["amount", "per_project"], "Quanto dura un progetto?", "it", ["duration"], [], ([], [])),
        # An English question naming the duration asks it too: "max" is its longest, no amount.
        (["amount", "per_project", "maximum"], "nt 2025 project duration min/max months", "en", [], [], ([], [])),
        # "quanti soldi": a count of money is an amount.
        (["count"], "Quanti soldi?", "it", [], ["money"], (["amount"], [])),
        (["count"], "Quanti progetti?", "it", [], ["projects"], (["count"], ["projects"])),
    ],
)
def test_settle_rules(
    intents: list[str],
    question: str,
    lang: str,
    english: list[str],
    counted: list[str],
    expected: tuple[list[str], list[str]],
) -> None:
    assert settle(intents, question, lang, english, counted) == expected


def test_exact_intents() -> None:
    assert exact_intents() == {
        "date_close",
        "time",
        "count",
        "maximum",
        "share",
        "phone",
        "email",
        "alone",
        "holder",
        "countries",
        "year",
        "span",
        "budget",
        "places",
    }


@pytest.mark.parametrize(
    "question, expected",
    [
        # A cue inside another intent's cue asks nothing of its own: "the phone number of" counts nothing.
        ("What's the phone number of EACEA?", ["phone"]),
        ("How many phone calls did EACEA take?", ["count", "phone"]),
        # A denied kind of amount is not the one asked: "not per project, the whole call" asks the budget.
        ("how much was in the TT 2023 pot overall? not per project, the whole call", ["amount", "budget"]),
        ("How much can one project get, not the total?", ["amount", "per_project"]),
    ],
)
def test_cues_inside_other_cues_and_denied_cues(question: str, expected: list[str]) -> None:
    assert detect(fold(question)) == expected


@pytest.mark.parametrize(
    "cue, text, matches",
    [
        ("date", "the date", True),
        ("date", "the dates", False),  # whole word
        ("deadline*", "the deadlines", True),  # the word may go on
        ("deadline*", "no-deadline", True),
        ("ora ", "a che ora si chiude", True),  # a word must follow
        ("ora ", "aperto ora?", False),
        ("one * project", "can one TT project get", True),  # one or two words in between
        ("one * project", "one town twinning project", True),
        ("one * project", "one of the towns in the project", False),
        ("what %", "what % pre-financing do we get?", True),  # a cue may end with a sign
        ("what %", "somewhat % of it", False),
    ],
)
def test_cue_pattern(cue: str, text: str, matches: bool) -> None:
    assert bool(re.search(cue_pattern(cue), text)) is matches


# The data.


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lexicon_validates_with_known_intents(lang: str) -> None:
    assert set(lexicon(lang).intents) <= set(INTENTS)


def test_every_intent_has_english_cues() -> None:
    assert all(lexicon("en").intents.get(name) for name in INTENTS)


def test_intent_cues_keep_their_words() -> None:
    """``query.INTENT_CUES`` (read by the answer gates) is the cued intents' cues, without their "*"."""
    assert tuple(INTENT_CUES) == CUED
    assert all(cue and "*" not in cue for words in INTENT_CUES.values() for cue in words)
    assert {c.rstrip("* ") for c in cues("count")} == set(INTENT_CUES["count"])


@pytest.mark.parametrize(
    "intents",
    [{"deadline": ["deadline"]}, {"date": ["Frist"]}, {"date": ["dead*line"]}, {"date": ["*"]}],
)
def test_lexicon_rejects_unknown_intents_and_unfolded_cues(intents: dict[str, list[str]]) -> None:
    data = yaml.safe_load("relative: {}\noperation: {}\n")
    with pytest.raises(ValidationError):
        Lexicon.model_validate({**data, "intents": intents})
