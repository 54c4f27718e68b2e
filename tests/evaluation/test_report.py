"""The report: refusals per check per configuration, the new metrics, per question its refusing check, answer
language and numbers not found in its sources, and why each failed question failed, in the JSON and in the HTML; each
breakdown row's question counts; and where `make eval` writes it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.evaluation.report import build_report, chart_figure, render_html
from tests.evaluation.test_metrics import refused, result

ROOT = Path(__file__).resolve().parents[2]


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


def test_each_failed_question_says_why_and_each_breakdown_row_counts_its_questions() -> None:
    history = [
        {"role": "user", "content": "When did the 2024 Town Twinning call close?"},
        {"role": "assistant", "content": "On 19 September 2024 [1]."},
    ]
    main = [
        result(
            id="nt-followup",
            question="And the budget?",
            follow_up=True,
            facts=[["19 September 2024"], ["4,000,000", "4 million"]],
            facts_found=[True, False],
            expected_sources=["corpus/cerv/calls/tt-2024.md", "corpus/cerv/budget.md"],
            retrieved=["cerv/calls/tt-2024.md", "faq/twinning-faq.md"],
            cited=["faq/twinning-faq.md"],
            answer="It closed on 19 September 2024 [1].",
        ),
        refused("year", True, id="false-refusal", lang="fr", topic="deadlines"),
        refused("intent", False, id="correct-refusal", lang="fr", topic="unanswerable"),
        result(id="fine"),
    ]
    questions = [{"id": "nt-followup", "history": history}, {"id": "fine", "history": []}]
    report = build_report({"hybrid": main}, "hybrid", {}, questions)

    rows = {r["id"]: r for r in report["results"]}
    assert rows["nt-followup"]["history"] == history and rows["fine"]["history"] == []
    assert rows["nt-followup"]["missing_facts"] == [["4,000,000", "4 million"]]
    assert rows["false-refusal"]["refused_by"] == "year" and rows["false-refusal"]["missing_facts"] == [["4 million"]]
    assert {k: report["by_language"]["fr"][k] for k in ("questions", "answerable", "unanswerable", "follow_ups")} == {
        "questions": 2,
        "answerable": 1,
        "unanswerable": 1,
        "follow_ups": 0,
    }
    assert report["by_topic"]["amounts"]["questions"] == 2 and report["by_topic"]["amounts"]["follow_ups"] == 1
    assert report["by_follow_up"]["True"]["questions"] == 1

    page = render_html(report)
    by_language = page.split("hybrid: by language")[1].split("</table>")[0]
    assert "<th>questions</th><th>answerable</th><th>unanswerable</th><th>follow_ups</th>" in by_language
    assert "<tr><th>fr</th><td>2</td><td>1</td><td>1</td><td>0</td>" in by_language
    failed = page.split("Failed questions (2)")[1].split("</table>")[0]
    follow_up = failed.split("<td>nt-followup</td>")[1].split("</tr>")[0]
    assert (
        "<td>user: When did the 2024 Town Twinning call close?<br>assistant: On 19 September 2024 [1].<br>"
        "&rarr; And the budget?</td>" in follow_up
    )
    assert "<td>4,000,000 / 4 million</td>" in follow_up  # the missing fact, not the one found
    assert (
        "<td>cerv/calls/tt-2024.md<br>cerv/budget.md (not retrieved in the first 5)</td>"
        "<td>faq/twinning-faq.md</td>" in follow_up
    )
    refusal = failed.split("<td>false-refusal</td>")[1].split("</tr>")[0]
    assert "<td>year</td>" in refusal and "<td>none</td>" in refusal  # the check that refused it; nothing cited
    assert "correct-refusal" not in failed and "<td>fine</td>" not in failed


def test_the_configurations_table_counts_its_questions_and_the_failed_table_explains_its_notation() -> None:
    main = [result(id="a"), refused("year", False, id="b"), result(id="c", follow_up=True, facts_found=[False])]
    report = build_report({"hybrid": main, "dense": main[:1]}, "hybrid", {})
    assert {k: report["configurations"]["hybrid"][k] for k in ("answerable", "unanswerable", "follow_ups")} == {
        "answerable": 2,
        "unanswerable": 1,
        "follow_ups": 1,
    }

    page = render_html(report)
    configurations = page.split("<h2>Configurations</h2>")[1].split("</table>")[0]
    assert "<tr><th>hybrid</th><td>3</td><td>2</td><td>1</td><td>1</td>" in configurations
    assert "<tr><th>dense</th><td>1</td><td>1</td><td>0</td><td>0</td>" in configurations
    assert '"/" separates the alternatives of one fact and a line break separates facts' in page


def test_the_chart_labels_do_not_overlap() -> None:
    import matplotlib.pyplot as plt

    report = build_report({"hybrid": [result()], "dense": [result()]}, "hybrid", {})
    fig = chart_figure(report)
    fig.canvas.draw()
    boxes = [label.get_window_extent() for label in fig.axes[0].get_xticklabels()]
    plt.close(fig)
    assert len(boxes) == 8
    assert all(left.x1 < right.x0 for left, right in zip(boxes, boxes[1:], strict=False))


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="Debian chromium is not installed (make test)"
)
def test_the_page_fits_a_1280_pixel_window_its_wide_tables_scrolling_in_their_box(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    long = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/" + "x" * 80
    main = [
        result(id=f"q{i}", lang="fr", answer_lang="en", ungrounded=["5000000"], facts_found=[False], answer=long)
        for i in range(3)
    ]
    configs = {name: main for name in ("hybrid", "dense-only-with-a-long-configuration-name", "bm25")}
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(build_report(configs, "hybrid", {"questions": long})), encoding="utf-8")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(page_file.as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        tables = page.evaluate("[...document.querySelectorAll('.scroll')].map(d => d.scrollWidth > d.clientWidth)")
        browser.close()
    assert width <= 1280
    assert any(tables)  # the breakdown tables are wider than the page: they scroll inside their box


def _make_eval(*variables: str) -> subprocess.CompletedProcess[str]:
    """`make eval` as a dry run (-n: prints the commands, runs none) in the project folder, as a top-level make even
    when the suite itself runs under `make test` (no inherited MAKEFLAGS, no "Entering directory" lines)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", "eval", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def _ignored(path: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0


def test_make_eval_reports_into_an_ignored_folder_unless_asked_to_update_the_committed_report() -> None:
    default = " ".join(_make_eval().stdout.replace("\\\n", " ").split())
    assert "--json eval/reports/local/latest.json --html eval/reports/local/latest.html" in default
    assert _ignored("eval/reports/local/latest.json") and _ignored("eval/reports/local/latest.html")

    update = " ".join(_make_eval("UPDATE_REPORT=1").stdout.replace("\\\n", " ").split())
    assert "--json eval/reports/latest.json --html eval/reports/latest.html" in update
    assert not _ignored("eval/reports/latest.json") and not _ignored("eval/reports/latest.html")

    wrong = _make_eval("UPDATE_REPORT=yes")
    assert wrong.returncode != 0 and wrong.stdout == ""
    assert (
        'UPDATE_REPORT must be 0 (report into eval/reports/local/) or 1 (update the committed report), not "yes"'
        in (wrong.stderr)
    )
