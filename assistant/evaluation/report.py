"""Reports: JSON for machines, HTML (chart, breakdowns with their question counts, every failed question and why)
for people."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from typing import Any

from assistant.evaluation.metrics import Result, breakdown, language_fact_recall, summarise

HEADLINE = [
    "hit@5",
    "mrr@10",
    "fact_recall",
    "fully_correct",
    "refusal_accuracy",
    "citation_precision",
    "answer_language",
    "grounded_numbers",
]


FOLLOW_UP = {"False": "first questions", "True": "follow-ups"}
COUNTS = ["questions", "answerable", "unanswerable", "follow_ups"]
"""The question counts of a breakdown row: the sets its shares are taken over."""


def build_report(
    runs: dict[str, list[Result]],
    main: str,
    meta: dict[str, Any],
    questions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report object: per configuration its summary; for the main one, breakdowns (each row with its question
    counts) and every result, with its missing facts and, from ``questions`` (the question file's items), the
    history of a follow-up."""
    results = runs[main]
    histories = {q["id"]: q.get("history", []) for q in questions or []}
    return {
        "meta": meta,
        "main": main,
        "configurations": {name: {**_counts(r), **summarise(r)} for name, r in runs.items()},
        "fact_recall_by_language_group": language_fact_recall(results),
        "by_topic": _counted(results, "topic"),
        "by_language": _counted(results, "lang"),
        "by_follow_up": _counted(results, "follow_up"),
        "results": [
            {
                "id": r.id,
                "question": r.question,
                "history": histories.get(r.id, []),
                "lang": r.lang,
                "topic": r.topic,
                "answerable": r.answerable,
                "answered": r.answered,
                "refused_by": r.refused_by,
                "correct": r.correct,
                "facts": r.facts,
                "facts_found": r.facts_found,
                "missing_facts": [alts for alts, found in zip(r.facts, r.facts_found, strict=False) if not found],
                "expected_sources": r.expected_sources,
                "retrieved": r.retrieved[:5],
                "cited": r.cited,
                "answer": r.answer,
                "answer_lang": r.answer_lang,
                "ungrounded_numbers": r.ungrounded,
                "ms": round(r.seconds * 1000, 1),
            }
            for r in results
        ],
    }


def _counts(results: list[Result]) -> dict[str, int]:
    """The question counts of a set of results: all, answerable, unanswerable, follow-ups."""
    return {
        "questions": len(results),
        "answerable": sum(r.answerable for r in results),
        "unanswerable": sum(not r.answerable for r in results),
        "follow_ups": sum(r.follow_up for r in results),
    }


def _counted(results: list[Result], key: str) -> dict[str, dict[str, Any]]:
    """``breakdown`` by ``key``, each row led by its question counts (all, answerable, unanswerable, follow-ups)."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(str(getattr(r, key)), []).append(r)
    rows = breakdown(results, key)
    return {
        name: {**_counts(groups[name]), **{k: v for k, v in row.items() if k != "questions"}}
        for name, row in rows.items()
    }


def chart_figure(report: dict[str, Any]) -> Any:
    """The chart of the headline metrics by configuration (a matplotlib figure, its labels on two lines so that
    they do not overlap)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = report["configurations"]
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / max(len(configs), 1)
    for i, (name, summary) in enumerate(configs.items()):
        values = [summary.get(m) or 0 for m in HEADLINE]
        ax.bar([x + i * width for x in range(len(HEADLINE))], values, width, label=name)
    labels = [m.replace("_", "\n") for m in HEADLINE]
    ax.set_xticks([x + width * (len(configs) - 1) / 2 for x in range(len(HEADLINE))], labels, fontsize=9)
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Evaluation by configuration")
    fig.tight_layout()
    return fig


def _chart(report: dict[str, Any]) -> str:
    import matplotlib.pyplot as plt

    fig = chart_figure(report)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _table(rows: dict[str, dict[str, Any]], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ["", *columns])
    body = "".join(
        "<tr><th>" + html.escape(name) + "</th>" + "".join(f"<td>{_fmt(values.get(c))}</td>" for c in columns) + "</tr>"
        for name, values in rows.items()
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _scroll(table: str) -> str:
    """A table that scrolls sideways inside its box when wider than the page."""
    return f'<div class="scroll">{table}</div>'


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1 else html.escape(str(value))


def _refusal_table(configs: dict[str, dict[str, Any]]) -> str:
    """Per configuration, its false and its correct refusals counted per refusing check."""

    def counts(by_check: dict[str, int]) -> str:
        return html.escape(", ".join(f"{check} {n}" for check, n in by_check.items()) or "none")

    body = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{counts(s['refusals_by_check']['false'])}</td>"
        f"<td>{counts(s['refusals_by_check']['correct'])}</td></tr>"
        for name, s in configs.items()
    )
    return f"<table><tr><th></th><th>false refusals</th><th>correct refusals</th></tr>{body}</table>"


def _rows(results: list[dict[str, Any]], cells: Callable[[dict[str, Any]], list[Any]]) -> str:
    """Table rows, one a result, each cell escaped."""
    return "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells(r)) + "</tr>" for r in results)


def _lines(items: list[str]) -> str:
    """Items as escaped lines of one cell."""
    return "<br>".join(html.escape(i) for i in items)


def _same_doc(expected: str, doc: str) -> bool:
    """An expected source (a path from the project root) names the document ``doc`` (a path in the corpus)."""
    return expected == doc or expected.endswith("/" + doc)


def _corpus_path(expected: str) -> str:
    """An expected source as the cited ones are written: its path in the corpus (corpus/faq/x.md as faq/x.md)."""
    return expected.removeprefix("corpus/")


def _failed_rows(failed: list[dict[str, Any]]) -> str:
    """One row a failed question, with why: the history of a follow-up before its question, the facts missing from
    the answer, the sources expected (those not among the first five retrieved marked), the sources cited, and the
    check that refused it."""
    rows = []
    for r in failed:
        asked = [f"{turn['role']}: {turn['content']}" for turn in r.get("history", [])]
        question = _lines(asked) + "<br>&rarr; " + html.escape(r["question"]) if asked else html.escape(r["question"])
        retrieved = r.get("retrieved", [])
        expected = [
            _corpus_path(e) + ("" if any(_same_doc(e, d) for d in retrieved) else " (not retrieved in the first 5)")
            for e in r["expected_sources"]
        ]
        missing = [" / ".join(alts) for alts in r.get("missing_facts", [])]
        cells = [
            html.escape(r["id"]),
            question,
            html.escape(r["lang"]),
            "answerable" if r["answerable"] else "should refuse",
            _lines(missing) if r["answerable"] else "–",
            _lines(expected) or "–",
            _lines(r.get("cited", [])) or "none",
            html.escape(r.get("refused_by") or ("" if r["answered"] else "unknown")),
            html.escape(("" if r["answered"] else "(refused) ") + r["answer"]),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "".join(rows)


def render_html(report: dict[str, Any]) -> str:
    columns = [*COUNTS, *HEADLINE, "false_refusals", "latency_p50_ms", "latency_p95_ms"]
    results = report["results"]
    failed = [r for r in results if not r["correct"]]
    rows = _failed_rows(failed)
    ungrounded = [r for r in results if r.get("ungrounded_numbers")]
    ungrounded_rows = _rows(ungrounded, lambda r: [r["id"], ", ".join(r["ungrounded_numbers"]), r["answer"]])
    other_lang = [r for r in results if r["lang"] != "en" and r.get("answer_lang") != r["lang"]]
    lang_rows = _rows(other_lang, lambda r: [r["id"], r["lang"], r.get("answer_lang") or "–", r["answer"]])
    meta = "".join(f"<li>{html.escape(k)}: {html.escape(str(v))}</li>" for k, v in report["meta"].items())
    main = html.escape(report["main"])
    follow_ups = {FOLLOW_UP.get(k, k): v for k, v in report["by_follow_up"].items()}
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Evaluation report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem auto;padding:0 1rem;max-width:1200px}}
img{{max-width:100%;height:auto}}
.scroll{{overflow-x:auto;max-width:100%;margin:1rem 0}}
table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;font-size:14px;text-align:left;vertical-align:top}}
td{{overflow-wrap:anywhere;min-width:4em}}
</style></head><body>
<h1>Evaluation report</h1><ul>{meta}</ul>
<img alt="metrics by configuration" src="data:image/png;base64,{_chart(report)}">
<h2>Configurations</h2>{_scroll(_table(report["configurations"], columns))}
<h2>Refusals by check</h2>{_scroll(_refusal_table(report["configurations"]))}
<h2>{main}: by topic</h2>{_scroll(_table(report["by_topic"], columns))}
<h2>{main}: by language</h2>{_scroll(_table(report["by_language"], columns))}
<h2>{main}: by follow-up</h2>{_scroll(_table(follow_ups, columns))}
<h2>Failed questions ({len(failed)})</h2>
<p class="legend">In "facts missing", "/" separates the alternatives of one fact and a line break separates facts.</p>
<div class="scroll"><table><tr><th>id</th><th>question (a follow-up after its history)</th><th>lang</th>
<th>expected</th><th>facts missing</th><th>sources expected</th><th>sources cited</th><th>refused by</th>
<th>answer given</th></tr>
{rows}</table></div>
<h2>{main}: numbers not in the cited sources ({len(ungrounded)})</h2>
{_scroll(f"<table><tr><th>id</th><th>not found</th><th>answer</th></tr>{ungrounded_rows}</table>")}
<h2>{main}: answers not in the question's language ({len(other_lang)})</h2>
<div class="scroll"><table><tr><th>id</th><th>question's language</th><th>answer's language</th>
<th>answer given</th></tr>
{lang_rows}</table></div>
</body></html>"""
