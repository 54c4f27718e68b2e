"""The report: refusals per check per configuration, the new metrics, and per question its refusing check, answer
language and numbers not found in its sources, in the JSON and in the HTML."""

from __future__ import annotations

from assistant.evaluation.report import build_report, render_html
from tests.evaluation.test_metrics import refused, result


def test_the_report_counts_refusals_per_check_and_shows_each_failure_s_check_and_unbacked_numbers() -> None:
    main = [
        result(id="budget", ungrounded=["5000000"], answer="EUR 5 million [1]"),
        refused("year", True, id="false-refusal"),
        refused("intent", False, id="correct-refusal"),
        result(id="fr-deadline", lang="fr", answer_lang="en", answer="The call closed on 19 September 2024."),
    ]
    report = build_report({"hybrid": main, "dense": [refused("coverage", True)]}, "hybrid", {"questions": "q.jsonl"})

    assert report["configurations"]["hybrid"]["refusals_by_check"] == {"false": {"year": 1}, "correct": {"intent": 1}}
    assert report["configurations"]["dense"]["refusals_by_check"] == {"false": {"coverage": 1}, "correct": {}}
    assert report["configurations"]["hybrid"]["answer_language"] == 0.0
    assert report["configurations"]["hybrid"]["grounded_numbers"] == 0.5
    assert report["by_language"]["fr"]["answer_language"] == 0.0
    rows = {r["id"]: r for r in report["results"]}
    assert rows["false-refusal"]["refused_by"] == "year" and rows["budget"]["refused_by"] is None
    assert rows["budget"]["ungrounded_numbers"] == ["5000000"] and rows["fr-deadline"]["answer_lang"] == "en"

    page = render_html(report)
    assert "<td>year 1</td><td>intent 1</td>" in page  # hybrid's false and correct refusals
    assert "<td>coverage 1</td><td>none</td>" in page
    failed = page.split("Failed questions (1)")[1].split("</table>")[0]
    assert "<td>false-refusal</td>" in failed and "<td>year</td>" in failed
    unbacked = page.split("numbers not in the cited sources (1)")[1].split("</table>")[0]
    assert "<td>budget</td><td>5000000</td>" in unbacked
    wrong_language = page.split("answers not in the question's language (1)")[1].split("</table>")[0]
    assert "<td>fr-deadline</td><td>fr</td><td>en</td>" in wrong_language
