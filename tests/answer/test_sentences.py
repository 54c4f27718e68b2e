"""How passage bodies are cut into sentences: the numbering that sentence vectors and sentence sources share."""

from assistant.sentences import split_sentences


def test_sentences_and_list_items_are_numbered_in_order() -> None:
    body = "The deadline is 19 September 2024. It closes at 17:00.\n\n- first item\n- second item"
    assert split_sentences(body) == [
        "The deadline is 19 September 2024.",
        "It closes at 17:00.",
        "first item",
        "second item",
    ]


def test_a_sentence_may_start_with_a_capital_of_any_alphabet() -> None:
    assert split_sentences("A pályázat zárult. Ő is jelentkezett. Élő kapcsolat.") == [
        "A pályázat zárult.",
        "Ő is jelentkezett.",
        "Élő kapcsolat.",
    ]
    assert split_sentences("Termenul a expirat. Școala participă.") == ["Termenul a expirat.", "Școala participă."]


def test_an_abbreviation_followed_by_a_lowercase_word_does_not_end_a_sentence() -> None:
    assert split_sentences("It is paid approx. two months later. Next.") == [
        "It is paid approx. two months later.",
        "Next.",
    ]


def test_a_german_ordinal_day_before_its_month_does_not_end_a_sentence() -> None:
    assert split_sentences("Die Frist endete am 19. September 2024 um 17:00 Uhr. Es waren 25. Danach kam mehr.") == [
        "Die Frist endete am 19. September 2024 um 17:00 Uhr.",
        "Es waren 25.",
        "Danach kam mehr.",
    ]


def test_spanish_inverted_marks_open_a_sentence() -> None:
    assert split_sentences("Es así. ¿Quién puede participar? ¡Todos!") == [
        "Es así.",
        "¿Quién puede participar?",
        "¡Todos!",
    ]
