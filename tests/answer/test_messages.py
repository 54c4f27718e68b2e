"""The message files: same keys and placeholders in every language, translated, and they format; the loader refuses
a wrong file with an error naming the file and the key."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from assistant.answer.messages import MESSAGE_DIR, MESSAGES, MessageFileError, load_messages, message, placeholders
from assistant.dates import format_amount, format_date, format_share, format_time

LANGUAGES = ["en", "fr", "it", "hu", "ro", "de", "es"]
OTHERS = LANGUAGES[1:]
# Texts that are rightly the same as the English one.
SAME_AS_ENGLISH = {("fr", "sources")}
# Words that only an untranslated English text would hold (placeholders removed first).
ENGLISH_WORDS = {"the", "and", "of", "were", "call", "calls", "deadline", "applicants", "must", "least", "today"}
ENGLISH_WORDS |= {"twinning", "towns", "hello", "goodbye"}


def sample_values(lang: str) -> dict[str, object]:
    """A value for every placeholder the code fills, written as the code writes it in ``lang``."""
    when = dt.datetime(2024, 9, 19, 17, 0)
    call = message(lang, "call_named", name=message(lang, "call_town-twinning"), year=2024, call_id="CERV-2024-TT")
    return {
        "call": call,
        "calls": call,
        "when": format_date(when, lang, with_time=True),
        "date": format_date(when.date(), lang),
        "today": format_date(dt.date(2024, 9, 1), lang),
        "title": "Town Twinning 2024",
        "time": format_time(when.time(), lang),
        "amount": format_amount(4_000_000, lang),
        "low": format_amount(8_455, lang),
        "high": format_amount(50_745, lang),
        "value": format_amount(1_000_000, lang),
        "total": format_amount(5_984_775, lang),
        "count": 25,
        "days": 18,
        "a": "2023",
        "b": "2024",
        "source": "euroaccess.eu",
        "name": message(lang, "call_networks-of-towns"),
        "year": 2027,
        "call_id": "CERV-2024-CITIZENS-TOWN-TT",
        "countries": 2,
        "years": 5,
        "members": 1,
        "named": "Serbia, Albania",
        "country": "Serbia",
        "since": format_date(dt.date(2023, 1, 1), lang),
        "period": "2014-2020",
        "share": format_share(30 / 109, lang),
        "funded": 30,
        "received": 109,
    }


def test_every_language_has_a_file() -> None:
    assert sorted(MESSAGES) == sorted(LANGUAGES)
    assert sorted(p.name for p in MESSAGE_DIR.iterdir() if p.name.endswith(".yaml")) == sorted(
        f"{lang}.yaml" for lang in LANGUAGES
    )


@pytest.mark.parametrize("lang", OTHERS)
def test_same_keys_and_placeholders_as_english(lang: str) -> None:
    assert MESSAGES[lang].keys() == MESSAGES["en"].keys()
    for key, text in MESSAGES["en"].items():
        assert placeholders(MESSAGES[lang][key]) == placeholders(text), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_texts_are_not_empty_and_have_no_stray_spaces(lang: str) -> None:
    for key, text in MESSAGES[lang].items():
        assert text.strip() and text == text.strip() and "  " not in text, key
        assert "\u202f" not in text and "\xa0" not in text, key


@pytest.mark.parametrize("lang", OTHERS)
def test_no_english_left(lang: str) -> None:
    for key, text in MESSAGES[lang].items():
        if (lang, key) not in SAME_AS_ENGLISH:
            assert text != MESSAGES["en"][key], key
        words = set(re.findall(r"[a-z]+", re.sub(r"\{\w+\}", " ", text).lower()))
        assert not words & ENGLISH_WORDS, (key, words & ENGLISH_WORDS)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_formats_with_sample_values(lang: str) -> None:
    values = sample_values(lang)
    for key in MESSAGES[lang]:
        text = message(lang, key, **values)
        assert text and "{" not in text and "}" not in text, key


def test_call_sentences_read_as_written() -> None:
    assert sample_values("en")["call"] == "the Town Twinning 2024 call (CERV-2024-TT)"
    assert message("en", "fact_budget", call=sample_values("en")["call"], amount=format_amount(4_000_000, "en")) == (
        "The budget of the Town Twinning 2024 call (CERV-2024-TT) is EUR 4,000,000."
    )
    fr = sample_values("fr")
    assert message("fr", "fact_deadline_past", **fr) == (
        "La date limite de l'appel « Jumelage de villes » 2024 (CERV-2024-TT) était le 19 septembre 2024, 17:00."
    )
    hu = sample_values("hu")
    assert message("hu", "fact_budget", **hu) == (
        "A 2024. évi „Testvérvárosi programok” felhívás (CERV-2024-TT) költségvetése 4 000 000 EUR."
    )
    assert message("de", "brussels_time", **sample_values("de")) == "19. September 2024 um 17:00 Uhr (Brüsseler Zeit)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_call_is_named_once_and_no_text_offers_alternative_endings(lang: str) -> None:
    # "felhívás (CERV-...) felhívás" or "2026-ban/ben" is not how anyone writes: a template around {call} does not
    # repeat the word call_named already holds, and chooses its own grammatical form.
    values = sample_values(lang)
    call_word = message(lang, "call_named", name="", year="", call_id="").split()[-2:-1]
    for key in MESSAGES[lang]:
        text = message(lang, key, **values)
        assert not re.search(r"[^\W\d_]/[^\W\d_]", text.replace("https://", "").replace("http://", "")), key
        if call_word and "{call}" in MESSAGES[lang][key]:
            after = text.split(values["call"], 1)[1].split()
            assert after[:1] != call_word, key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_value_ending_a_sentence_with_its_own_full_stop_takes_the_templates(lang: str) -> None:
    # A Hungarian date ends with a full stop ("2023. szeptember 19."): the sentence it ends has one, not two.
    date = format_date(dt.date(2023, 9, 19), lang)
    text = message(lang, "fact_results_date", call=sample_values(lang)["call"], date=date)
    assert ".." not in text and text.endswith(".") and date.rstrip(".") in text


def test_an_unsupported_language_gets_english() -> None:
    assert message("pl", "refusal") == MESSAGES["en"]["refusal"]


# -- the loader ------------------------------------------------------------------------------------------------


def write(folder: Path, **files: str) -> Path:
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


EN = 'hello: "Hello!"\ndeadline: "The deadline of {call} is {when}."\n'


def test_the_loader_reads_a_good_folder(tmp_path: Path) -> None:
    fr = 'hello: "Bonjour !"\ndeadline: "La date limite de l\'appel {call} est le {when}."\n'
    loaded = load_messages(write(tmp_path, en=EN, fr=fr))
    assert list(loaded) == ["en", "fr"] and loaded["fr"]["hello"] == "Bonjour !"


@pytest.mark.parametrize(
    "fr, expected",
    [
        ('hello: "Bonjour !"\n', "key 'deadline' is missing"),
        (EN + 'extra: "En plus"\n', "key 'extra' is not in en.yaml"),
        ('hello: "Bonjour !"\ndeadline: "La date limite est le {date}."\n', "key 'deadline' has placeholders"),
        ('hello: "  "\ndeadline: "{call} {when}"\n', "key 'hello': String should match pattern"),
        ("hello: yes\ndeadline: '{call} {when}'\n", "key 'hello': Input should be a valid string"),
        ('hello: "Bonjour {"\ndeadline: "{call} {when}"\n', "key 'hello': Single '{' encountered"),
        ('hello: "Bonjour {0}"\ndeadline: "{call} {when}"\n', "key 'hello': {0} is not a plain"),
        ('hello: "Bonjour"\nhello: "Salut"\ndeadline: "{call} {when}"\n', "key 'hello' given twice"),
        ('hello: "Bonjour\ndeadline: {call}\n', "not valid YAML"),
        ("- a list\n", "Input should be a valid dictionary"),
    ],
)
def test_a_wrong_file_is_refused_naming_file_and_key(tmp_path: Path, fr: str, expected: str) -> None:
    with pytest.raises(MessageFileError) as error:
        load_messages(write(tmp_path, en=EN, fr=fr))
    assert "fr.yaml" in str(error.value) and expected in str(error.value)


def test_a_folder_without_english_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MessageFileError, match="no en.yaml"):
        load_messages(write(tmp_path, fr=EN))
