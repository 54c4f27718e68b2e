"""The translation checks of ``assistant check-corpus``: every planned translation exists, follows its original
sentence by sentence (same count, same source markers, same outline), is not stale (no English sentence changed
since it was translated: the ``aligned`` fingerprints), and each sentence keeps its original's numbers, dates, call
ids, acronyms, addresses and e-mails (``same_facts``)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from assistant.corpus.problems import Problem
from assistant.corpus.translations import (
    TRANSLATION_KEYS,
    Plan,
    Sentence,
    body_sentences,
    headings,
    original_of,
    translation_path,
)
from assistant.sentences import month_names

_CALL_ID = re.compile(r"\b[A-Z]+-\d{4}-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
_ADDRESS = re.compile(r"https?://\S+?(?=[)\].,;]?(?:\s|$))|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ACRONYM = re.compile(r"\b[A-ZÀ-Ý][A-Z0-9À-Ý]+\b")
_NOT_NAMES = {"EUR"}  # a currency, written "euro" in running text in several languages
_INFLECTED = {"hu"}  # languages whose month names take case endings ("szeptemberben")
# A number: digits in groups of three after a separator are one number (4,000,000 = 4 000 000 = 4.000.000); a
# single separator before one or two digits, or more than three, is a decimal point (1.5 = 1,5).
_NUMBER = re.compile(r"\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+(?![\d])|\d+(?:[.,]\d+)?")


def same_facts(english: str, translated: str, language: str, names: dict[str, dict[str, str]]) -> list[str]:
    """What a translated sentence lost or changed of its English sentence's facts (empty: nothing)."""
    problems: list[str] = []
    for kind, (theirs, ours) in {
        "call ids": (_CALL_ID.findall(english), _CALL_ID.findall(translated)),
        "addresses": (_ADDRESS.findall(english), _ADDRESS.findall(translated)),
    }.items():
        if Counter(theirs) != Counter(ours):
            problems.append(f"{kind} differ: {sorted(theirs)} in English, {sorted(ours)} here")
    plain_en, plain_tr = _ADDRESS.sub(" ", _CALL_ID.sub(" ", english)), _ADDRESS.sub(" ", _CALL_ID.sub(" ", translated))
    missing = [
        a
        for a in dict.fromkeys(_ACRONYM.findall(plain_en))
        if a not in _NOT_NAMES and not re.search(rf"\b({re.escape(a)}|{_alias(a, language, names)})\b", plain_tr)
    ]
    if missing:
        problems.append(f"names missing: {', '.join(missing)}")
    theirs, ours = _figures(plain_en, "en"), _figures(plain_tr, language)
    if theirs != ours:
        lost, added = sorted((theirs - ours).elements()), sorted((ours - theirs).elements())
        problems.append(
            f"numbers or dates differ: English has {lost or 'nothing more'}, here {added or 'nothing more'}"
        )
    return problems


def translation_problems(
    documents: dict[str, tuple[dict, str, list[str]]], plan: Plan, root_name: str
) -> Iterator[Problem]:
    """Problems of the translations among ``documents`` (corpus path -> (front matter, body, file lines)) and of
    the plan's missing ones."""
    for original in plan.originals_in(documents):
        for language in plan.languages:
            path = translation_path(original, language)
            if path not in documents:
                yield Problem(f"{root_name}/{original}", 0, f"no {language} translation ({root_name}/{path})")
    for path, (meta, body, lines) in documents.items():
        found = original_of(path, plan.languages)
        if found is None:
            continue
        original, language = found
        shown = f"{root_name}/{path}"
        if original not in documents:
            yield Problem(shown, 1, f"translates {original}, which is not in the corpus")
            continue
        yield from _front_matter(shown, meta, original, language, lines)
        en_meta, en_body, _ = documents[original]
        yield from _aligned(shown, lines, meta, body, en_meta, en_body, language, plan)


def _front_matter(shown: str, meta: dict, original: str, language: str, lines: list[str]) -> Iterator[Problem]:
    for key in TRANSLATION_KEYS:
        if not meta.get(key):
            yield Problem(shown, 1, f"front matter lacks {key}")
    for key in meta:
        if key not in TRANSLATION_KEYS:
            yield Problem(
                shown,
                _line_of(lines, f"{key}:"),
                f"{key!r} is the original's: a translation has only {', '.join(TRANSLATION_KEYS)}",
            )
    if meta.get("translation_of") not in (None, original):
        yield Problem(shown, _line_of(lines, "translation_of:"), f"translation_of must be {original} (its place)")
    if meta.get("language") not in (None, language):
        yield Problem(shown, _line_of(lines, "language:"), f"language must be {language} (its folder)")


def _aligned(
    shown: str, lines: list[str], meta: dict, body: str, en_meta: dict, en_body: str, language: str, plan: Plan
) -> Iterator[Problem]:
    ours = body_sentences(body, str(meta.get("title", "")))
    theirs = body_sentences(en_body, str(en_meta.get("title", "")))
    if headings(body) != headings(en_body):
        yield Problem(
            shown,
            1,
            f"headings differ from the original's ({len(headings(body))} here, {len(headings(en_body))} in English)",
        )
    if len(ours) != len(theirs):
        yield Problem(
            shown,
            1,
            f"{len(ours)} sentences, the original has {len(theirs)}: one translated sentence for each, in order",
        )
    aligned = [str(a) for a in meta.get("aligned") or []]
    cursor = 0
    for index, (en, tr) in enumerate(zip(theirs, ours, strict=False)):
        line, cursor = _locate(lines, tr, cursor)
        if index < len(aligned) and aligned[index] != en.fingerprint:
            yield Problem(
                shown, line, f"stale: English sentence {index + 1} changed since it was translated: {en.text!r}"
            )
        if tr.text == en.text and len(en.text.split()) > 4:
            yield Problem(shown, line, f"sentence {index + 1} is not translated")
        if tr.ids != en.ids:
            yield Problem(
                shown, line, f"sentence {index + 1} names sources {list(tr.ids)}, the original {list(en.ids)}"
            )
        for problem in same_facts(en.text, tr.text, language, plan.names):
            yield Problem(shown, line, f"sentence {index + 1}: {problem}")
    if aligned and len(aligned) != len(theirs):
        yield Problem(
            shown,
            _line_of(lines, "aligned:"),
            "aligned does not match the original's sentences: sentences were added to or removed from the original",
        )


def _figures(text: str, language: str) -> Counter[str]:
    """The numbers of a sentence (separators read away) and its month names (as month numbers)."""
    folded = _fold(text)
    # English names may stand in any translation; a local name may take case endings in some languages.
    names = {(name, number, "") for name, number in _months("en").items()}
    if language != "en":
        suffix = r"\w*" if language in _INFLECTED else ""
        names |= {(name, number, suffix) for name, number in _months(language).items()}
    found: Counter[str] = Counter()
    for name, number, suffix in sorted(names, key=lambda n: -len(n[0])):
        # A month name counts next to a number ("20 May 2021", "20 de mayo", "2024. szeptember 19."): "may" and
        # "mai" are words too.
        for match in reversed(list(re.finditer(rf"\b{re.escape(name)}{suffix}\b", folded))):
            around = folded[max(0, match.start() - 8) : match.start()] + folded[match.end() : match.end() + 8]
            if re.search(r"\d", around):
                found[f"month {number}"] += 1
                folded = folded[: match.start()] + " " + folded[match.end() :]
    for raw in _NUMBER.findall(text):
        grouped = re.fullmatch(r"\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+", raw)
        value = re.sub(r"\D", "", raw) if grouped else raw.replace(",", ".")
        found[str(float(value)) if "." in value else str(int(value))] += 1
    return found


@lru_cache(maxsize=16)
def _months(language: str) -> dict[str, int]:
    """Folded month names of a language, to their numbers ("sept" too in English)."""
    out = {_fold(name): number for name, number in month_names(language).items()}
    if language == "en":
        out["sept"] = 9
    return out


def _alias(acronym: str, language: str, names: dict[str, dict[str, str]]) -> str:
    local = names.get(acronym, {}).get(language)
    return re.escape(local) if local else re.escape(acronym)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _locate(lines: list[str], sentence: Sentence, cursor: int) -> tuple[int, int]:
    """The file line (from 1) holding the sentence's first words, searching from line ``cursor``."""
    start = " ".join(sentence.text.split()[:4])
    for number in range(cursor, len(lines)):
        if start and start in " ".join(lines[number].split()):
            return number + 1, number
    return max(cursor, 1), cursor


def _line_of(lines: list[str], prefix: str) -> int:
    return next((i for i, line in enumerate(lines, 1) if line.startswith(prefix)), 1)
