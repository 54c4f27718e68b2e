"""What a question places after or before a named event (question/sequence.py, patterns in lexicons/*.yaml)."""

import pytest

from assistant.question.sequence import Sequence, sequence_asked


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("Where was the twinning congress held after the one in Rhodes?", "en", Sequence("after", "Rhodes")),
        ("Where was the congress held after Rhodes 2007?", "en", Sequence("after", "Rhodes", 2007)),
        ("Where was the congress after Rhodes in 2007?", "en", Sequence("after", "Rhodes", 2007)),
        ("Who was CEMR's president before Gunn Marit Helgesen?", "en", Sequence("before", "Gunn Marit Helgesen")),
        ("Qui était président du CCRE avant Gunn Marit Helgesen ?", "fr", Sequence("before", "Gunn Marit Helgesen")),
        ("Ki volt a CEMR elnöke Gunn Marit Helgesen előtt?", "hu", Sequence("before", "Gunn Marit Helgesen")),
        ("Dove si è tenuto il congresso dopo quello di Rodi?", "it", Sequence("after", "Rodi")),
        # No name follows: nothing is placed after an event.
        ("How long after the deadline do results come?", "en", None),
        ("Can we still submit before the deadline?", "en", None),
    ],
)
def test_the_event_a_question_places_its_answer_after_or_before(
    text: str, lang: str, expected: Sequence | None
) -> None:
    assert sequence_asked(text, lang) == expected


def test_a_sequence_pattern_must_hold_the_name_once() -> None:
    from pydantic import ValidationError

    from assistant.question.lexicon import Lexicon

    with pytest.raises(ValidationError, match="sequence"):
        Lexicon(relative={}, operation={}, intents={}, sequence={"after": ["after"]})
