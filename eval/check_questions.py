"""Check, split and count the evaluation question set.

    python eval/check_questions.py            # validate questions.jsonl (and dev/test and EXTRA_FILES if present)
    python eval/check_questions.py --split    # rewrite dev.jsonl / test.jsonl from questions.jsonl
    python eval/check_questions.py --counts   # print the counts table used in eval/README.md

Validation: every line is JSON with exactly the contract's keys, plus optionally asked_on (a real ISO date) and
derived (a non-empty list of non-empty lists of strings, answerable questions only, not looked up in the corpus); ids
are unique and lowercase-with-dashes; answerable questions have facts and sources, unanswerable ones have neither;
source paths belong to the corpus layout; and, for files that exist, every fact (one alternative of each inner list)
occurs in at least one of the question's source files (read without their citation markers), compared
case-insensitively, ignoring thousands separators and reading "4 million" as 4000000 and "Sept" as "September".
Facts whose source files are all missing are reported as unverified.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import re
import sys
import unicodedata
from pathlib import Path

EVAL = Path(__file__).resolve().parent
sys.path.insert(0, str(EVAL.parent))  # run as a script from anywhere: the project's own package
from assistant.corpus.markers import strip_markers  # noqa: E402

# Tuning-side questions outside the dev/test split: dev-extra, dev-check, dev-check2 and dev-check4 to dev-check7
# (tuned on once read), dev-check3 (a check of generalisation, never tuned on; see README).
EXTRA_FILES = (
    "dev-extra.jsonl",
    "dev-check.jsonl",
    "dev-check2.jsonl",
    "dev-check3.jsonl",
    "dev-check4.jsonl",
    "dev-check5.jsonl",
    "dev-check6.jsonl",
    "dev-check7.jsonl",
    "dev-check8.jsonl",
    "dev-check9.jsonl",
    "dev-check10.jsonl",
    "dev-check11.jsonl",
    "dev-check12.jsonl",
    "dev-check13.jsonl",
    "dev-check14.jsonl",
    "dev-check15.jsonl",
    "dev-check16.jsonl",
    "dev-check17.jsonl",
    "dev-check18.jsonl",
    "dev-check19.jsonl",
    "dev-check20.jsonl",
)
ROOT = EVAL.parent
KEYS = {"id", "question", "history", "facts", "answerable", "lang", "topic", "sources"}
# Optional keys: asked_on (ISO date the question is asked, the clock for relative dates) and derived (computed values
# the answer must contain, alternatives like facts, not looked up in the corpus).
OPTIONAL = {"asked_on", "derived"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANGS = {"en", "fr", "it", "hu", "ro", "de", "es"}
TOPICS = {
    "deadlines",
    "amounts",
    "eligibility",
    "partnership",
    "strands",
    "procedure",
    "results",
    "priorities",
    "programme",
    "history",
    "cemr",
    "faq",
    "unanswerable",
    "smalltalk",
}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

LAYOUT = {
    f"corpus/cerv/{n}.md"
    for n in [
        "legal-basis",
        "budget",
        "strands",
        "management",
        "how-to-apply",
        "national-contact-points",
        "eligible-countries",
        "lump-sums",
    ]
}
LAYOUT |= {f"corpus/cerv/calls/{k}-{y}.md" for k in ("tt", "nt") for y in range(2021, 2027)}
LAYOUT |= {
    "corpus/cerv/calls/remembrance-2024.md",
    "corpus/cerv/calls/remembrance-2025.md",
    "corpus/cerv/calls/citizens-engagement.md",
    "corpus/cemr/about-cemr.md",
    "corpus/cemr/twinning-work.md",
    "corpus/cemr/realise-2024.md",
    "corpus/history/early-twinning-funding.md",
    "corpus/history/europe-for-citizens-2007-2013.md",
    "corpus/history/europe-for-citizens-2014-2020.md",
    "corpus/history/rights-equality-citizenship.md",
    "corpus/faq/twinning-faq.md",
}

MONTHS = {
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
}
SCALE = {"million": 10**6, "millions": 10**6, "m": 10**6, "billion": 10**9, "billions": 10**9, "bn": 10**9}


def normalize(text: str) -> str:
    """Lower-case text with one spelling for apostrophes, months, thousands separators and 'N million'."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    t = re.sub(r"\s+", " ", t)
    t = re.sub(r"\b(" + "|".join(MONTHS) + r")\.?(?=\s+\d)", lambda m: MONTHS[m.group(1)], t)
    t = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", t)
    t = re.sub(r"(\d)\s+%", r"\1%", t)
    # 4,000,000 / 4.000.000 / 4 000 000 -> 4000000 (a leading group of 1-3 digits, then groups of exactly 3)
    t = re.sub(r"(?<![\d.,])\d{1,3}(?:[ ,.']\d{3})+(?![\d])", lambda m: re.sub(r"[ ,.']", "", m.group(0)), t)

    def scaled(m: re.Match) -> str:
        value = float(m.group(1).replace(",", "."))
        return str(int(round(value * SCALE[m.group(2)])))

    t = re.sub(r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(millions?|billions?|bn|m)\b", scaled, t)
    return t


def corpus_text(path: Path) -> str:
    """A corpus file as readers see it: its citation markers ([^source-id]) removed by the loader's own function."""
    return strip_markers(path.read_text(encoding="utf-8"))


def fact_in(fact: str, text_norm: str) -> bool:
    f = normalize(fact).strip()
    pattern = re.escape(f)
    if f[:1].isdigit():
        pattern = r"(?<!\d)" + pattern
    if f[-1:].isdigit():
        pattern += r"(?!\d)"
    return re.search(pattern, text_norm) is not None


def load(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise SystemExit(f"{path.name}:{n}: not JSON: {e}") from e
    return rows


def kind(q: dict) -> str:
    """The stratum a question belongs to for the split."""
    if not q["answerable"]:
        return "unanswerable"
    if q["history"]:
        return "follow-up"
    if re.search(r"-(list|compare)(-|$)", q["id"]):
        return "list"
    return "plain"


def validate(rows: list[dict]) -> tuple[list[str], list[str]]:
    errors, unverified = [], []
    seen = set()
    texts: dict[str, str | None] = {}
    for q in rows:
        qid = q.get("id", "?")
        if not KEYS <= set(q) <= KEYS | OPTIONAL:
            errors.append(f"{qid}: keys {sorted((set(q) ^ KEYS) - OPTIONAL)} differ from the contract")
            continue
        if "asked_on" in q:
            try:
                ok = isinstance(q["asked_on"], str) and DATE_RE.match(q["asked_on"])
                ok = ok and datetime.date.fromisoformat(q["asked_on"])
            except ValueError:
                ok = False
            if not ok:
                errors.append(f"{qid}: asked_on {q['asked_on']!r} is not an ISO date (YYYY-MM-DD)")
        if "derived" in q:
            d = q["derived"]
            if (
                not isinstance(d, list)
                or not d
                or not all(isinstance(f, list) and f and all(isinstance(a, str) and a.strip() for a in f) for f in d)
            ):
                errors.append(f"{qid}: derived must be a non-empty list of non-empty lists of strings")
            if q.get("answerable") is not True:
                errors.append(f"{qid}: derived values on an unanswerable question")
        if not ID_RE.match(qid):
            errors.append(f"{qid}: id is not lowercase-with-dashes")
        if qid in seen:
            errors.append(f"{qid}: duplicate id")
        seen.add(qid)
        if not isinstance(q["question"], str) or not q["question"].strip():
            errors.append(f"{qid}: empty question")
        if q["lang"] not in LANGS:
            errors.append(f"{qid}: unknown lang {q['lang']}")
        if q["topic"] not in TOPICS:
            errors.append(f"{qid}: unknown topic {q['topic']}")
        for turn in q["history"]:
            if set(turn) != {"role", "content"} or turn["role"] not in ("user", "assistant") or not turn["content"]:
                errors.append(f"{qid}: bad history turn {turn}")
        if q["history"] and q["history"][-1]["role"] != "assistant":
            errors.append(f"{qid}: history should end with the assistant's reply")
        if not isinstance(q["facts"], list) or not all(
            isinstance(f, list) and f and all(isinstance(a, str) and a.strip() for a in f) for f in q["facts"]
        ):
            errors.append(f"{qid}: facts must be a list of non-empty lists of strings")
            continue
        if q["answerable"] is True:
            if not q["facts"] or not q["sources"]:
                errors.append(f"{qid}: answerable question without facts or sources")
        elif q["answerable"] is False:
            if q["facts"] or q["sources"]:
                errors.append(f"{qid}: unanswerable question with facts or sources")
            if q["topic"] not in ("unanswerable", "smalltalk"):
                errors.append(f"{qid}: unanswerable question should have topic unanswerable or smalltalk")
        else:
            errors.append(f"{qid}: answerable must be true or false")
        for s in q["sources"]:
            if s not in LAYOUT:
                errors.append(f"{qid}: source {s} is not in the corpus layout")
            if s not in texts:
                p = ROOT / s
                texts[s] = normalize(corpus_text(p)) if p.exists() else None
        present = [texts[s] for s in q["sources"] if texts.get(s) is not None]
        for alts in q["facts"]:
            if not present:
                unverified.append(f"{qid}: {alts} (missing: {', '.join(q['sources'])})")
            elif not any(fact_in(a, t) for a in alts for t in present):
                missing = [s for s in q["sources"] if texts.get(s) is None]
                note = f" (also missing: {', '.join(missing)})" if missing else ""
                (unverified if missing else errors).append(f"{qid}: fact {alts} not found in its sources{note}")
    smalltalk = sum(q.get("topic") == "smalltalk" for q in rows)
    if smalltalk > 3:
        errors.append(f"{smalltalk} smalltalk questions (at most 3)")
    return errors, unverified


def split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Sort by (kind, lang, topic, id); positions 2, 5 and 8 of every 10 go to test (30%).

    The offset is the smallest 0..9 for which every kind, language and topic lands in both files, so the rule
    stays deterministic when questions are added.
    """
    ordered = sorted(rows, key=lambda q: (kind(q), q["lang"], q["topic"], q["id"]))
    for offset in range(10):
        test_ids = {q["id"] for i, q in enumerate(ordered) if (i + offset) % 10 in (2, 5, 8)}
        dev = [q for q in rows if q["id"] not in test_ids]
        test = [q for q in rows if q["id"] in test_ids]
        if all(
            {f(q) for q in part} == {f(q) for q in rows}
            for part in (dev, test)
            for f in (kind, lambda q: q["lang"], lambda q: q["topic"])
        ):
            return dev, test
    raise SystemExit("no offset puts every language and kind in both splits")


def counts(rows: list[dict]) -> str:
    def table(title: str, key) -> str:
        c = collections.Counter(key(q) for q in rows)
        by = {
            name: collections.Counter(key(q) for q in load(EVAL / f"{name}.jsonl"))
            for name in ("dev", "test")
            if (EVAL / f"{name}.jsonl").exists()
        }
        head = f"| {title} | all | " + " | ".join(by) + " |\n|---|---:|" + "---:|" * len(by) + "\n"
        body = "".join(f"| {k} | {v} | " + " | ".join(str(by[n][k]) for n in by) + " |\n" for k, v in sorted(c.items()))
        total = f"| total | {len(rows)} | " + " | ".join(str(sum(by[n].values())) for n in by) + " |\n"
        return head + body + total

    return "\n".join(
        [
            table("topic", lambda q: q["topic"]),
            table("lang", lambda q: q["lang"]),
            table("answerable", lambda q: str(q["answerable"]).lower()),
            table("follow-up", lambda q: "yes" if q["history"] else "no"),
            table("kind (split stratum)", kind),
        ]
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", action="store_true", help="rewrite dev.jsonl and test.jsonl")
    ap.add_argument("--counts", action="store_true", help="print the counts tables")
    args = ap.parse_args()
    rows = load(EVAL / "questions.jsonl")
    if args.split:
        dev, test = split(rows)
        for name, part in (("dev", dev), ("test", test)):
            (EVAL / f"{name}.jsonl").write_text(
                "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in part), encoding="utf-8"
            )
        print(f"dev {len(dev)}, test {len(test)}")
    if args.counts:
        print(counts(rows))
        return 0
    errors, unverified = validate(rows)
    for name in ("dev", "test"):
        p = EVAL / f"{name}.jsonl"
        if p.exists():
            part = load(p)
            if any(q not in rows for q in part):
                errors.append(f"{name}.jsonl holds questions that differ from questions.jsonl")
    if (EVAL / "dev.jsonl").exists() and (EVAL / "test.jsonl").exists():
        ids = [q["id"] for q in load(EVAL / "dev.jsonl") + load(EVAL / "test.jsonl")]
        if sorted(ids) != sorted(q["id"] for q in rows):
            errors.append("dev.jsonl + test.jsonl do not partition questions.jsonl")
    seen = {q["id"] for q in rows}
    for name in EXTRA_FILES:  # extra tuning-side questions, validated the same way but kept out of the split
        path = EVAL / name
        if not path.exists():
            continue
        extra = load(path)
        extra_errors, extra_unverified = validate(extra)
        errors += [f"{name}: {e}" for e in extra_errors]
        unverified += [f"{name}: {u}" for u in extra_unverified]
        clash = sorted(seen & {q.get("id") for q in extra})
        if clash:
            errors.append(f"{name}: ids also in another question file: {', '.join(clash)}")
        seen |= {q.get("id") for q in extra}
        print(f"{name}: {len(extra)} questions")
    for line in unverified:
        print("UNVERIFIED", line)
    for line in errors:
        print("ERROR", line)
    print(f"{len(rows)} questions, {len(errors)} errors, {len(unverified)} unverified facts")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
