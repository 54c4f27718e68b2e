"""What makes a sentence the answer: the event a date is for, the call asked about, the maximum, counts in words,
chat words around the question, names at the start of a sentence, everyday words for the corpus's terms, the
country and the year asked about. Over a real ingested fixture index, and over
hand-made passages where the fixture corpus holds no such sentence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assistant.answer.answer import Answer
from assistant.answer.extractive import ExtractiveComposer, Thresholds
from assistant.answer.gates import Scored, same_year
from assistant.ingest.splitting import Chunk
from assistant.question.query import analyse
from assistant.question.text import tokens
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.lexical import LexicalIndex
from assistant.service import Assistant
from tests.conftest import fixed_clock


def test_an_opening_date_is_not_answered_with_the_deadline(service: Assistant) -> None:
    opened = service.ask("When did the 2025 networks of towns call open?")
    assert opened.answered and "17 December 2024" in opened.answer
    # The fixture's 2024 Town Twinning document gives only the closing date.
    answer = service.ask("When did the 2024 town twinning call open for submissions?")
    assert not answer.answered and "19 September 2024" not in answer.answer.split("nearby")[0]


def test_a_question_about_one_call_is_not_answered_from_another(service: Assistant) -> None:
    assert service.ask("What was the budget of the 2024 town twinning call?").answered
    # The fixture holds no 2024 Networks of Towns document: the Town Twinning budget is not its answer.
    answer = service.ask("What was the budget of the 2024 networks of towns call?")
    assert not answer.answered


def test_a_maximum_needs_a_sentence_that_gives_one(service: Assistant) -> None:
    answer = service.ask("What was the maximum grant per project in the 2024 town twinning call?")
    assert answer.answered and "50,745" in answer.answer
    assert not service.ask("What was the maximum grant per project in the 2025 networks of towns call?").answered


CHUNKS = [
    Chunk(
        "rec", "The Rights, Equality and Citizenship programme 2014-2020 had nine specific objectives.", {"doc_id": "r"}
    ),
    Chunk("pic", "Applicants register in the Participant Register and get a PIC before they apply.", {"doc_id": "p"}),
    Chunk("ua", "Bridges of Trust is a CEMR project with the Association of Ukrainian Cities.", {"doc_id": "u"}),
]


def _composer_answers(
    composer: ExtractiveComposer,
    question: str,
    chunks: list[Chunk] = CHUNKS,
    history: list[dict[str, str]] | None = None,
) -> Answer:
    index = LexicalIndex(chunks)
    passages = [Passage(c, 1.0 / (i + 1), 0.5) for i, c in enumerate(chunks)]
    return composer.compose(analyse(question, history), passages, index, fixed_clock(2026, 1, 1)())


def test_a_count_written_in_words_answers_how_many() -> None:
    answer = _composer_answers(ExtractiveComposer(), "How many specific objectives did the REC programme have?")
    assert answer.answered and "nine specific objectives" in answer.answer


def test_a_count_in_the_thousands_answers_how_many() -> None:
    chunks = [Chunk("links", "CEMR spoke of about 30,000 twinning links in Europe in 2004.", {"doc_id": "l"})]
    question = "What is the number of twinning links in Europe?"
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert answer.answered and "30,000" in answer.answer, answer.answer


def test_a_capitalised_word_starting_a_sentence_is_no_unknown_name() -> None:
    question = "Is CEMR doing anything with Ukrainian cities? Someone mentioned Bridges of Trust."
    answer = _composer_answers(ExtractiveComposer(), question)
    assert answer.answered and "Association of Ukrainian Cities" in answer.answer


def test_an_aside_in_brackets_names_no_unknown_name_and_no_country_asked() -> None:
    from assistant.retrieval.lexical import LexicalIndex as Index

    question = "Our committee (a town in Alsace, twinned with a German town) asks: can CEMR help with Ukrainian cities?"
    query = analyse(question)
    # Alsace and Germany are where the asker is and who its partner is: the asking words name Ukraine only.
    assert query.countries == ["ukraine"]
    assert ExtractiveComposer()._unknown_terms(query, Index(CHUNKS)) == []


def test_chat_words_no_sentence_holds_do_not_make_a_refusal(embeddings) -> None:  # noqa: ANN001
    from assistant.answer.extractive import FREQUENT_WORDS

    question = (
        "Hi there, sorry, I really think we just need to know one thing quickly, as our mayor keeps asking me "
        "about it: what do applicants get once they register?"
    )
    assert not _composer_answers(ExtractiveComposer(), question).answered
    composer = ExtractiveComposer(frequent_words=embeddings.frequent_words(FREQUENT_WORDS))
    answer = _composer_answers(composer, question)
    assert answer.answered and "PIC" in answer.answer


@pytest.mark.parametrize(
    ("question", "offered"),
    [
        ("How do we send a TT proposal - by post, by email to Brussels, or online?", {"post", "email", "onlin"}),
        ("Do we send it to our contact point, who forwards it, or directly to Brussels?", {"forward", "direct"}),
        ("What co-financing rate applies to a TT 2026 grant - 80%? 90%?", {"80", "90"}),
        ("What is the TT 2026 grant per project?", set()),
        # The last of two options joined by "or" (in any of the seven languages), when it is short.
        ("is TT paid as a lump sum or on real costs?? our finance guy asks", {"real", "cost"}),
        ("La date limite est-elle en mars ou en septembre ?", {"septembr"}),
        ("Who signs the grant or contract for our network of towns in the CERV programme?", set()),
    ],
)
def test_the_options_a_question_offers_are_read(question: str, offered: set[str]) -> None:
    from assistant.answer.extractive import _offered_tokens

    assert offered <= _offered_tokens(question) and (offered or not _offered_tokens(question))


def test_options_offered_do_not_make_a_refusal() -> None:
    # The answer names one of the options (online), not all of them: the others are not missing words.
    question = "How do we send a proposal: by post, by fax, by email, or online?"
    answer = _composer_answers(ExtractiveComposer(), question, [*CHUNKS, SUBMIT])
    assert answer.answered and "Funding & Tenders Portal" in answer.answer


@pytest.mark.parametrize(
    ("sentence", "fits"),
    [
        ("A beneficiary had to send the final report within 2 months of the citizens' meeting.", True),
        ("A beneficiary had to send the final report after the citizens' meeting.", False),
    ],
)
def test_a_period_counted_from_an_event_answers_a_deadline(sentence: str, fits: bool) -> None:
    from assistant.answer.extractive import _intent_checks

    assert _intent_checks(sentence, ["date", "date_close"]) == {"date": fits}


@pytest.mark.parametrize(
    ("sentence", "fits"),
    [
        ('In Italy, "CERV Italia" (cervitalia.info) is the official Italian CERV contact point.', True),
        ("The call page is at https://ec.europa.eu/info/funding-tenders.", True),
        ("For questions, EACEA indicates the mailbox EACEA-CERV@ec.europa.eu.", False),  # an e-mail address
        ("The call closed at 17.00 CET on 19 September 2024.", False),
    ],
)
def test_a_web_address_answers_a_question_for_a_website(sentence: str, fits: bool) -> None:
    from assistant.answer.extractive import _intent_checks

    assert _intent_checks(sentence, ["website"]) == {"website": fits}


SUBMIT = Chunk(
    "submit", "Proposals are submitted online on the Funding & Tenders Portal in a single stage.", {"doc_id": "s"}
)


def test_a_question_naming_several_years_gets_each_years_sentence() -> None:
    chunks = [
        Chunk(f"nt-{y}", f"The {y} Networks of Towns call closed on {d} {y} at 17:00 Brussels time.", meta)
        for y, d, meta in [
            (2023, "20 April", {"doc_id": "nt-2023", "year": 2023, "topic": "networks-of-towns"}),
            (2024, "18 April", {"doc_id": "nt-2024", "year": 2024, "topic": "networks-of-towns"}),
            (2025, "27 March", {"doc_id": "nt-2025", "year": 2025, "topic": "networks-of-towns"}),
        ]
    ]
    chunks.append(
        Chunk(
            "summary",
            "A summary of the 2024 Networks of Towns call lists a priority that the 2023 call also had.",
            {"doc_id": "summary", "year": 2024, "topic": "networks-of-towns"},
        )
    )
    index = LexicalIndex(chunks)
    passages = [Passage(c, 1.0 / (i + 1), 0.6) for i, c in enumerate(chunks)]
    question = "Can you list the networks of towns closing dates for 2023, 2024 and 2025?"
    answer = ExtractiveComposer().compose(analyse(question), passages, index, fixed_clock(2026, 1, 1)())
    assert answer.answered
    assert all(date in answer.answer for date in ("20 April 2023", "18 April 2024", "27 March 2025"))
    assert "summary" not in answer.answer  # names two of the years but no date: it answers nothing


RESULTS = [
    Chunk(
        "nt-2023-results",
        "In the 2023 Networks of Towns call, 27 proposals were rejected for lack of budget and 43 for insufficient "
        "quality. Applicants were informed of the results in October 2023.",
        {"doc_id": "nt-2023", "year": 2023, "topic": "networks-of-towns"},
    ),
    Chunk(
        "events",
        "In 2021 each twinning event needed at least 50 direct participants, of whom at least 25 had to be invited "
        "participants from partner countries.",
        {"doc_id": "tt-2021", "year": 2021, "topic": "town-twinning"},
    ),
]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("How many 2023 network bids got turned down because they weren't good enough?", "43"),
        ("how many 2023 networks of towns proposals were turned down just because the money ran out?", "27"),
        ("How many people did each twinning event need in 2021?", "50"),
    ],
)
def test_everyday_words_are_read_as_the_corpus_terms(question: str, expected: str, embeddings) -> None:  # noqa: ANN001
    from assistant.answer.extractive import FREQUENT_WORDS

    composer = ExtractiveComposer(frequent_words=embeddings.frequent_words(FREQUENT_WORDS))  # as the service does
    answer = _composer_answers(composer, question, RESULTS)
    assert answer.answered and expected in answer.answer


CONTACT_POINTS = [
    Chunk("fr", "In France, the CERV national contact point is Cidem.", {"doc_id": "ncp"}),
    Chunk("se", "In Sweden, the CERV national contact point is MUCF, the Swedish Agency for Youth.", {"doc_id": "ncp"}),
    Chunk("it", "Town twinning is the theme most requested from the Italian CERV contact point.", {"doc_id": "ncp"}),
    Chunk("cem", "CEMR was founded by mayors from Belgium, France, Germany and Italy.", {"doc_id": "cemr"}),
]
FRANCE = [
    {"role": "user", "content": "Who is the CERV contact point in France?"},
    {"role": "assistant", "content": "In France the CERV national contact point is Cidem."},
]


@pytest.mark.parametrize(
    "question, history, expected",
    [
        ("Who is the CERV national contact point in Sweden?", None, "MUCF"),
        ("Wer ist die nationale CERV-Kontaktstelle in Schweden?", None, "MUCF"),
        ("And in Sweden?", FRANCE, "MUCF"),
        ("Qui est le point de contact national CERV en France ?", None, "Cidem"),
        ("Who is the CERV national contact point in Germany?", None, None),
        ("Wer ist die nationale CERV-Kontaktstelle in Österreich?", None, None),
        ("Chi è il punto di contatto nazionale CERV in Germania?", None, None),
    ],
)
def test_a_question_about_a_country_is_answered_about_that_country(
    question: str, history: list[dict[str, str]] | None, expected: str | None
) -> None:
    answer = _composer_answers(ExtractiveComposer(), question, CONTACT_POINTS, history)
    if expected is None:  # the documents name no contact point for it (a sentence naming it elsewhere is no answer)
        assert not answer.answered
    else:
        # The answer leads with that country's sentence (quoted in English when the question is not).
        lead = answer.answer.partition("[1]")[0]
        assert answer.answered and next(c.text for c in CONTACT_POINTS if expected in c.text) in lead


CLUB = "We're a twinning club in Luxembourg and someone at our meeting mentioned the Golden Stars. "


@pytest.mark.parametrize(
    "question, sentence, refused",
    [
        # A country only the sentence before the asking one names may be the asker's own: a sentence naming no
        # country answers.
        (CLUB + "What were they?", "The Golden Stars of Town Twinning are an annual European Commission award.", False),
        # Not a sentence about another country.
        (CLUB + "Who gave them?", "In France, the Golden Stars of Town Twinning were presented by Cidem.", True),
        # The asking sentence's own country must be spoken of.
        ("Who gave the Golden Stars in Luxembourg?", "The Golden Stars are an annual European Commission award.", True),
    ],
)
def test_a_country_of_the_context_only_rules_out_a_sentence_about_another(
    question: str, sentence: str, refused: bool
) -> None:
    from assistant.answer.gates import ANSWER_GATES, Judged, Scored, Thresholds, first_refusal

    lead = Scored(sentence, Passage(Chunk("s", sentence, {"doc_id": "s"}), 1.0), 0, 1.0, 0.5, True)
    query = analyse(question)
    assert query.countries == ["luxembourg"]  # (what the test stands on)
    judged = Judged(query, [lead], {}, [], Thresholds(), fixed_clock(2026, 1, 1)(), [lead])
    refusal = first_refusal(ANSWER_GATES, judged)
    assert (refusal is not None and refusal.name == "country") is refused


@pytest.mark.parametrize(
    ("question", "fits"),
    [
        # "How long after": a period answers as a date would.
        ("How long after the deadline do results usually arrive?", True),
        # A date asked: a period is no date.
        ("When do the results arrive?", False),
    ],
)
def test_a_span_of_time_asked_is_answered_by_a_period(question: str, fits: bool) -> None:
    from assistant.answer.extractive import _intent_checks

    query = analyse(question)
    span = "span" in query.intents
    sentence = "In these examples, CERV results came roughly four and a half to six months after the deadline."
    assert "date" in query.intents and _intent_checks(sentence, query.intents, span=span)["date"] is fits


def test_a_year_no_sentence_is_about_is_not_answered() -> None:
    chunks = [
        Chunk("gs", "The Golden Stars of Town Twinning are an annual European Commission award.", {"doc_id": "gs"}),
        Chunk("gs-2006", "In 2006, 11 Golden Stars were awarded: 6 for twinning projects.", {"doc_id": "gs"}),
        Chunk("efc", "Europe for Citizens ran in 2007-2013 and again in 2014-2020.", {"doc_id": "efc"}),
    ]
    assert _composer_answers(ExtractiveComposer(), "How many Golden Stars were awarded in 2006?", chunks).answered
    # 2007 appears only inside a period: no sentence is about that year.
    assert not _composer_answers(ExtractiveComposer(), "Which towns won the Golden Stars in 2007?", chunks).answered


@pytest.mark.parametrize(
    "sentence, year, same",
    [
        ("A 2024 town twinning project needed at least 50 participants.", None, False),  # a later year
        ("Each event needed at least 50 participants.", 2024, False),  # its document's year
        ("A Europe for Citizens 2014-2020 project needed at least 25 participants.", None, False),  # another period
        ("In 2010 a citizens' meeting needed at least 25 participants.", None, True),  # a year of the period
        ("A citizens' meeting needed at least 25 participants.", None, True),  # of no year: of any period
    ],
)
def test_a_programme_period_asked_is_answered_by_a_sentence_of_that_period(
    sentence: str, year: int | None, same: bool
) -> None:
    query = analyse("What was the minimum number of participants under Europe for Citizens 2007-2013?")
    metadata = {"doc_id": "s", **({"year": year} if year else {})}
    best = Scored(sentence, Passage(Chunk("s", sentence, metadata), 1.0), 0, 1.0, 0.5, True)
    assert same_year(best, query) is same


def test_a_count_is_of_the_outcome_asked_about() -> None:
    chunks = [
        Chunk(
            "tt-2021",
            "The 2021 Town Twinning call received 119 proposals, of which 106 were eligible.",
            {"doc_id": "tt-2021", "year": 2021, "topic": "town-twinning"},
        )
    ]
    received = _composer_answers(ExtractiveComposer(), "How many 2021 town twinning proposals were received?", chunks)
    assert received.answered and "119" in received.answer
    # Received and eligible proposals are no count of funded ones.
    assert not _composer_answers(
        ExtractiveComposer(), "How many 2021 town twinning proposals were funded?", chunks
    ).answered


def test_a_percentage_asked_with_a_sign_needs_a_sentence_giving_one() -> None:
    chunks = [
        Chunk(
            "ls",
            "The 2021 Town Twinning grants were lump-sum grants, paid once the grant agreement is signed.",
            {"doc_id": "ls", "year": 2021, "topic": "town-twinning"},
        )
    ]
    # "what %" asks a share: the lump-sum sentence holds none.
    question = "what % pre-financing do we get when a town twinning grant agreement is signed?"
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert not answer.answered and answer.refused_by == "intent"


def test_which_countries_needs_a_sentence_naming_countries() -> None:
    ten = Chunk("bt", "The Bridges of Trust project involves the associations of 10 EU countries.", {"doc_id": "bt"})
    named = Chunk("bt-pl", "The Bridges of Trust project involves the associations of Poland and Lithuania.", {})
    question = "Which countries' associations are in the Bridges of Trust project?"
    refused = _composer_answers(ExtractiveComposer(), question, [ten])
    assert not refused.answered and refused.refused_by == "intent"
    answer = _composer_answers(ExtractiveComposer(), question, [named, ten])
    assert answer.answered and answer.answer.startswith("The Bridges of Trust project involves the associations of Pol")


@pytest.mark.parametrize(
    "question, vague, exact",
    [
        (
            "In what year did CEMR publish its White Paper on twinning?",
            "CEMR has also published a White Paper on twinning.",
            "CEMR published a White Paper on twinning in 2007.",
        ),
        (
            "How long does it take for a new PIC to get validated?",
            "A new PIC gets validated by the Commission's validation services.",
            "A new PIC gets validated within 10 days.",
        ),
    ],
)
def test_a_year_or_a_span_of_time_asked_needs_a_sentence_giving_one(question: str, vague: str, exact: str) -> None:
    refused = _composer_answers(ExtractiveComposer(), question, [Chunk("v", vague, {"doc_id": "v"})])
    assert not refused.answered and refused.refused_by == "intent"
    answer = _composer_answers(ExtractiveComposer(), question, [Chunk("e", exact, {"doc_id": "e"})])
    assert answer.answered and answer.answer.startswith(exact)


def test_the_call_the_asking_sentence_names_is_asked_not_the_contexts() -> None:
    chunks = [
        Chunk(
            "nt-2020",
            "Networks of towns projects selected in 2020 needed an evaluation score of at least 81 out of 100.",
            {"doc_id": "nt-2020", "topic": "networks-of-towns"},
        )
    ]
    plain = "What evaluation score did a networks of towns project need to be selected?"
    assert _composer_answers(ExtractiveComposer(), plain, chunks).answered
    # The context speaks of networks; the question asks about town twinning.
    question = "We needed 81 points for networks of towns. What score does a town twinning project need to be selected?"
    refused = _composer_answers(ExtractiveComposer(), question, chunks)
    assert not refused.answered and refused.refused_by == "call"


def test_a_budget_asked_needs_a_sentence_giving_an_amount() -> None:
    about = Chunk(
        "bt", "Bridges of Trust is a CEMR project with the Association of Ukrainian Cities.", {"doc_id": "bt"}
    )
    budget = Chunk("bt-b", "The Bridges of Trust project has a budget of EUR 1,000,000.", {"doc_id": "bt-b"})
    question = "What is the budget of CEMR's Bridges of Trust project?"
    refused = _composer_answers(ExtractiveComposer(), question, [about])
    assert not refused.answered and refused.refused_by == "intent"
    answer = _composer_answers(ExtractiveComposer(), question, [budget, about])
    assert answer.answered and "EUR 1,000,000" in answer.answer.split("[1]")[0]


def test_the_date_counted_from_is_the_one_of_the_event_asked() -> None:
    from assistant.answer.gates import dates_of_event

    sentence = "CEMR marks its 75th anniversary on 28 January 2026, 75 years after its founding on 28 January 1951."
    assert dates_of_event(sentence, "cemr was founded how many years ago?")[0].year == 1951
    assert dates_of_event(sentence, "How many years ago was the anniversary?")[0].year == 2026
    assert [d.year for d in dates_of_event(sentence, "How many years ago?")] == [2026, 1951]  # no event: in order


def test_which_towns_needs_a_sentence_naming_a_town_the_question_does_not() -> None:
    count = Chunk("gs", "In 2006, 11 Golden Stars were awarded at the Europe for Citizens Forum.", {"doc_id": "gs"})
    named = Chunk("gs-t", "In 2006, Golden Stars went to Ferrara and Antwerp.", {"doc_id": "gs-t"})
    common = [Chunk(f"e{i}", f"Europe for Citizens and the Forum, note {i}.", {"doc_id": f"e{i}"}) for i in range(12)]
    question = "Which towns won the 2006 Golden Stars?"
    refused = _composer_answers(ExtractiveComposer(), question, [count, *common])
    assert not refused.answered and refused.refused_by == "intent"
    answer = _composer_answers(ExtractiveComposer(), question, [named, count, *common])
    assert answer.answered and answer.answer.startswith("In 2006, Golden Stars went to Ferrara and Antwerp.")


def test_a_question_about_the_future_is_not_answered_with_past_dates() -> None:
    chunks = [
        Chunk(
            "congress", "CEMR twinning congresses took place in Antwerp in 2002 and in Rhodes in 2007.", {"doc_id": "c"}
        )
    ]
    past = _composer_answers(ExtractiveComposer(), "When did CEMR hold its twinning congresses?", chunks)
    assert past.answered and "2007" in past.answer
    assert not _composer_answers(ExtractiveComposer(), "When is CEMR's next twinning congress?", chunks).answered
    # "The next" in the question's own language ("il prossimo congresso").
    italian = _composer_answers(ExtractiveComposer(), "Quando sarà il prossimo congresso del CCRE?", chunks)
    assert not italian.answered and italian.refused_by == "future", italian.answer


def test_what_came_after_or_before_a_named_event_needs_a_later_or_earlier_year() -> None:
    chunks = [
        Chunk("c", "CEMR twinning congresses took place in Antwerp in 2002 and in Rhodes in 2007.", {"doc_id": "c"}),
        Chunk("p", "The President of CEMR since December 2022 has been Gunn Marit Helgesen.", {"doc_id": "p"}),
    ]
    after_antwerp = _composer_answers(ExtractiveComposer(), "Where was the twinning congress after Antwerp?", chunks)
    assert after_antwerp.answered and "Rhodes in 2007" in after_antwerp.answer
    for question in (
        "Where was the twinning congress after the one in Rhodes?",
        "Where was the twinning congress held after Rhodes 2007?",
        "Who was the President of CEMR before Gunn Marit Helgesen?",
    ):
        refused = _composer_answers(ExtractiveComposer(), question, chunks)
        assert not refused.answered and refused.refused_by == "sequence", question


def test_a_question_naming_a_call_id_is_not_answered_from_another_call() -> None:
    chunks = [
        Chunk(
            "tt-2022",
            "The 2022 Town Twinning call (CERV-2022-CITIZENS-TOWN-TT) closed on 24 March 2022 at 17:00.",
            {"doc_id": "tt-2022", "year": 2022, "call_id": "CERV-2022-CITIZENS-TOWN-TT"},
        ),
        Chunk("civ", "The 2022 call CERV-2022-CITIZENS-CIV was issued by EACEA unit B.3.", {"doc_id": "strands"}),
    ]
    own = _composer_answers(ExtractiveComposer(), "When did CERV-2022-CITIZENS-TOWN-TT close?", chunks)
    assert own.answered and "24 March 2022" in own.answer
    assert not _composer_answers(ExtractiveComposer(), "When did CERV-2022-CITIZENS-CIV close?", chunks).answered


def test_a_sentence_holding_what_is_asked_answers_the_cue_words() -> None:
    chunks = [
        Chunk(
            "nt-2024",
            "The 2024 Networks of Towns call closed on 18 April 2024 at 17:00 Brussels time.",
            {"doc_id": "nt-2024", "year": 2024, "topic": "networks-of-towns"},
        ),
        Chunk("rules", "A proposal over the page limit or sent after the deadline date is rejected.", {"doc_id": "r"}),
        *(Chunk(f"nt-{i}", f"Networks of Towns in 2024 linked towns on theme {i}.", {"doc_id": "n"}) for i in range(4)),
    ]
    # "date limite" / "deadline": the sentence says "closed on" and gives the date.
    answer = _composer_answers(
        ExtractiveComposer(), "Quelle était la date limite de l'appel Réseaux de villes 2024 ?", chunks
    )
    assert answer.answered and "18 April 2024" in answer.answer


def test_a_sentence_saying_the_year_is_not_shown_is_no_answer() -> None:
    chunks = [
        Chunk("rs", "Serbia sent the CERV agreement for ratification; the year of the announcement is not shown.", {}),
    ]
    assert not _composer_answers(
        ExtractiveComposer(), "In what year did Serbia ratify the CERV agreement?", chunks
    ).answered


def test_sentences_saying_the_year_is_uncertain_are_no_answer_and_another_date_off_the_subject_does_not_lead() -> None:
    chunks = [
        Chunk(
            "rs",
            "Serbia sent the CERV agreement to its parliament to ratify it; the year is not shown. An article says "
            "Serbia ratified the CERV agreement at the end of last year, most likely 2023, but the year is not "
            "certain.",
            {"doc_id": "rs"},
        ),
        Chunk("rec", "Serbia had earlier joined the REC programme on 16 July 2018.", {"doc_id": "rec"}),
        *CHUNKS,
    ]
    answer = _composer_answers(ExtractiveComposer(), "When did Serbia ratify the CERV agreement?", chunks)
    # Not led by the REC date (another agreement), nor answered by the uncertain year.
    assert not answer.answered and "16 July 2018" not in answer.answer, answer.answer


def test_another_programme_named_in_german_is_unknown() -> None:
    chunks = [Chunk("rate", "The funding rate of the CERV twinning grant is not applicable: it is a lump sum.", {})]
    answered = "Wie hoch ist die Förderquote bei CERV für unsere Städtepartnerschaft?"
    assert _composer_answers(ExtractiveComposer(), answered, chunks).answered
    # The same question about Interreg, which the documents never name, is not answered with CERV's rate.
    assert not _composer_answers(ExtractiveComposer(), answered.replace("CERV", "Interreg"), chunks).answered


def test_an_answer_about_one_country_leaves_the_others_out() -> None:
    question = "Who is the CERV national contact point in Sweden?"
    answer = _composer_answers(ExtractiveComposer(), question, CONTACT_POINTS)
    assert answer.answered and "MUCF" in answer.answer
    assert "Cidem" not in answer.answer and "Italian" not in answer.answer


def test_similarity_thresholds_follow_the_embedding_models_scale(service: Assistant) -> None:
    """e5 gives unrelated text a cosine of about 0.7, MiniLM about 0: MiniLM's 0.22 floor would let everything
    through with e5, so each model has its own tuned thresholds (assistant/answer/thresholds.json)."""
    from assistant.answer.extractive import Thresholds

    minilm, e5 = Thresholds.for_model("all-MiniLM-L6-v2"), Thresholds.for_model("multilingual-e5-small")
    assert minilm == Thresholds()
    assert e5.min_similarity > 0.7 > minilm.strong_similarity and e5.strong_similarity > e5.min_similarity
    assert Thresholds.for_model("/models/multilingual-e5-small") == e5  # a folder is matched by its name
    assert service.composer.thresholds == Thresholds.for_model(service.settings.embedding_model)


def test_the_models_sentence_similarity_chooses_and_admits_the_answer_the_words_miss() -> None:
    """A question in other words than its answer ("Wer steckt eigentlich dahinter?": no word in common with the
    English sentence): the model's question-sentence similarity picks the sentence and, above
    ``sentence_similarity``, answers it whatever its word coverage; without a high enough similarity the same
    question is refused."""
    chunks = [
        Chunk(
            "a",
            "The calls are managed by the European Education and Culture Executive Agency (EACEA).",
            {"doc_id": "a"},
        ),
        Chunk("b", "Town twinning projects bring citizens of different countries together.", {"doc_id": "b"}),
    ]

    def answer(similarities: tuple[float, float], sentence_similarity: float) -> Answer:
        passages = [
            Passage(chunks[1], 1.0, 0.9, np.array([similarities[1]])),
            Passage(chunks[0], 0.5, 0.9, np.array([similarities[0]])),
        ]
        composer = ExtractiveComposer(
            Thresholds(
                min_similarity=0.8, strong_similarity=0.95, semantic_weight=1.0, sentence_similarity=sentence_similarity
            )
        )
        question = analyse("Wer steckt eigentlich dahinter?")
        return composer.compose(question, passages, LexicalIndex(chunks), fixed_clock(2026, 1, 1)())

    admitted = answer((0.9, 0.8), sentence_similarity=0.88)
    assert admitted.answered and "The calls are managed" in admitted.answer.partition("[1]")[0]
    assert not answer((0.86, 0.8), sentence_similarity=0.88).answered
    assert not answer((0.9, 0.8), sentence_similarity=1.01).answered


def test_how_many_years_ago_is_counted_from_the_quoted_date_to_today() -> None:
    adopted = Chunk(
        "reg", "The Rights, Equality and Citizenship regulation was adopted on 28 April 2021.", {"doc_id": "g"}
    )
    answer = _composer_answers(
        ExtractiveComposer(),
        "How many years ago was the Rights, Equality and Citizenship regulation adopted?",
        [adopted],
    )
    # The clock is 1 January 2026: four full years; the date counted from is named, and the count leads.
    assert answer.answered and answer.answer.startswith("28 April 2021 was 4 years ago (today is 1 January 2026).")
    assert "4" in answer.computed


def test_how_old_is_counted_from_the_sentences_earliest_date() -> None:
    anniversary = Chunk(
        "cemr",
        "CEMR marks its 75th anniversary on 1 January 2026, 75 years after its founding on 1 January 1951.",
        {"doc_id": "cemr"},
    )
    answer = _composer_answers(ExtractiveComposer(), "How old is CEMR?", [anniversary])
    assert answer.answered and answer.answer.startswith("1 January 1951 was 75 years ago")
    # How long ago the anniversary was counts from the sentence's first date.
    answer = _composer_answers(ExtractiveComposer(), "How many days ago was CEMR's 75th anniversary?", [anniversary])
    assert answer.answered and answer.answer.startswith("1 January 2026 was 0 days ago")


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("How many days are left until the end of the CERV programme period?", "31 December 2027 is 729 days away"),
        ("Quanti giorni mancano alla fine del periodo del programma CERV?", "31 dicembre 2027: mancano 729 giorni"),
    ],
)
def test_how_long_until_counts_the_days_to_the_quoted_date_still_to_come(question: str, lead: str) -> None:
    period = Chunk(
        "cerv", "The CERV programme period runs from 1 January 2021 to 31 December 2027.", {"doc_id": "cerv"}
    )
    answer = _composer_answers(ExtractiveComposer(), question, [period])
    # The clock is 1 January 2026: the period's start has passed, its end is 729 days ahead, and the count leads.
    assert answer.answered and answer.answer.startswith(lead)
    assert "729" in answer.computed


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        (
            "How many days ago was the Rights, Equality and Citizenship regulation adopted?",
            "28 April 2021 was 1709 days ago (today is 1 January 2026).",
        ),
        (
            "Da quanti giorni è stato adottato il regolamento CERV?",
            "28 aprile 2021: sono passati 1709 giorni (data odierna: 1 gennaio 2026).",
        ),
    ],
)
def test_how_many_days_ago_is_counted_in_days(question: str, lead: str) -> None:
    adopted = Chunk(
        "reg",
        "The Rights, Equality and Citizenship regulation was adopted on 28 April 2021. The CERV regulation was adopted "
        "on 28 April 2021.",
        {"doc_id": "g"},
    )
    answer = _composer_answers(ExtractiveComposer(), question, [adopted])
    assert answer.answered and answer.answer.startswith(lead), answer.answer
    assert "1709" in answer.computed


def test_a_close_sentence_about_the_call_asked_leads_over_one_about_another_call() -> None:
    chunks = [
        Chunk(
            "nt",
            "Committees must register in the Participant Register before they apply, a rule stated for the 2026 "
            "networks of towns call.",
            {"doc_id": "n"},
        ),
        Chunk("tt", "Twinning committees can apply to the 2026 town twinning call themselves.", {"doc_id": "t"}),
    ]
    question = "Can our twinning committee apply to the 2026 town twinning call itself, and must it register first?"
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert answer.answered and answer.answer.startswith("Twinning committees can apply"), answer.answer


GRANTS = [
    Chunk(f"g{i}", text, {"doc_id": f"g{i}"})
    for i, text in enumerate(
        [
            "The maximum Europe for Citizens town twinning grant in 2014-2020 was EUR 25,000.",
            "Under Europe for Citizens 2014-2020, a town twinning project could receive at most EUR 25,000.",
            "In 2014-2020 Europe for Citizens capped each town twinning grant at a maximum of EUR 25,000.",
            "The maximum town twinning grant under Europe for Citizens 2007-2013 was EUR 25,000.",
            "The maximum grant per project in the 2023 Town Twinning call was EUR 50,745.",
            "A Europe for Citizens town twinning project in 2014-2020 could last at most 21 days.",
        ]
    )
]


@pytest.mark.parametrize(
    "question",
    [
        "Under Europe for Citizens 2014-2020, what was the maximum town twinning grant and how long could a project "
        "last?",
        "max town twinning grant under europe for citizens 2014-2020? how long could a project last?",
    ],
)
def test_each_question_run_together_gets_its_answer(question: str) -> None:
    # Several sentences give the maximum grant asked first and fill the answer; the one that says how long a
    # project lasts answers the second question and is quoted too.
    answer = _composer_answers(ExtractiveComposer(), question, GRANTS)
    assert answer.answered and "EUR 25,000" in answer.answer and "21 days" in answer.answer, answer.answer


def test_an_exact_detail_of_the_call_asked_leads_from_further_down() -> None:
    # The closing day matches the question best, but only the closing hour answers "a che ora" (at what time).
    chunks = [
        Chunk("day", "The 2023 Town Twinning call closed on 20 September 2023.", {"doc_id": "d"}),
        Chunk(
            "published",
            "The 2023 Town Twinning call was published on 20 January 2023 and closed on 20 September 2023.",
            {"doc_id": "p"},
        ),
        Chunk("time", "The closing hour of the 2023 Town Twinning call was 17:00 Brussels time.", {"doc_id": "t"}),
    ]
    question = "A che ora scadeva il bando gemellaggi 2023, il 20 settembre?"
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert answer.answered and "17:00" in answer.answer.split("[1]")[0], answer.answer


def test_a_follow_up_naming_another_call_leads_with_that_call_from_further_down() -> None:
    # The previous answer's sentence (town twinning) matches the condensed question best; the networks-of-towns
    # sentence the follow-up asks about scores well below it and still answers rather than a refusal (``call``).
    tt = "The maximum Europe for Citizens town twinning grant in 2014-2020 was EUR 25,000."
    nt = "The Europe for Citizens networks of towns grant ranged from EUR 10,000 to EUR 150,000."
    chunks = [Chunk("tt", tt, {"doc_id": "h"}), Chunk("nt", nt, {"doc_id": "h"})]
    history = [
        {"role": "user", "content": "What was the maximum town twinning grant under Europe for Citizens 2014-2020?"},
        {"role": "assistant", "content": "EUR 25,000."},
    ]
    answer = _composer_answers(ExtractiveComposer(), "and for networks of towns back then?", chunks, history)
    assert answer.answered and answer.answer.startswith("The Europe for Citizens networks of towns"), answer.answer


def test_who_holds_a_post_is_answered_only_by_a_sentence_naming_a_post() -> None:
    chunks = [
        Chunk("u", "CERV town twinning calls are issued by EACEA unit B.3 (Europe for Citizens).", {"doc_id": "u"}),
        Chunk("s", "According to Wikipedia, the Secretary General of CEMR is Fabrizio Rossi.", {"doc_id": "s"}),
    ]
    head = _composer_answers(ExtractiveComposer(), "Who is the head of EACEA unit B.3?", chunks)
    assert not head.answered and head.refused_by == "intent", head.answer
    general = _composer_answers(ExtractiveComposer(), "who's CEMR's secretary general?", chunks)
    assert general.answered and "Fabrizio Rossi" in general.answer.split("[1]")[0], general.answer
    # Who issues the calls asks for no post holder: the unit answers.
    assert _composer_answers(ExtractiveComposer(), "Who issues the town twinning calls?", chunks).answered


def test_a_not_given_sentence_stating_only_another_calls_figure_is_no_answer() -> None:
    # The sentence gives the NT figure and says the TT one is not given; the joint amount is no TT amount either.
    chunks = [
        Chunk(
            "n",
            "Of the 2022 total, the Networks of Towns topic had a budget of EUR 6,500,000; the sources used do not "
            "give a separate figure for the 2022 Town Twinning topic.",
            {"doc_id": "n", "year": 2022},
        ),
        Chunk("j", "The 2022 Town Twinning topic was funded from EUR 11 million in total.", {"doc_id": "j"}),
    ]
    answer = _composer_answers(ExtractiveComposer(), "What was the own 2022 amount of town twinning?", chunks)
    assert not answer.answered and answer.refused_by == "no_knowledge", answer.answer


def test_the_first_of_two_questions_run_together_gets_its_answer_too() -> None:
    # The best sentence answers the second question; the first (the contact point) gets its own sentence, judged by
    # its own words ("Croatia" is in both), and a sentence about another country answers neither.
    texts = {
        "s": "Croatia has taken part in CERV since 2021.",
        "p": "In Portugal, the CERV national contact point is the Ministry of Justice since 2023.",
        "c": "In Croatia, the CERV contact point is the Government Office for Cooperation with NGOs.",
    }
    chunks = [Chunk(key, text, {"doc_id": key}) for key, text in texts.items()]
    question = "Who exactly is the CERV contact point in Croatia, and since when has Croatia been taking part?"
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert answer.answered and "Government Office" in answer.answer and "since 2021" in answer.answer, answer.answer
    assert "Portugal" not in answer.answer


def test_until_when_a_programme_runs_is_answered_by_the_end_of_its_span() -> None:
    # "Until when" asks a closing: the end of a span ("from 2021 to 2027") is one; "now" is chat, not the subject.
    chunks = [
        Chunk("n", "The national contact points now help CERV applicants with partner search.", {"doc_id": "n"}),
        Chunk("r", "The CERV programme runs for seven years, from 2021 to 2027.", {"doc_id": "r"}),
    ]
    question = "Is CERV still running now, and until when does the programme go?"
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert answer.answered and answer.answer.startswith("The CERV programme runs"), answer.answer


def test_a_strand_named_by_its_rank_is_the_numbered_strand() -> None:
    chunks = [
        Chunk("s", "CERV strand 2 is Equality, rights and gender equality. CERV strand 4 is Daphne.", {"doc_id": "s"}),
        Chunk("t", "Strand 3 of CERV funds exchanges between citizens of different Member States.", {"doc_id": "t"}),
    ]
    answer = _composer_answers(ExtractiveComposer(), "different topic: what's the fourth strand about?", chunks)
    assert answer.answered and answer.answer.startswith("CERV strand 4 is Daphne"), answer.answer


def test_a_minimum_does_not_answer_the_most_a_count_may_be() -> None:
    chunks = [Chunk("p", "Each 2024 Town Twinning event needed at least 50 direct participants.", {"doc_id": "p"})]
    assert _composer_answers(ExtractiveComposer(), "How many participants did a 2024 TT event need?", chunks).answered
    answer = _composer_answers(ExtractiveComposer(), "Is there a max number of participants per TT 2024 event?", chunks)
    assert not answer.answered and answer.refused_by == "intent"


def test_an_amount_of_several_together_does_not_answer_one_of_them_alone() -> None:
    chunks = [
        Chunk(
            "e",
            "Within the CERV envelope, the equality strand and the Daphne strand together receive EUR 169,410,120.",
            {"doc_id": "e"},
        ),
        # Nor does a sentence about the one thing with no amount at all.
        Chunk("d", "The CERV Daphne strand on its own fights violence against children.", {"doc_id": "d"}),
    ]
    together = _composer_answers(ExtractiveComposer(), "How much do the equality and Daphne strands get?", chunks)
    assert together.answered and "169,410,120" in together.answer
    alone = _composer_answers(ExtractiveComposer(), "How much does the Daphne strand get on its own?", chunks)
    assert not alone.answered and alone.refused_by == "intent"


def test_a_sentence_set_against_the_one_before_it_comes_with_that_one() -> None:
    # A disagreement is disclosed with both its sides: "... said instead that ..." brings the sentence it answers.
    text = (
        "The 2024 call had a budget of EUR 4 million. A Eurodesk summary of the 2024 call allows any eligible "
        "country of the project. An Italian summary of the 2023 call said instead that activities take place in "
        "the applicant's country, so the sources disagree."
    )
    chunks = [Chunk("where", text, {"doc_id": "tt"})]
    question = "Do town twinning activities take place in the applicant's country?"
    answer = _composer_answers(ExtractiveComposer(max_sentences=1), question, chunks)
    assert answer.answered and "any eligible country" in answer.answer and "applicant's country" in answer.answer
    # "Instead of" sets nothing against the sentence before.
    text = "Applicants need a PIC. An organisation with a PIC contacts its LEAR instead of registering again."
    chunks = [Chunk("pic", text, {"doc_id": "pic"})]
    assert "need a PIC" not in _composer_answers(ExtractiveComposer(), "Who is the LEAR?", chunks).answer


def test_chat_shorthand_reads_as_the_corpus_words() -> None:
    chunks = [Chunk("langs", "CEMR's twinning website twinning.org is available in 23 languages.", {"doc_id": "t"})]
    answer = _composer_answers(ExtractiveComposer(), "twinning.org how many langs is it in", chunks)
    assert answer.answered and "23 languages" in answer.answer


def test_a_follow_up_keeps_the_conversations_clock_year() -> None:
    # "How much was in it?" after "is this year's call still open?" asks about this year's call, not any year's.
    chunks = [
        Chunk(
            f"nt-{year}",
            f"The {year} Networks of Towns call had a budget of EUR {budget}.",
            {"doc_id": f"nt-{year}", "year": year, "topic": "networks-of-towns"},
        )
        for year, budget in ((2022, "6,500,000"), (2026, "12,000,000"))
    ]
    history = [
        {"role": "user", "content": "Is this year's networks of towns call still open?"},
        {"role": "assistant", "content": "No, it closed on 16 April 2026."},
    ]
    answer = _composer_answers(ExtractiveComposer(), "how much was in it?", chunks, history)
    assert answer.answered and answer.answer.startswith("The 2026"), answer.answer


def test_an_email_address_is_answered_only_by_a_sentence_holding_one() -> None:
    chunks = [
        Chunk("sg", "According to Wikipedia, the Secretary General of CEMR is Fabrizio Rossi.", {"doc_id": "cemr"}),
        Chunk("box", "EACEA gives the functional mailbox EACEA-CERV@ec.europa.eu for CERV questions.", {"doc_id": "m"}),
    ]
    composer = ExtractiveComposer()
    assert not _composer_answers(composer, "What's the e-mail address of CEMR's Secretary General?", chunks).answered
    answer = _composer_answers(composer, "What is the e-mail address for CERV questions?", chunks)
    assert answer.answered and "EACEA-CERV@ec.europa.eu" in answer.answer
    # Which address to use is answered by a sentence saying which.
    login = [Chunk("login", "The EU Login account should be opened with a work e-mail address.", {"doc_id": "l"})]
    question = "Which e-mail address should I use for the EU Login account?"
    assert _composer_answers(composer, question, [*chunks, *login]).answered


def test_a_sentence_of_the_year_asked_answers_only_on_the_subject() -> None:
    chunks = [
        Chunk("gs", "The Golden Stars of Town Twinning are an annual European Commission award.", {"doc_id": "gs"}),
        Chunk(
            "rhodes", "CEMR twinning congresses took place in Antwerp in 2002 and in Rhodes in 2007.", {"doc_id": "k"}
        ),
        Chunk("line", "In the early 2000s, town twinning was financed from budget line A-321.", {"doc_id": "h"}),
    ]
    # The Rhodes congress of 2007 says nothing of the Golden Stars of 2007.
    assert not _composer_answers(ExtractiveComposer(), "Which towns won the Golden Stars in 2007?", chunks).answered
    # A decade named answers for each of its years.
    answer = _composer_answers(ExtractiveComposer(), "Which budget line paid for town twinning around 2002?", chunks)
    assert answer.answered and "A-321" in answer.answer


def _nt_call(year: int, text: str, **facts: object) -> Chunk:
    """A chunk of a networks-of-towns call's document carrying its registry facts (one source, "s")."""
    import json

    from assistant.calls.registry import CALL_FACTS

    record = {"programme": "CERV", "call_id": f"CERV-{year}-CITIZENS-TOWN-NT", "type": "networks-of-towns"}
    source = {"s": {"url": "https://s.example/nt", "title": "S", "kind": "official", "confidence": "high"}}
    meta = {
        "doc_id": f"nt-{year}.md",
        "year": year,
        "topic": "networks-of-towns",
        CALL_FACTS: json.dumps({**record, "year": year, **facts}),
        "sentence_sources": json.dumps([["s"]] * 3),
        "sources": json.dumps(source),
    }
    return Chunk(f"nt-{year}", text, meta)


def test_the_days_each_of_several_calls_was_open_are_counted() -> None:
    def call(year: int, opened: str, closed: str, text: str) -> Chunk:
        dates = {"opening": [{"date": opened, "source": "s"}], "deadline": [{"date": closed, "source": "s"}]}
        return _nt_call(year, text, **dates)

    chunks = [
        call(
            2025,
            "2024-12-17",
            "2025-03-27",
            "The 2025 Networks of Towns call opened on 17 December 2024 and closed on 27 March 2025.",
        ),
        call(
            2026,
            "2025-12-17",
            "2026-04-16",
            "The 2026 Networks of Towns call opened on 17 December 2025 and closed on 16 April 2026.",
        ),
    ]
    question = "How many days were the NT 2025 and NT 2026 calls open, from opening to deadline?"
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert answer.answered and "100 days" in answer.answer and "120 days" in answer.answer, answer.answer
    assert {"100", "120"} <= set(answer.computed)


def test_a_calls_success_rate_is_its_funded_of_its_proposals_received() -> None:
    counts = {
        "proposals_received": [{"count": 109, "source": "s"}],
        "projects_funded": [{"count": 30, "source": "s"}],
    }
    text = "The 2023 Networks of Towns call received 109 proposals. In the 2023 call, 30 projects were funded."
    chunks = [_nt_call(2023, text, **counts)]
    answer = _composer_answers(ExtractiveComposer(), "What was the success rate in NT 2023?", chunks)
    assert answer.answered and "success rate of 27.5%" in answer.answer and "27.5%" in answer.computed
    french = _composer_answers(ExtractiveComposer(), "Quel était le taux de réussite de l'appel NT 2023 ?", chunks)
    assert "27,5%" in french.answer, french.answer


def test_a_success_rate_of_the_eligible_proposals_is_a_share_of_those() -> None:
    counts = {
        "proposals_received": [{"count": 109, "source": "s"}],
        "proposals_eligible": [{"count": 104, "source": "s"}],
        "projects_funded": [{"count": 30, "source": "s"}],
    }
    text = "The 2023 NT call received 109 proposals, of which 104 were eligible. 30 projects were funded."
    chunks = [_nt_call(2023, text, **counts)]
    answer = _composer_answers(ExtractiveComposer(), "Success rate of NT 2023, funded vs eligible proposals?", chunks)
    assert answer.answered and "28.8%: 30 funded of 104 eligible proposals" in answer.answer, answer.answer


def test_a_question_about_a_country_is_led_by_that_countrys_sentence_when_one_is_among_the_best() -> None:
    chunks = [
        Chunk(
            "ncp",
            "The national contact points now help CERV applicants with partner search and with their applications. "
            "In France, the CERV national contact point is Cidem.",
            {"doc_id": "ncp"},
        )
    ]
    question = "In France, who can we turn to as the national CERV contact point for help with an application?"
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert answer.answered and answer.answer.startswith("In France, the CERV national contact point is Cidem.")
    # No sentence about the country asked: the country gate refuses.
    assert not _composer_answers(ExtractiveComposer(), question.replace("France", "Germany"), chunks).answered


def test_a_part_of_a_question_is_answered_by_a_sentence_holding_its_rarest_word() -> None:
    from assistant.answer.extractive import _part_terms

    text = (
        "According to the May 2025 presentation, a 2025 Town Twinning grant could reach EUR 50,000 per municipality "
        "project. The presenters of the 2025 Town Twinning call stressed that the lump sum of a municipality is not "
        "tied to costs. In the 2025 Town Twinning call, the lump sum was calculated from the number of participants."
    )
    # 2025 town twinning grants are common in the documents, lump sums less so, their calculation least.
    common = [
        Chunk(f"tt-{n}", f"The 2025 Town Twinning grants of region {n} were awarded.", {"doc_id": f"tt-{n}"})
        for n in range(4)
    ]
    common.append(Chunk("ls", "Grants are paid as a lump sum.", {"doc_id": "ls"}))
    chunks = [Chunk("tt-2025", text, {"doc_id": "tt-2025"}), *common]
    index = LexicalIndex(chunks)
    passages = [Passage(c, 1.0 / (i + 1), 0.5) for i, c in enumerate(chunks)]
    query = analyse("How was the 2025 town twinning lump sum calculated, and how much could one municipality get?")
    composer = ExtractiveComposer(max_sentences=2)
    scored, weights = composer._score(query, passages, index)
    parts = _part_terms(query, weights, frozenset(t for t in weights if index.idf(t)))
    chosen = [s.text for s in composer._choose(query, scored, weights, parts)]
    # Not the sentence that only names the lump sum: the one saying how it was calculated.
    assert any("calculated from the number of participants" in t for t in chosen), chosen
    assert not any("not tied to costs" in t for t in chosen), chosen


def test_a_deadline_asked_with_its_hour_gives_the_day_when_only_a_passage_holds_the_hour() -> None:
    chunk = _nt_call(
        2023,
        "The 2023 Networks of Towns call closed on 20 April 2023. The closing time of the 2023 Networks of Towns call "
        "was 17:00 Brussels time.",
        deadline=[{"date": "2023-04-20", "source": "s"}],
    )
    answer = _composer_answers(ExtractiveComposer(), "NT 2023 deadline and hour?", [chunk])
    # The registry gives the day; the passage that holds the hour supports it.
    assert answer.answered and answer.answer.startswith("The deadline of the Networks of Towns 2023 call")
    assert "20 April 2023" in answer.answer and "17:00" in answer.answer


def test_an_address_asked_of_a_body_is_not_another_bodys() -> None:
    from assistant.answer.gates import ANSWER_GATES, Judged, Scored, Thresholds, first_refusal

    mailbox = "For questions on the calls, EACEA gives the functional mailbox EACEA-CERV@ec.europa.eu."
    lead = Scored(mailbox, Passage(Chunk("m", mailbox, {"doc_id": "m"}), 1.0), 0, 1.0, 0.5, True)
    lead = dataclasses.replace(lead, words=frozenset(tokens(mailbox)))
    # CERV is named everywhere, CERV Italia rarely: "Italia" is what names the body asked about.
    weights = {"cerv": 0.1, "italia": 3.0, "eacea": 2.0, "mail": 1.0, "address": 1.0}

    def gate(question: str) -> str | None:
        judged = Judged(analyse(question), [lead], weights, [], Thresholds(), fixed_clock(2026, 1, 1)(), [lead])
        refusal = first_refusal(ANSWER_GATES, judged)
        return refusal.name if refusal else None

    assert gate("What's the e-mail address of CERV Italia?") == "contact"
    assert gate("What's the e-mail address of EACEA?") is None
    # German capitalises every noun: "Fragen" names no body, EACEA does.
    weights |= {"fragen": 3.0, "stadtepartnerschaften": 3.0}
    assert gate("Gibt es eine E-Mail-Adresse der EACEA für Fragen zu Städtepartnerschaften?") is None
    # The address asked in another piece of the question than the body it names.
    assert gate("Who runs the calls for CERV Italia, and is there an e-mail address for questions?") is None


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("The NT 2026 budget is how many times the NT 2024 budget?", "2026 has 2.5 times as much as 2024."),
        (
            "Combien de fois le budget NT 2026 est-il plus élevé que celui de NT 2024 ?",
            "2026 représente 2,5 fois 2024.",
        ),
    ],
)
def test_how_many_times_one_calls_value_is_anothers_is_their_ratio(question: str, note: str) -> None:
    chunks = [
        _nt_call(
            2024,
            "The 2024 Networks of Towns call had a budget of EUR 4,000,000.",
            budget=[{"amount": 4000000, "source": "s"}],
        ),
        _nt_call(
            2026,
            "The 2026 Networks of Towns call has a budget of EUR 10,000,000.",
            budget=[{"amount": 10000000, "source": "s"}],
        ),
    ]
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert answer.answered and note in answer.answer, answer.answer


def test_another_languages_term_in_an_english_question_is_read_by_its_english_phrase() -> None:
    # "comite de jumelage" is French for twinning committee: its words are no unknown content words lowering the
    # coverage of the sentence that answers (the coverage gate refused it before).
    chunks = [
        Chunk(
            "who",
            "Twinning committees and other non-profit organisations representing municipalities can apply to the "
            "Town Twinning call, but their proposal must explain the role of the municipalities they represent.",
            {"doc_id": "w", "topic": "town-twinning"},
        ),
        *CHUNKS,
    ]
    question = "can our comite de jumelage apply directly or does it have to be the mairie (TT)"
    answer = _composer_answers(ExtractiveComposer(), question, chunks)
    assert answer.answered and answer.answer.startswith("Twinning committees"), answer.answer


def test_a_list_of_priorities_is_answered_only_by_a_sentence_naming_a_kind_of_items() -> None:
    # The sources name a call's items "priorities", "themes" or "topics" alike; a sentence naming none of them is
    # about the call, not its priorities (the 2026 call's priorities are not in the sources).
    chunks = [
        Chunk(
            "tt-2026",
            "The 2026 Town Twinning call (CERV-2026-CITIZENS-TOWN-TT) is the CERV programme's town-twinning call "
            "for 2026.",
            {"doc_id": "tt-2026", "topic": "town-twinning", "year": 2026},
        ),
        Chunk(
            "tt-2024",
            "The 2024 Town Twinning call had two topics: solidarity, and citizens' views of Europe.",
            {"doc_id": "tt-2024", "topic": "town-twinning", "year": 2024},
        ),
        Chunk("wp", "Each CERV work programme sets the priorities of its calls.", {"doc_id": "wp"}),
        *CHUNKS,
    ]
    # (However much of the question a sentence covers: the misfit gate is what is tested.)
    composer = ExtractiveComposer(Thresholds(min_overlap=0.3, misfit_overlap=0.95))
    refused = _composer_answers(composer, "Which priorities does the 2026 town twinning call have?", chunks)
    assert not refused.answered and refused.refused_by == "intent", refused.answer
    answered = _composer_answers(composer, "What were the priorities of the 2024 town twinning call?", chunks)
    assert answered.answered and "two topics" in answered.answer, answered.answer


def test_a_list_comes_whole_after_the_sentence_introducing_it() -> None:
    # The sentences about the scheme fill the answer before the introduction's items would; the items take their
    # place, and an item chosen on its own ("who got them?") comes after its introduction.
    about = (
        "The REALISE grant scheme of CEMR supports twinning initiatives of national associations. REALISE grants "
        "of CEMR went to national associations in 2024. CEMR announced the REALISE grants in June 2024. The "
        "REALISE grants of CEMR were worth up to EUR 30,000."
    )
    names = (
        "The full names of the four associations given REALISE grants by CEMR are:\n\n"
        "- for Italy: AICCRE, Associazione Italiana per il Consiglio dei Comuni e delle Regioni d'Europa;\n"
        "- for France: AFCCRE, Association Française du Conseil des Communes et Régions d'Europe;\n"
        "- for Hungary: TÖOSZ, Települési Önkormányzatok Országos Szövetsége;\n"
        "- for Romania: ACoR, Asociaţia Comunelor din România."
    )
    chunks = [Chunk("names", names, {"doc_id": "n"}), Chunk("about", about, {"doc_id": "a"})]
    # (However little of the second question its best sentence covers: the order of the list is what is tested.)
    composer = ExtractiveComposer(Thresholds(min_overlap=0.1))
    for question in (
        "Which associations were given REALISE grants?",
        "Did AICCRE get a REALISE grant, and which others did?",
    ):
        answer = _composer_answers(composer, question, chunks)
        assert answer.answered, (answer.refused_by, answer.answer)
        items = [answer.answer.index(n) for n in ("are:", "AICCRE,", "AFCCRE,", "TÖOSZ,", "ACoR,")]
        assert items == sorted(items), answer.answer


def test_a_sentence_saying_the_asked_detail_is_not_given_refuses_with_it() -> None:
    text = (
        "The CERV legal envelope is EUR 641,705,000. The gap between the CERV legal envelope of EUR 641,705,000 and "
        "the Commission's figure of more than EUR 1.5 billion is presumably due to top-ups. No source consulted "
        "states the exact amount of any CERV top-up. The CIV call was issued by EACEA unit B.3. The sources do not "
        "state the deadline or the budget of the CIV call."
    )
    others = [Chunk(f"cerv-{i}", f"CERV funds town twinning in {2021 + i}.", {"doc_id": f"c{i}"}) for i in range(3)]
    chunks = [Chunk("budget", text, {"doc_id": "b"}), *CHUNKS, *others]  # (CERV is a common word, as it is)
    refused = _composer_answers(ExtractiveComposer(), "Exactly how much were the CERV top-ups?", chunks)
    assert not refused.answered and refused.refused_by == "no_knowledge", refused.answer
    assert "No source consulted states the exact amount" in refused.answer
    # What it says is not given is no answer to another detail, nor is its mere mention of the subject.
    answered = _composer_answers(ExtractiveComposer(), "How much is the CERV legal envelope?", chunks)
    assert answered.answered and "641,705,000" in answered.answer, answered.answer
    issued = _composer_answers(ExtractiveComposer(), "Who issued the CIV call?", chunks)
    assert issued.answered and "B.3" in issued.answer, issued.answer


def test_a_not_given_sentence_refuses_when_only_the_questions_own_date_fits() -> None:
    nt = Chunk(
        "nt", "The 2026 Networks of Towns call closes on 16 April 2026 at 17:00 Brussels time.", {"doc_id": "nt"}
    )
    tt = Chunk(
        "tt",
        "The sources do not state the closing time of the 2026 Town Twinning call on 23 September 2026; applicants "
        "should check the time on the portal. The 2026 Town Twinning call has a budget of EUR 5,000,000.",
        {"doc_id": "tt"},
    )
    # The date is the question's own; the time of day is what is asked, and only the not-given clause speaks of it.
    question = "The 2026 town twinning call closes on 23 September, but at what time of day? 17:00 like networks?"
    refused = _composer_answers(ExtractiveComposer(), question, [nt, tt])
    assert not refused.answered and refused.refused_by == "no_knowledge", refused.answer
    assert "do not state the closing time" in refused.answer
    # A not-given sentence about one call's year is not what a question about the programme asks.
    programme = Chunk("cerv", "The CERV programme has a total budget of EUR 1,550,000,000.", {"doc_id": "cerv"})
    none = Chunk("none", "The sources do not state the total budget of the 2026 Town Twinning call.", {})
    answered = _composer_answers(ExtractiveComposer(), "cerv total budget?", [none, programme])
    assert answered.answered and "1,550,000,000" in answered.answer, answered.answer
