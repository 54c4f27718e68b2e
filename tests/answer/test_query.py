"""Question analysis: languages, entities, follow-ups and small talk, without an LLM."""

import pytest

from assistant.answer.facts import asked_attributes
from assistant.question.places import countries_named
from assistant.question.query import (
    analyse,
    asked_part,
    asked_parts,
    counted_terms,
    is_follow_up,
    periods_named,
    small_talk_kind,
    years_named,
)

TT_2024 = [
    {"role": "user", "content": "When is the 2024 Town Twinning deadline?"},
    {"role": "assistant", "content": "It closed on 19 September 2024 at 17:00 [1]."},
]


def test_years_calls_and_intent_are_read() -> None:
    q = analyse("When did the CERV-2023-CITIZENS-TOWN-NT call close?")
    assert q.call_ids == ["CERV-2023-CITIZENS-TOWN-NT"]
    assert q.years == [2023] and "networks-of-towns" in q.topics and "date" in q.intents


def test_follow_up_swaps_the_call_and_keeps_year_and_subject() -> None:
    q = analyse("And for networks of towns?", TT_2024)
    assert q.follow_up
    assert (q.years, q.topics, q.intents) == (
        [2024],
        ["networks-of-towns"],
        ["date", "date_close"],
    )  # the deadline, as in the history


def test_follow_up_swaps_the_year_and_keeps_the_call() -> None:
    q = analyse("what about 2022?", TT_2024)
    assert (q.years, q.topics) == ([2022], ["town-twinning"])


def test_follow_up_with_its_own_subject_keeps_the_context() -> None:
    q = analyse("and the budget?", TT_2024)
    assert (q.years, q.topics, q.intents) == ([2024], ["town-twinning"], ["amount", "budget"])


NT_2023 = [
    {"role": "user", "content": "How many proposals did NT 2023 get?"},
    {"role": "assistant", "content": "109 were submitted, 104 of them eligible."},
]


@pytest.mark.parametrize(
    ("question", "follows"),
    [
        # Naming nothing and saying little besides what it asks: the conversation's subject.
        ("how many got funded, and for how much in total?", True),
        # A count naming no year, call or name counts in the conversation's call, however it says so.
        ("how many networks actually got funded?", True),
        # A time asked, with the answer it offers ("17:00?"): the offered hour is no word of its own.
        ("at what time? 17:00 like the others?", True),
        # "Another" points back at what was answered.
        ("hm I saw another date somewhere. do the sources disagree?", True),
        # A reaction to the answer ("wait, ...", "hold on, ...") questions it.
        ("wait, I saw AMF somewhere for France?", True),
        ("hold on, is that for Italy too?", True),
        # A subject of its own ("proposals scored"), or a name of its own: a new question.
        ("How are twinning proposals scored under the award criteria?", False),
        ("How many towns in Sweden took part overall?", False),
        ("How much did REALISE give to each association in total?", False),
        # Saying it leaves the subject: a new question, however little it names.
        ("different topic: what's the fourth strand about?", False),
        ("Autre sujet : quel est le quatrième volet ?", False),
    ],
)
def test_a_question_naming_nothing_follows_the_conversation(question: str, follows: bool) -> None:
    assert is_follow_up(question, True) is follows
    if follows:
        query = analyse(question, NT_2023)
        assert query.years == [2023] and query.topics == ["networks-of-towns"]


def test_a_units_chat_abbreviation_is_written_out() -> None:
    # "how many yrs ago" asks how long ago (a date counted to today), not a count.
    assert (
        analyse("cemr was founded how many yrs ago?").intents == analyse("cemr was founded how many years ago?").intents
    )
    assert "count" not in analyse("cemr was founded how many yrs ago?").intents


def test_what_the_context_speaks_of_is_not_asked() -> None:
    question = (
        "I'm filling in the budget for our 2025 town twinning proposal and the call mentions a spreadsheet tool. "
        "What is the lump-sum calculator for TT 2025 called?"
    )
    assert analyse(question).intents == []
    # An asking sentence that says too little is read with the one before it; a question that is all asking, whole.
    assert "amount" in analyse("We want to apply with a town in Serbia for TT 2026. How much?").intents
    assert "date" in analyse("TT 2026 deadline").intents


def test_years_named_only_in_the_context_are_not_asked() -> None:
    query = analyse(
        "Our town led a Europe for Citizens network in 2018 with nine partners. Under Europe for Citizens "
        "2014-2020, how many countries did a network of towns need?"
    )
    assert query.years == [2018] and query.asked_years == []
    asked = analyse("We were twinned in 1994. What was the deadline of the 2024 town twinning call?")
    assert asked.asked_years == [2024]
    # A year only offered as the answer is not asked either.
    offered = analyse("cerv ends when? 2027?")
    assert offered.years == [2027] and offered.asked_years == []
    # Years listed or ranged in the asking sentence are all asked.
    assert analyse("Compare the NT budgets for 2024, 2025 and 2026.").asked_years == [2024, 2025, 2026]
    assert analyse("I advise towns. List the NT budgets from 2021 to 2023?").asked_years == [2021, 2022, 2023]


def test_what_is_asked_for_is_read_in_the_asking_sentences() -> None:
    text = "Last time we got lost on the EU website. Who is the CERV contact point in Portugal?"
    assert "website" not in analyse(text).intents
    assert "website" in analyse("Which website does the contact point in Portugal have?").intents


def test_an_asking_sentence_that_says_too_little_takes_the_sentence_before() -> None:
    text = "We are a town of 4,000. We want to apply through our twinning committee. Is that possible?"
    assert asked_part(text) == "We want to apply through our twinning committee. Is that possible?"
    assert asked_part("We are a town of 4,000. What was the TT 2024 deadline?") == "What was the TT 2024 deadline?"


@pytest.mark.parametrize("question", ["What if our council already has one?", "What if we don't have one yet?"])
def test_a_follow_up_pointing_back_with_one_keeps_the_subject(question: str) -> None:
    history = [
        {"role": "user", "content": "Do we need a PIC to apply for town twinning?"},
        {"role": "assistant", "content": "Yes, a 9-digit Participant Identification Code."},
    ]
    q = analyse(question, history)
    assert q.follow_up and "pic" in q.standalone.lower()


def test_a_programme_period_is_not_a_call_year() -> None:
    assert analyse("What is the total budget of CERV 2021-2027?").years == []


def test_standalone_question_is_not_rewritten() -> None:
    q = analyse("Which associations received REALISE grants?", TT_2024)
    assert not q.follow_up and q.years == [] and q.topics == ["cemr"]


@pytest.mark.parametrize(
    "text, lang, english",
    [
        ("Quelle est la date limite du jumelage 2024 ?", "fr", {"deadline", "town twinning"}),
        ("Qual è la scadenza del bando reti di città 2025?", "it", {"deadline", "networks of towns"}),
        ("Mikor volt a testvértelepülési pályázat határideje 2024-ben?", "hu", {"deadline", "town twinning"}),
        ("Care a fost termenul limită pentru înfrățirea orașelor în 2024?", "ro", {"deadline", "town twinning"}),
        ("Wann war die Frist für Städtepartnerschaften 2024?", "de", {"deadline", "town twinning"}),
        ("¿Cuál fue el plazo del hermanamiento de ciudades en 2024?", "es", {"deadline", "town twinning"}),
    ],
)
def test_languages_are_detected_and_domain_terms_mapped(text: str, lang: str, english: set[str]) -> None:
    q = analyse(text)
    assert q.language == lang
    assert english <= set(q.english)
    assert q.years and "date" in q.intents


FR_TURN = [{"role": "user", "content": "Quelle est la date limite du jumelage 2024 ?"}]
IT_TURN = [{"role": "user", "content": "Qual è il budget delle reti di città 2025?"}]


@pytest.mark.parametrize(
    "text, history, lang",
    [
        # Short texts, where lingua's low-accuracy (trigram) models are least sure: the words decide first.
        ("Et la date limite ?", FR_TURN, "fr"),  # French function word "et" (the trigrams read Romanian)
        ("E il budget?", IT_TURN, "it"),  # no English function word: the conversation's language stays
        ("Who got it in 2024?", [], "en"),
        ("Is CEMR part of a world organisation?", [], "en"),
        ("And in Sweden?", FR_TURN, "en"),
        ("Ce doriți să aflați?", [], "ro"),  # ș, ț with a comma below, as lingua's model spells them with a cedilla
        ("Hány partner kell?", [], "hu"),
        # A few words: the language with most of its own words or letters (lingua read these as es, ro, fr, hu).
        ("Termen limită rețele de orașe 2023?", [], "ro"),  # ă, ț, ș are Romanian letters
        ("Date limite jumelage 2024 ?", [], "fr"),  # French domain terms
        ("remembrance 25 ddl?", [], "en"),  # English domain words
        ("where is cemr hq", [], "en"),
        ("Merci beaucoup, bonne journée !", [], "fr"),  # nothing of its own: lingua decides
        # An English call name's "of" inside another language's question is no English function word.
        ("Mekkora volt a 2025-ös Networks of Towns felhívás költségvetése?", [], "hu"),
        ("What was the budget of Networks of Towns 2025?", [], "en"),
        # "Is" opening a question is English (Hungarian "is" follows its word), whatever lingua makes of the names.
        ("Is Serbia in CERV?", [], "en"),
        # One word beside acronyms, a typo the detector reads as Spanish: the conversation's language (English).
        ("tt 2024 topcis?", [], "en"),
        # "it" is a word of English only (lingua read this as Romanian).
        ("tt 2021 - was it mono beneficiary or a consortium", [], "en"),
        # Nothing of any language's own and lingua not clearly surer of another: the conversation's language.
        ("cerv ncp sweden??", [], "en"),
        ("Is Bosnia and Herzegovina in CERV?", [], "en"),
        ("La Serbia partecipa al CERV?", [], "it"),
        ("Mi is a határidő?", [], "hu"),
        # A case ending joined to a number is no word: "-ban" is not the Romanian "ban" (money).
        ("És 2026-ban?", [{"role": "user", "content": "Mennyi volt a 2025-ös felhívás költségvetése?"}], "hu"),
    ],
)
def test_short_questions_get_their_language(text: str, history: list[dict[str, str]], lang: str) -> None:
    assert analyse(text, history).language == lang


def test_language_hint_wins() -> None:
    assert analyse("CERV 2024?", language="it").language == "it"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("hi there", "greeting"),
        ("Bonjour !", "greeting"),
        ("thanks!", "thanks"),
        # Thanks followed by words of its own that ask nothing; not thanks followed by a question.
        ("thanks a lot, that really helped our twinning committee 🙂", "thanks"),
        ("grazie mille, molto utile per il nostro comune", "thanks"),
        ("thanks, and what about 2025?", None),
        ("Thanks. When is the deadline", None),
        ("ok thanks. btw whats the swedish contact point called", None),
        ("Köszönöm", "thanks"),
        ("bye", "bye"),
        ("who are you?", "about"),
        # Courtesy words (the lexicons' ``courtesy``) after thanks or a goodbye ask nothing.
        ("Danke, schönes Wochenende noch!", "thanks"),
        ("thank you very much for your help", "thanks"),
        ("Muchas gracias, buen fin de semana", "thanks"),
        # A question about the assistant itself, after a greeting too, in its language.
        ("hello :) are you a real person or a bot?", "about"),
        ("Ciao, sei un bot?", "about"),
    ],
)
def test_small_talk_is_recognised(text: str, kind: str) -> None:
    assert small_talk_kind(text) == kind
    assert analyse(text).small_talk == kind


def test_a_greeting_before_a_question_about_the_assistant_is_read_in_its_language() -> None:
    # "you" is English alone ("hello ... are you a real person or a bot?" read as Italian before).
    assert analyse("hello :) are you a real person or a bot?").language == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Hi, when is the 2024 deadline?",
        "thanks, and what about networks of towns?",
        "hi, what is cerv",
        "thanks for the 2024 deadline",
        "Danke, und das Budget für 2025",
    ],
)
def test_questions_with_small_talk_words_are_still_questions(text: str) -> None:
    assert small_talk_kind(text) is None


def test_follow_up_with_a_new_subject_drops_the_old_one() -> None:
    history = [
        {"role": "user", "content": "How much does the citizens' engagement and participation strand get?"},
        {"role": "assistant", "content": "EUR 174,928,783 [1]."},
    ]
    q = analyse("And the Union values strand?", history)
    assert "amount" in q.intents
    assert "engagement" not in q.standalone and "Union values strand" in q.standalone


@pytest.mark.parametrize(
    ("previous", "question", "kept", "dropped"),
    [
        # Its own question word and subject about the same body: only the body's name is carried.
        ("who is CEMR's president?", "where's their HQ?", "CEMR", "president"),
        # "it" is what was asked before: the whole question is carried.
        ("What was the maximum grant under Europe for Citizens 2007-2013?", "how was it calculated?", "maximum", ""),
        # "its" names the same call's own thing: what was asked before is not carried.
        ("When did NT 2025 close?", "what were its themes?", "2025", "close"),
        # A body's name written in lower case is carried as written.
        ("who founded cemr?", "and which countries did the founders come from?", "cemr", "who founded"),
        ("realise grants in 2024?", "and which associations got one?", "realise", ""),
        # So are a programme and a country written in lower case.
        ("when did bosnia and herzegovina sign up to cerv", "had they been in earlier programmes?", "cerv", ""),
        ("when did bosnia and herzegovina sign up to cerv", "had they been in earlier programmes?", "bosnia", ""),
    ],
)
def test_a_follow_up_asking_its_own_question_keeps_only_the_names(
    previous: str, question: str, kept: str, dropped: str
) -> None:
    standalone = analyse(question, [{"role": "user", "content": previous}, {"role": "assistant", "content": "."}])
    assert kept in standalone.standalone and (not dropped or dropped not in standalone.standalone.lower())


@pytest.mark.parametrize(
    ("question", "relative"),
    [
        ("Can we still apply for town twinning?", "open"),
        ("can we still send a proposal to this year's networks of towns call?", "open"),
        ("Is the town twinning call still open?", "open"),
        ("We have no official twinning charter, only years of friendship. Can we still apply for town twinning?", None),
    ],
)
def test_can_we_still_apply_asks_whether_a_call_is_open_only_when_it_asks_nothing_else(
    question: str, relative: str | None
) -> None:
    assert analyse(question).relative == relative


@pytest.mark.parametrize(
    ("question", "topics"),
    [
        ("When was the cut-off of the 2024 networks-of-towns call?", ["networks-of-towns"]),
        ("For the 2022 networks call, who could apply?", ["networks-of-towns"]),
        ("Could a Serbian and a Bosnian town run a twinning project together?", ["town-twinning"]),
        ("When did the EU first fund twinning?", []),  # twinning in general is no call
    ],
)
def test_calls_are_named_as_officers_write_them(question: str, topics: list[str]) -> None:
    assert analyse(question).topics == topics


def test_a_call_named_in_another_language_carries_into_the_follow_up() -> None:
    history = [
        {"role": "user", "content": "¿Cuántas subvenciones de redes de ciudades se concedieron en 2023?"},
        {"role": "assistant", "content": "30 [1]."},
    ]
    q = analyse("¿Y cuántas propuestas se presentaron?", history)
    assert (q.years, q.topics, q.intents, q.counted) == ([2023], ["networks-of-towns"], ["count"], ["proposals"])


@pytest.mark.parametrize(
    ("text", "intents", "counted"),
    [
        ("How many TT projects were funded in 2024?", ["count"], ["tt", "projects"]),
        ("How many were given in 2006?", ["count"], []),
        ("Combien de projets de jumelage ont été financés en 2024 ?", ["count"], ["projects"]),
        ("¿Cuántos proyectos se financiaron?", ["count"], ["projects"]),
        ("¿Cuánto dinero recibe un proyecto?", ["amount"], []),
        ("Quanti progetti sono stati finanziati?", ["count"], ["projects"]),
        # Digits counted in other languages are digits ("9-digit PIC"); the verb after them counts nothing.
        ("Was ist eine PIC und wie viele Ziffern hat sie?", ["count"], ["digits"]),
        ("Mi az a PIC, hány számjegyből áll?", ["count"], ["digits"]),
        ("¿Cuántos dígitos tiene el PIC?", ["count"], ["digits"]),
    ],
)
def test_counts_and_amounts_are_told_apart(text: str, intents: list[str], counted: list[str]) -> None:
    q = analyse(text)
    assert [i for i in q.intents if i in ("amount", "count")] == intents
    assert q.counted == counted


@pytest.mark.parametrize(
    "text",
    [
        "Which budget line paid for twinning around 2000?",
        "What's the minimum consortium for networks of towns 2025?",
        "Organisations from which countries can get CERV money?",
    ],
)
def test_words_near_money_do_not_make_an_amount_question(text: str) -> None:
    assert "amount" not in analyse(text).intents


@pytest.mark.parametrize(
    "text, countries",
    [
        ("Can our Polish partner town and a Bosnian NGO take part?", ["poland", "bosnia"]),
        ("Wer ist die Kontaktstelle in Österreich?", ["austria"]),
        ("Ki a kapcsolattartó Németországban?", ["germany"]),
        ("Can our partner in Jordan apply, or only towns in Chad?", ["jordan", "chad"]),
        ("Is the jordan river near our Partner town in Chad?", ["chad"]),  # a country name is capitalised
        ("can a town in bosnia apply? is a dinner a cost?", ["bosnia"]),  # lower case: names count
        # An English name CLDR replaced ("Türkiye") is still the country (demonyms.yaml).
        ("Could a Polish or Turkish town take part? Turkey was a candidate country.", ["poland", "turkiye"]),
        # Adjectives (demonyms.yaml), written in lower case in most of the languages, but not a language's name.
        ("Un comune serbo e uno albanese possono partecipare insieme?", ["serbia", "albania"]),
        ("Une ville française et une commune allemande peuvent-elles candidater ?", ["france", "germany"]),
        ("Egy magyar és egy szerb település pályázhat együtt?", ["hungary", "serbia"]),
        ("¿Puede un municipio español asociarse con uno serbio?", ["spain", "serbia"]),
        ("Un oraș românesc și unul maghiar pot aplica împreună?", ["romania", "hungary"]),
        ("Posso scrivere la domanda in italiano?", []),
        ("Lehet magyarul pályázni?", []),
        ("Can we write the proposal in Italian?", []),
        ("Si la traducción italiana dice algo distinto de la versión inglesa, ¿cuál vale?", []),
        ("Is the Italian translation of the call binding?", []),
        ("Egy szerb és egy boszniai település pályázhat?", ["serbia", "bosnia"]),
        # Hungarian makes a lower-case adjective of a country's own name ("magyarországi": of Hungary).
        ("Ki a magyarországi CERV nemzeti kapcsolattartó pont?", ["hungary"]),
        ("Pályázhatunk a horvátországi partnerünkkel?", ["croatia"]),
        ("Il serbatoio del municipio è vuoto: Horváth Péter telefonál", []),  # not "serb*", not "horvat*"
        # In lower case but for its acronyms, a name need not be capitalised; in a capitalised text it must.
        ("swiss town as TT partner – is switzerland associated to cerv?", ["switzerland"]),
        ("I like turkey at Christmas", []),
    ],
)
def test_countries_are_named_in_any_language(text: str, countries: list[str]) -> None:
    assert analyse(text).countries == countries


def test_a_follow_up_naming_another_country_drops_the_old_one() -> None:
    history = [{"role": "user", "content": "Who is the CERV contact point in France?"}]
    q = analyse("And in Sweden?", history)
    assert q.countries == ["sweden"] and "france" not in q.standalone.lower()


def test_still_apply_with_a_condition_is_not_a_question_about_open_calls() -> None:
    assert "upcoming" in analyse("What can we still apply for?").intents
    assert "upcoming" not in analyse("Our towns aren't officially twinned. Can we still apply?").intents


@pytest.mark.parametrize(
    "text",
    [
        "Quel est le montant maximal de subvention pour un projet réseaux de villes en 2025 ?",
        "Qual era il contributo massimo per un progetto nel bando gemellaggi 2023?",
        "Care este suma maximă pentru un proiect de înfrățire?",
        "Wie hoch ist der Höchstbetrag pro Projekt?",
        "¿Cuál es el importe máximo por proyecto?",
    ],
)
def test_a_maximum_is_asked_for_in_any_language(text: str) -> None:
    assert {"amount", "per_project", "maximum"} <= set(analyse(text).intents)


@pytest.mark.parametrize(
    "text, intents",
    [
        ("What was the maximum twinning grant?", {"amount", "per_project", "maximum"}),
        ("Was there a ceiling on how much a single network could receive in 2022?", {"amount", "maximum"}),
        ("What's the last day we can submit?", {"date", "date_close"}),
    ],
)
def test_sizes_and_last_days_are_read(text: str, intents: set[str]) -> None:
    assert intents <= set(analyse(text).intents)


@pytest.mark.parametrize(
    "text, lang, english",
    [
        ("Chi gestisce i bandi gemellaggi per conto della Commissione?", "it", {"managed"}),
        ("Cine administrează apelurile CERV pentru înfrățirea orașelor?", "ro", {"managed"}),
        ("Bis wann musste man 2024 einen Antrag für Städtenetzwerke einreichen?", "de", {"networks of towns"}),
        ("Welche Schwerpunkte hatte die Ausschreibung „Netzwerke von Städten“ 2025?", "de", {"networks of towns"}),
        ("¿Cuánto presupuesto tuvo el programa Europa con los Ciudadanos 2007-2013?", "es", {"europe for citizens"}),
    ],
)
def test_the_glossary_reaches_the_corpus_words(text: str, lang: str, english: set[str]) -> None:
    found = " ".join(analyse(text).english)
    assert all(term in found for term in english)


@pytest.mark.parametrize(
    "question",
    [
        "Quanto dura un progetto di gemellaggio?",
        "Quanto poteva durare un progetto di gemellaggio?",
        "¿Cuánto podía durar como máximo un proyecto de hermanamiento?",
        "Cât putea dura un proiect de înfrățire?",
    ],
)
def test_how_long_in_another_language_is_no_amount(question: str) -> None:
    assert "amount" not in analyse(question).intents


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("how big was the TT pot in CERV 24 overall?", [2024]),
        ("tt'25 deadline?", [2025]),
        ("NT-26 budget", [2026]),
        ("the 24 projects of the call", []),
        ("We were 24 towns in the network", []),
    ],
)
def test_a_call_year_written_with_two_digits_after_the_call_is_read(question: str, years: list[int]) -> None:
    assert analyse(question).years == years


@pytest.mark.parametrize(
    ("question", "year", "topic"),
    [
        ("nt22 how many networks got funded", 2022, "networks-of-towns"),
        ("tt24 deadline?", 2024, "town-twinning"),
        ("rem25 ddl", 2025, "remembrance"),
    ],
)
def test_a_call_and_its_year_written_as_one_word_name_both(question: str, year: int, topic: str) -> None:
    query = analyse(question)
    assert query.years == [year] and query.topics == [topic]


@pytest.mark.parametrize(
    ("question", "period"),
    [("efc 07-13 total budget?", "2007-2013"), ("What did CERV 21-27 fund?", "2021-2027")],
)
def test_a_programme_period_with_two_digit_years_is_written_out(question: str, period: str) -> None:
    assert periods_named(analyse(question).text) == {period}
    # Not a programme's period: two days, or no programme named before it.
    assert not periods_named(analyse("Events ran 17-23 September, efc 07-09 too").text)


@pytest.mark.parametrize(
    ("previous", "follow_up", "lang"),
    [
        ("Quando scade il bando gemellaggi di quest'anno?", "e quello dell'anno scorso?", "it"),
        ("Quand se termine l'appel jumelage de cette année ?", "et celui de l'année dernière ?", "fr"),
        ("When does this year's town twinning call close?", "and last year's?", "en"),
    ],
)
def test_a_follow_up_naming_only_another_year_by_the_clock_keeps_what_was_asked(
    previous: str, follow_up: str, lang: str
) -> None:
    # "And last year's?" names no subject of its own: the deadline asked before is asked of last year's call.
    query = analyse(follow_up, [{"role": "user", "content": previous}, {"role": "assistant", "content": "..."}])
    assert query.language == lang and query.relative == "last" and query.topics == ["town-twinning"]
    assert asked_attributes(query) == ["deadline"]


@pytest.mark.parametrize(
    ("follow_up", "year"),
    [
        ("and the year before?", 2023),
        ("and the year after?", 2025),
        # "The next year's" in a conversation about 2024 is 2025's, not next year's by the clock.
        ("and the next year's?", 2025),
        ("e l'anno successivo?", 2025),
    ],
)
def test_a_follow_up_shifts_the_conversations_year(follow_up: str, year: int) -> None:
    query = analyse(follow_up, [{"role": "user", "content": "REM 2024 budget?"}, {"role": "assistant", "content": "."}])
    assert query.years == [year] and query.relative is None and query.topics == ["remembrance"]


@pytest.mark.parametrize(
    ("question", "relatives"),
    [
        ("Did the NT budget go up this year compared to last year?", ("last", "this")),
        ("Le budget NT de cette année est-il plus élevé que celui de l'année dernière ?", ("last", "this")),
        ("What is this year's NT budget?", ("this",)),
        ("When is the next call?", ("next",)),
        ("How much is the NT budget?", ()),
        # "Two years ago" names a year by the clock; "how many years ago" asks how long ago.
        ("What was the networks of towns deadline two years ago?", ("before_last",)),
        ("What was the town twinning budget the year before last?", ("before_last",)),
        ("How many years ago was the CERV regulation adopted?", ()),
        ("What is next year's NT budget?", ("next_year",)),
        ("What is the next year's NT budget?", ("next_year",)),
        ("Mennyi lesz jövőre a testvértelepülési pályázat keretösszege?", ("next_year",)),
        ("Is next year's budget bigger than this year's?", ("this", "next_year")),
        # "Still open?" names no year; beside "this year's" it asks about this year's call.
        ("Is the town twinning call still open?", ("open",)),
        ("Is this year's remembrance call still open?", ("open", "this")),
    ],
)
def test_two_years_named_by_the_clock_are_both_read(question: str, relatives: tuple[str, ...]) -> None:
    assert analyse(question).relatives == relatives


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("List the NT budgets from 2021 to 2026", [2021, 2022, 2023, 2024, 2025, 2026]),
        ("Quanti progetti NT sono stati finanziati dal 2021 al 2023?", [2021, 2022, 2023]),
        ("Wie hoch waren die Budgets der Städtepartnerschaften von 2022 bis 2024?", [2022, 2023, 2024]),
        # Not a call's range: no call named, a programme's period, or too long a span.
        ("What happened to town twinning funding between 2007 and 2013?", [2007, 2013]),
        ("How much did Europe for Citizens 2014-2020 give to town twinning?", []),
        ("What changed from 2021 to 2026?", [2021, 2026]),
        ("Town twinning from 1989 to 2026", [1989, 2026]),
        # A difference from one year to another compares the two.
        ("By how much did the NT budget grow from 2024 to 2026?", [2024, 2026]),
    ],
)
def test_a_range_of_call_years_names_each_year(question: str, years: list[int]) -> None:
    assert analyse(question).years == years


@pytest.mark.parametrize(
    "question",
    ["How many years ago was the CERV regulation adopted?", "Da quanti anni esiste il CCRE?"],
)
def test_how_long_ago_asks_for_a_date_not_a_count(question: str) -> None:
    query = analyse(question)
    assert query.elapsed and "date" in query.intents and "count" not in query.intents


@pytest.mark.parametrize(
    "question",
    ["How many days are left until the end of the CERV programme?", "Hány nap van hátra a CERV program végéig?"],
)
def test_how_long_until_asks_for_a_date_not_a_count(question: str) -> None:
    query = analyse(question)
    assert query.remaining and not query.elapsed and "date" in query.intents and "count" not in query.intents


@pytest.mark.parametrize(
    "text, parts",
    [
        ("nt 2022 deadline and min nr of countries", ("nt 2022 deadline", "min nr of countries")),
        (
            "We're a town in Portugal. Who is the contact point, and can they apply for us?",
            ("Who is the contact point", "can they apply for us"),
        ),
        ("in wie vielen sprachen gibts twinning.org? und hat der RGRE ein handbuch?", None),
        ("When is the 2024 deadline?", ("When is the 2024 deadline",)),
        # A figure offered to confirm asks nothing of its own.
        ("at what time? 17:00 like the others?", ("at what time",)),
        # Two years joined by "and" are one question about both.
        ("Can you compare the 2022 and the 2025 NT minimum?", ("Can you compare the 2022 and the 2025 NT minimum",)),
        # A part of only a question's cue asks its own thing.
        (
            "When were the 2006 Golden Stars awarded and how many were there?",
            ("When were the 2006 Golden Stars awarded", "how many were there"),
        ),
        # The answers a question offers are no question of their own.
        (
            "À quelle heure ferme l'appel 2026 le 23 septembre ? Midi ou 17h ?",
            ("À quelle heure ferme l'appel 2026 le 23 septembre",),
        ),
        (
            "What co-financing rate applies to a TT 2026 grant - 80%? 90%?",
            ("What co-financing rate applies to a TT 2026 grant - 80%",),
        ),
    ],
)
def test_questions_run_together_are_parted(text: str, parts: tuple[str, ...] | None) -> None:
    found = asked_parts(text)
    assert found == parts if parts is not None else len(found) == 2


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("how many TT projects were funded", ["tt", "projects"]),
        # A year is passed over: what is counted comes after it.
        ("How many NT 2023 proposals ended up on the reserve list?", ["nt", "proposals", "ended"]),
        # "n" is chat for "and": a cue followed by it names nothing counted.
        ("nt 2023 reserve list how many n worth how much", []),
        ("how many were given", []),
    ],
)
def test_what_a_count_counts(question: str, counted: list[str]) -> None:
    assert counted_terms(question, "en") == counted


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Can an association loi 1901 apply for TT 2024?", [2024]),
        ("What did Europe for Citizens 2014-2020 fund? And tt 25?", [2025]),
    ],
)
def test_years_are_read_as_questions_name_them(text: str, years: list[int]) -> None:
    assert years_named(text) == years


def test_a_periods_years_are_years_the_documents_may_lack() -> None:
    assert years_named("the 2028-2034 EU budget") == []  # no call year
    assert years_named("the 2028-2034 EU budget", periods=True) == [2028, 2034]


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("Can an association under French law apply?", []),  # a country's law, not a country asked about
        ("Une association de droit français peut-elle candidater ?", []),
        ("Can a French town apply?", ["france"]),
    ],
)
def test_a_countrys_law_is_no_country(text: str, countries: list[str]) -> None:
    lang = "fr" if "droit" in text else "en"
    assert countries_named(text, lang) == countries


@pytest.mark.parametrize(
    ("question", "outcomes"),
    [
        ("How many proposals were eligible, and how many funded?", ("eligible", "funded")),
        ("how many eligible proposals did NT 2023 get", ("eligible",)),
        # The eligible countries or costs of a rule are no proposals found eligible.
        ("How many eligible countries did a 2021 network need?", ()),
        ("What are the eligible costs of a TT project?", ()),
        # Those who applied are the proposals received; "had we applied" counts no one who applied.
        ("How many national associations applied to REALISE in 2024?", ("received",)),
        ("Had we applied, how many applicants would we have needed?", ()),
    ],
)
def test_the_outcomes_a_count_names(question: str, outcomes: tuple[str, ...]) -> None:
    from assistant.question.query import outcomes_asked

    assert outcomes_asked(question) == outcomes


def test_outcomes_named_only_in_the_context_are_not_counted() -> None:
    from assistant.question.query import asked_outcomes

    text = "We suspect we were declared ineligible in 2021. How many proposals were funded in the 2021 NT call?"
    assert asked_outcomes(analyse(text)) == ("funded",)
    history = [
        {"role": "user", "content": "How many TT 2022 proposals were funded?"},
        {"role": "assistant", "content": "192."},
    ]
    assert asked_outcomes(analyse("And in 2023?", history)) == ("funded",)


def test_a_follow_up_naming_another_period_replaces_the_conversations() -> None:
    history = [
        {"role": "user", "content": "What was the Europe for Citizens 2007-2013 budget?"},
        {"role": "assistant", "content": "EUR 215 million."},
    ]
    query = analyse("And the 2014-2020 one?", history)
    assert "2014-2020" in query.standalone and "2007" not in query.standalone


def test_a_follow_up_naming_a_period_replaces_the_conversations_year() -> None:
    history = [
        {"role": "user", "content": "what's the TT 2024 minimum participants"},
        {"role": "assistant", "content": "At least 50 direct participants per event."},
    ]
    query = analyse("and under EfC 2014-2020?", history)
    assert query.years == [] and "2024" not in query.standalone and "participants" in query.standalone
    # A period compared with the conversation's year keeps it.
    assert 2024 in analyse("how many more than under EfC 2014-2020?", history).years


def test_a_follow_up_comparing_another_year_keeps_the_conversations() -> None:
    history = [
        {"role": "user", "content": "What was the NT 2021 budget?"},
        {"role": "assistant", "content": "EUR 4,200,000."},
    ]
    compared = analyse("how much more did NT get in 2022?", history)
    assert compared.follow_up and sorted(compared.years) == [2021, 2022]
    replaced = analyse("and the NT budget in 2022?", history)
    assert replaced.years == [2022]


def test_a_hungarian_verb_of_funding_is_read_as_funded() -> None:
    query = analyse("Hány pályázat érkezett a 2023-as Networks of Towns felhívásra, és hányat támogattak?")
    assert "funded" in query.english


def test_a_follow_up_asking_why_does_not_carry_what_was_asked_before() -> None:
    history = [
        {"role": "user", "content": "How many twinning links are there in Europe?"},
        {"role": "assistant", "content": "Sources differ: about 30,000 versus some 17,000."},
    ]
    query = analyse("why do those numbers differ so much?", history)
    assert query.follow_up and "count" not in query.intents and "how many" not in query.standalone


def test_an_overseas_territory_is_spoken_of_with_the_overseas_countries_and_territories() -> None:
    from assistant.question.places import covers_country

    text = "Applicants had to be established in an EU Member State (including overseas countries and territories)."
    assert covers_country(text, "french polynesia") and not covers_country(text, "switzerland")


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Un comune albanese può partecipare insieme al nostro comune in Puglia?", {"puglia"}),
        ("We are a small commune in Brittany with a partner village in Galicia.", {"brittany", "galicia"}),
        ("Sono il sindaco di un comune di 6.000 abitanti in provincia di Udine.", {"udine"}),
        ("Wir sind eine Gemeinde in Rheinland-Pfalz.", {"rheinland-pfalz"}),
        # "Our" and up to three small words before "in": the asker's place, a name.
        ("Our legal department in Lisbon needs the formal reference.", {"lisbon"}),
        ("Notre comité de jumelage à Lyon demande la référence.", {"lyon"}),
        # A place the question asks about is no home: "a hotel in Brussels", "our twin town Kraków".
        ("Can you recommend a hotel near the office in Brussels?", set()),
        ("Our delegation is visiting our twin town Kraków in May.", set()),
    ],
)
def test_the_askers_own_place_is_read(text: str, places: set[str]) -> None:
    from assistant.question.lexicon import home_places

    assert home_places(text) == places


@pytest.mark.parametrize(
    ("question", "history", "operation"),
    [
        # A total of several years' values is their sum, asked in a follow-up or at once.
        ("how much in total?", [("NT budgets for 2025 and 2026?", "EUR 10,000,000 and EUR 12,000,000.")], "sum"),
        ("Total money for networks of towns in 2021, 2022 and 2023?", [], "sum"),
        ("Quanto in totale per le reti di città nel 2025 e nel 2026?", [], "sum"),
        # One call's total is its budget, no sum.
        ("What is the total budget of the 2024 NT call?", [], None),
    ],
)
def test_a_total_of_several_years_is_a_sum(
    question: str, history: list[tuple[str, str]], operation: str | None
) -> None:
    turns = [{"role": r, "content": c} for user, reply in history for r, c in (("user", user), ("assistant", reply))]
    assert analyse(question, turns).operation == operation


@pytest.mark.parametrize(
    ("question", "lang", "back"),
    [
        ("deadline of the TT call five years ago?", "en", 5),
        ("Quel était le budget NT il y a 3 ans ?", "fr", 3),
        ("Qual era la scadenza del bando gemellaggi tre anni fa?", "it", 3),
        ("Wie hoch war das Budget vor fünf Jahren?", "de", 5),
        ("¿Cuál era el plazo hace tres años?", "es", 3),
        ("Care era termenul limită acum trei ani?", "ro", 3),
        ("Mennyi volt a keret három éve?", "hu", 3),
        # A year counted back in the context is not asked; "how many years ago" asks a count, not a year.
        ("We were twinned ten years ago. What is the TT deadline?", "en", None),
        ("How many years ago was CEMR founded?", "en", None),
    ],
)
def test_a_year_counted_back_from_today_is_read(question: str, lang: str, back: int | None) -> None:
    assert analyse(question).years_back == back


@pytest.mark.parametrize(
    ("question", "word", "corpus_words"),
    [
        # The officer's word -> the corpus's (paraphrases.PARAPHRASES).
        ("what % cofinancing do we get for town twinning?", "cofinanc", {"rate"}),
        ("What's the fourth strand about?", "fourth", {"4"}),
        ("How many 2023 network bids got turned down?", "turn", {"reject"}),
        ("What was the duration of a TT 2023 project?", "durat", {"month"}),
        ("did TT 2021 allow several applicants / a consortium?", "consortium", {"mono", "beneficiari"}),
        ("do we submit the TT application to our NCP or to brussels", "ncp", {"nation", "contact", "point"}),
        ("where do we send the reports?", "send", {"submit"}),
        ("Who ran Europe for Citizens 2014-2020?", "ran", {"manag", "implement"}),
        ("cerv ends when?", "end", {"run"}),
        ("which countries were about to join cerv in 2023?", "join", {"close"}),
        ("cemr sec gen name?", "sec", {"secretari", "general"}),
        ("when did CEM become CEMR?", "becom", {"becam", "renam"}),
    ],
)
def test_everyday_words_map_to_the_corpus_words(question: str, word: str, corpus_words: set[str]) -> None:
    from assistant.question.paraphrases import related_terms

    assert corpus_words <= related_terms(question)[word]


NT_2026 = [{"role": "user", "content": "NT 2026 deadline?"}, {"role": "assistant", "content": "16 April 2026."}]


@pytest.mark.parametrize(
    ("question", "topics", "years"),
    [
        # One call compared with the conversation's joins it; another call alone replaces it.
        ("and TT 2026? how many days apart are the two deadlines?", ["networks-of-towns", "town-twinning"], [2026]),
        ("and for TT?", ["town-twinning"], [2026]),
        # A comparison naming its own years needs none of the conversation's.
        ("What about TT 2024 vs 2025?", ["town-twinning"], [2024, 2025]),
    ],
)
def test_a_follow_up_comparing_one_call_keeps_the_conversations(
    question: str, topics: list[str], years: list[int]
) -> None:
    query = analyse(question, NT_2026)
    assert (query.topics, query.years) == (topics, years)


@pytest.mark.parametrize(
    "text, topics",
    [
        # A call named right after a word leaving it out is not asked about.
        ("How much was reserved for TT 2022 on its own, separate from networks of towns?", ["town-twinning"]),
        ("Quel était le budget du jumelage de villes 2022 seul, hors réseaux de villes ?", ["town-twinning"]),
        ("Presupuesto de hermanamiento 2022 sin las redes de ciudades", ["town-twinning"]),
        # Only a whole word leaves out ("sinergias" is no "sin"), and a call left out alone stays asked.
        ("Sinergias entre hermanamiento y redes de ciudades?", ["networks-of-towns", "town-twinning"]),
        ("Any budget apart from networks of towns?", ["networks-of-towns"]),
    ],
)
def test_a_call_left_out_is_not_asked_about(text: str, topics: list[str]) -> None:
    assert sorted(analyse(text).topics) == topics


@pytest.mark.parametrize("text", ["tt2023 total budget?", "TT 2023 total budget?", "tt23 total budget?"])
def test_a_call_with_its_year_glued_on_names_both(text: str) -> None:
    query = analyse(text)
    assert query.topics == ["town-twinning"] and query.years == [2023]


def test_a_glued_call_year_in_the_conversation_carries_into_the_follow_up() -> None:
    query = analyse("and the deadline?", [{"role": "user", "content": "nt2024 budget?"}])
    assert query.topics == ["networks-of-towns"] and query.years == [2024]


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        # "Networks" alone beside a town twinning call named is the other call type.
        (
            "In 2022, how many more town twinning projects than networks were selected?",
            ["networks-of-towns", "town-twinning"],
        ),
        # Not networks of something else, and not a bare "twinning" beside networks of towns.
        ("Can a town twinning project involve networks of associations?", ["town-twinning"]),
        ("Can our twinning association lead a networks of towns project?", ["networks-of-towns"]),
    ],
)
def test_bare_networks_beside_town_twinning_is_the_other_call(text: str, topics: list[str]) -> None:
    assert sorted(analyse(text).topics) == topics


def test_and_how_many_networks_after_a_town_twinning_count_asks_the_networks_too() -> None:
    history = [
        {"role": "user", "content": "How many TT projects were selected in 2022?"},
        {"role": "assistant", "content": "192, according to CERV Italia."},
    ]
    assert "networks-of-towns" in analyse("and how many networks?", history).topics


def test_a_count_with_nothing_counted_follows_the_conversation() -> None:
    # "How many were ..." counts what was counted before, whatever country or name it adds.
    history = [
        {"role": "user", "content": "How many town twinning projects were selected in 2022?"},
        {"role": "assistant", "content": "192 projects EU-wide."},
    ]
    assert is_follow_up("how many were led by Italian comuni?", True)
    query = analyse("how many were led by Italian comuni?", history)
    assert query.years == [2022] and query.topics == ["town-twinning"] and query.countries == ["italy"]
    # A count naming what it counts is a question of its own.
    assert not is_follow_up("How many towns in Sweden took part overall?", True)


def test_the_conversations_clock_year_carries_into_a_follow_up_asking_its_own_thing() -> None:
    history = [
        {"role": "user", "content": "When did this year's TT call close?"},
        {"role": "assistant", "content": "On 23 September 2026."},
    ]
    query = analyse("and how many proposals did it get?", history)
    assert query.relatives == ("this",) and query.topics == ["town-twinning"]
    # A year of its own replaces the conversation's clock.
    assert analyse("and how many proposals did the 2024 one get?", history).relatives == ()


def test_a_question_asking_whether_a_call_is_still_open_this_year_reads_the_clock() -> None:
    # Context after the question does not turn "can we still apply this year?" into whether they may.
    text = "Can we still apply for networks of towns this year? Our partners only confirmed last week."
    assert analyse(text).relative == "open"
    may = "We have no official twinning charter with our partner town. Can we still apply for town twinning?"
    assert analyse(may).relative is None


def test_a_plus_between_spaces_joins_two_questions() -> None:
    assert asked_parts("TT 2023 closing date + hour plz") == ("TT 2023 closing date", "hour plz")
    assert len(asked_parts("What is the F&T portal?")) == 1


def test_a_country_named_with_and_joins_no_two_questions() -> None:
    text = "When did Bosnia and Herzegovina sign its CERV agreement, and from which date does it apply?"
    assert asked_parts(text) == (
        "When did Bosnia and Herzegovina sign its CERV agreement",
        "from which date does it apply",
    )
    assert asked_parts("Können Gemeinden aus Bosnien und Herzegowina teilnehmen und bis wann?")[0].endswith(
        "teilnehmen"
    )


def test_questions_listed_with_commas_each_starting_with_a_cue_are_parts() -> None:
    text = "quanti partecipanti servivano, quanti dovevano essere invitati dall'estero, e quanto poteva durare?"
    assert len(asked_parts(text)) == 3
    # A statement before the question is no part of its own.
    said = "The 2026 TT deadline is 23 September, but at what time exactly does the portal close that day?"
    assert len(asked_parts(said)) == 1


def test_a_follow_up_asking_the_fewest_of_something_asks_its_own_count() -> None:
    history = [{"role": "user", "content": "tt 2026 amount per project?"}, {"role": "assistant", "content": "..."}]
    query = analyse("minimum countries?", history)
    # Not the conversation's amount: the fewest countries of the same call.
    assert query.intents == ["count"] and query.counted == ["countries"] and query.years == [2026]


def test_a_follow_up_counting_nothing_named_counts_what_was_counted_before() -> None:
    from assistant.answer.facts import asked_attributes

    history = [
        {"role": "user", "content": "How many TT projects were selected in 2022?"},
        {"role": "assistant", "content": "192 EU-wide."},
    ]
    query = analyse("and how many in 2024?", history)
    # The projects selected (funded), of 2024 now: not an unnamed count the passages guess at.
    assert query.years == [2024] and asked_attributes(query) == ["projects_funded"]


def test_the_clock_of_the_context_is_not_the_year_asked() -> None:
    question = (
        "We applied in 2023 and are writing a note for the next round. Can you reconstruct the 2023 TT timeline: "
        "when did it open and when did it close?"
    )
    query = analyse(question)
    assert query.relative is None and query.years == [2023]
    # The asking sentences' own clock still counts.
    assert analyse("We applied in 2023. Is the TT call still open this year?").relative == "open"


@pytest.mark.parametrize(
    ("question", "topics", "relatives"),
    [
        ("how much was in the 2022 TT+NoT pot", ["networks-of-towns", "town-twinning"], ()),
        ("last yr TT budget", ["town-twinning"], ("last",)),
        ("maximum grant for networks of twinned towns?", ["networks-of-towns"], ()),
        # "not" is a word: only "NoT" as written is Networks of Towns.
        ("why was our TT proposal not funded?", ["town-twinning"], ()),
    ],
)
def test_chat_shorthand_for_calls_and_years(question: str, topics: list[str], relatives: tuple[str, ...]) -> None:
    query = analyse(question)
    assert sorted(query.topics) == topics and query.relatives == relatives


@pytest.mark.parametrize(
    ("question", "relative"),
    [
        # Days between two dates of a call are no days left ("wie viele Tage" alone asks a count).
        ("Wie viele Tage lagen zwischen Öffnung und Schluss der NT-Ausschreibung 2026?", None),
        ("Wie viele Tage bleiben noch für die NT-Ausschreibung 2026?", "open"),
    ],
)
def test_days_between_two_dates_are_not_days_left(question: str, relative: str | None) -> None:
    query = analyse(question)
    assert query.relative == relative
    if relative is None:  # the opening and the closing asked ("Schluss")
        assert {"opened", "closed"} <= set(query.english)


def test_a_follow_up_naming_another_programme_asks_about_it() -> None:
    # "And CERV?" after a question about Europe for Citizens 2014-2020: the other programme and its period go.
    history = [
        {"role": "user", "content": "Who ran Europe for Citizens 2014-2020?"},
        {"role": "assistant", "content": "DG HOME, with EACEA as agency."},
    ]
    standalone = analyse("and CERV?", history).standalone.lower()
    assert "who ran" in standalone and "europe for citizens" not in standalone and "2014" not in standalone


@pytest.mark.parametrize(
    "question",
    ["How did the remembrance call budget change from 2024 to 2025?", "what changed between NT 2024 and NT 2025?"],
)
def test_a_change_between_years_is_a_difference(question: str) -> None:
    assert analyse(question).operation == "difference"


def test_an_overseas_territory_is_searched_as_the_documents_name_the_group() -> None:
    # The sources speak of "overseas countries and territories", not of French Polynesia by name.
    from assistant.question.places import OVERSEAS_TERM

    assert OVERSEAS_TERM in analyse("We're a commune in French Polynesia – can we take part in CERV twinning?").english
    assert OVERSEAS_TERM not in analyse("Can a Serbian town take part in CERV twinning?").english
