"""`baton report`: the KPIs as one self-contained HTML file. Every chart a support lead reads is there as inline
SVG with its explanation, the headline figures are in the text, nothing is fetched from anywhere (it opens
offline), a period without data still gives a report that says so, and the CLI writes the file."""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from baton import cli
from baton.insights.kpis import compute
from baton.insights.models import (
    CalibrationBin,
    Csat,
    DayPoint,
    Drift,
    DriftItem,
    Driver,
    Drivers,
    Kpis,
    Metrics,
    Slice,
    Timing,
)
from baton.insights.report import render

START, END = date(2026, 10, 5), date(2026, 11, 1)  # Monday of ISO week 41 to Sunday of week 44
CHARTS = {
    "escalation-rate": "Escalation rate over time",
    "reasons": "Reasons driving escalations",
    "intents": "Intents: volume and escalation rate",
    "outcomes": "Outcome mix",
    "calibration": "Calibration: how often a person was needed, by risk",
}
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "source", "wbr", "embed", "track"}


def realistic_kpis() -> Kpis:
    """Four weeks of a mid-size team whose escalation rate climbs in the last week (a billing incident)."""
    rng = random.Random(13)
    days = []
    for i in range((END - START).days + 1):
        day = START + timedelta(days=i)
        conversations = rng.randint(18, 30) if day.weekday() >= 5 else rng.randint(38, 62)
        rate = 0.19 + (0.08 if i >= 21 else 0.0) + rng.uniform(-0.05, 0.05)
        escalated = round(conversations * rate)
        days.append(
            DayPoint(
                day=day,
                conversations=conversations,
                escalated=escalated,
                escalation_rate=escalated / conversations,
            )
        )
    weeks = []
    for w in range(4):
        chunk = days[w * 7 : w * 7 + 7]
        n, e = sum(d.conversations for d in chunk), sum(d.escalated for d in chunk)
        weeks.append(Slice(value=f"2026-W{41 + w}", conversations=n, escalated=e, escalation_rate=e / n))
    intents = [
        ("billing_dispute", 212, 97),
        ("double_charge", 96, 51),
        ("login_issue", 180, 38),
        ("data_export", 143, 29),
        ("cancel_subscription", 88, 27),
        ("how_to", 301, 16),
        ("error_bug", 77, 14),
        ("integration", 64, 9),
        ("feature_request", 73, 3),
    ]
    reasons = [
        ("human_requested", 92),
        ("frustration_trend", 71),
        ("payment_dispute", 44),
        ("bot_failed_to_answer", 39),
        ("incident_match", 31),
        ("legal_threat", 8),
    ]
    totals = Metrics(
        conversations=1234,
        escalated=277,
        escalation_rate=0.225,
        escalated_by_kind={"customer_requested": 92, "guardrail": 64, "model": 121},
        escalation_rate_by_kind={"customer_requested": 0.0746, "guardrail": 0.0519, "model": 0.0981},
        contained=758,
        containment_rate=0.614,
        false_escalations=29,
        false_escalation_rate=0.131,
        missed_escalations=34,
        missed_escalation_rate=0.042,
        labels={
            "true_escalation": 192,
            "false_escalation": 29,
            "missed_escalation": 34,
            "contained": 758,
            "unknown": 61,
        },
        time_to_escalate=Timing(n=277, mean_s=402.0, p50_s=255.0),
        time_to_assign=Timing(n=261, mean_s=530.0, p50_s=372.0),
        time_to_first_agent_reply=Timing(n=249, mean_s=1510.0, p50_s=5400.0),
        reopened=31,
        reopen_rate=0.025,
        repeat_contacts=58,
        repeat_contact_rate=0.047,
        csat={
            "bot_only": Csat(n=402, mean=4.31, low_rate=0.06),
            "escalated": Csat(n=131, mean=3.87, low_rate=0.15),
            "direct_to_agent": Csat(n=22, mean=4.05, low_rate=0.09),
        },
    )
    calibration = [
        CalibrationBin(low=0.0, high=0.1, conversations=402, needed_human_rate=0.03, mean_risk=0.05),
        CalibrationBin(low=0.1, high=0.2, conversations=251, needed_human_rate=0.09, mean_risk=0.15),
        CalibrationBin(low=0.2, high=0.3, conversations=140, needed_human_rate=0.19, mean_risk=0.24),
        CalibrationBin(low=0.3, high=0.4, conversations=88, needed_human_rate=0.41, mean_risk=0.35),
        CalibrationBin(low=0.4, high=0.5, conversations=40, needed_human_rate=0.52, mean_risk=0.45),
        CalibrationBin(low=0.5, high=0.6, conversations=31, needed_human_rate=0.58, mean_risk=0.55),
        CalibrationBin(low=0.6, high=0.7, conversations=0),
        CalibrationBin(low=0.7, high=0.8, conversations=55, needed_human_rate=0.69, mean_risk=0.76),
        CalibrationBin(low=0.8, high=0.9, conversations=47, needed_human_rate=0.83, mean_risk=0.85),
        CalibrationBin(low=0.9, high=1.0, conversations=19, needed_human_rate=0.95, mean_risk=0.94),
    ]
    return Kpis(
        start=START,
        end=END,
        generated_at=datetime(2026, 11, 2, 8, 30, tzinfo=UTC),
        totals=totals,
        by_day=days,
        by_week=weeks,
        by_intent=[
            Slice(value=v, conversations=n, escalated=e, escalation_rate=e / n) for v, n, e in intents
        ],
        by_product_area=[
            Slice(
                value="billing",
                conversations=396,
                escalated=175,
                escalation_rate=0.442,
                containment_rate=0.41,
            ),
            Slice(
                value="account", conversations=268, escalated=65, escalation_rate=0.243, containment_rate=0.63
            ),
        ],
        by_segment=[Slice(value="enterprise", conversations=190, escalated=71, escalation_rate=0.374)],
        drivers=Drivers(
            intents=[
                Driver(
                    value=v, conversations=n, escalated=e, escalation_rate=e / n, share_of_escalations=e / 277
                )
                for v, n, e in intents[:5]
            ],
            reasons=[
                Driver(
                    value=v, conversations=e, escalated=e, escalation_rate=1.0, share_of_escalations=e / 277
                )
                for v, e in reasons
            ],
            pages=[Driver(value="/billing/invoices", conversations=150, escalated=66, escalation_rate=0.44)],
            incidents=[Driver(value="INC-2041", conversations=61, escalated=40, escalation_rate=0.656)],
        ),
        drift=Drift(
            this_week="2026-10-26/2026-11-01",
            last_week="2026-10-19/2026-10-25",
            escalation_rate_change_pts=8.0,
            alert=False,
            intents=[
                DriftItem(
                    value="double_charge",
                    this_week=0.71,
                    last_week=0.38,
                    change_pts=33.0,
                    conversations_this_week=41,
                ),
                DriftItem(
                    value="login_issue",
                    this_week=0.18,
                    last_week=0.24,
                    change_pts=-6.0,
                    conversations_this_week=44,
                ),
            ],
        ),
        calibration=calibration,
    )


def empty_kpis() -> Kpis:
    return Kpis(start=START, end=END, generated_at=datetime(2026, 11, 2, tzinfo=UTC), totals=Metrics())


class Page(HTMLParser):
    """The parts of an HTML document the assertions read, and whether its elements are balanced."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.svgs: dict[str, str] = {}
        """svg id -> its <title>"""
        self.sections: dict[str, list[str]] = {}
        """section id -> its text (SVG's own text excluded)"""
        self.text: list[str] = []
        self.styles: list[str] = []
        self._svg: str | None = None
        self._section: str | None = None
        self.feed(document)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values))
        if tag == "svg":
            self._svg = values.get("id", "")
            self.svgs[self._svg] = ""
        if tag == "section":
            self._section = values.get("id", "")
            self.sections[self._section] = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == "svg":
            self._svg = None
        if tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.styles.append(data)
        elif self._svg is not None:
            if self.stack[-1] == "title":
                self.svgs[self._svg] += data
        else:
            self.text.append(data)
            if self._section is not None:
                self.sections[self._section].append(data)

    def section_text(self, section_id: str) -> str:
        return " ".join(" ".join(self.sections[section_id]).split())

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def document() -> str:
    return render(realistic_kpis())


@pytest.fixture(scope="module")
def report(document: str) -> Page:
    return Page(document)


def test_every_chart_is_inline_svg_with_its_title_and_an_explanation(report: Page) -> None:
    assert report.problems == []
    assert {f"chart-{chart_id}": title for chart_id, title in CHARTS.items()}.items() <= report.svgs.items()
    for chart_id, title in CHARTS.items():
        text = report.section_text(chart_id)
        assert title in text
        assert "What it shows." in text and "How to read it." in text
        assert "No data" not in text


def test_the_report_fetches_nothing_so_it_opens_offline(report: Page) -> None:
    assert not [
        tag for tag, _ in report.tags if tag in ("script", "link", "img", "iframe", "object", "embed")
    ]
    for tag, attrs in report.tags:
        for name in ("src", "href", "xlink:href"):
            if name in attrs:
                assert attrs[name].startswith("#"), (tag, name, attrs[name])
        assert not re.search(r"url\((?!#)", attrs.get("style", "") + attrs.get("clip-path", "")), (tag, attrs)
    assert not re.search(r"url\((?!#)|@import", " ".join(report.styles))
    # Every internal reference points at an id of the document, and no id is used twice (the charts' own ids are
    # scoped to their chart).
    ids = [attrs["id"] for _, attrs in report.tags if "id" in attrs]
    assert len(ids) == len(set(ids))
    references = {
        value[1:]
        for _, attrs in report.tags
        for value in attrs.values()
        if value.startswith("#") and len(value) > 1
    }
    references |= {
        m for _, attrs in report.tags for m in re.findall(r"url\(#([^)]+)\)", " ".join(attrs.values()))
    }
    assert references and references <= set(ids)


def test_the_headline_figures_are_in_the_text(report: Page) -> None:
    headline = report.section_text("headline")
    for figure in (
        "Conversations 1234",
        "Escalation rate 22.5% 277 escalated",
        "… because asked for a person 7.5% 92 escalated",
        "… because a guardrail 5.2% 64 escalated",
        "… because the model's risk 9.8% 121 escalated",
        "Containment 61.4%",
        "False escalations 13.1%",
        "Missed escalations 4.2%",
        "CSAT, bot only 4.31 402 ratings, 6.0% low",
        "CSAT, escalated 3.87",
        "CSAT, direct to an agent 4.05",
        "Time to escalate 4 min 15 s",
        "Time to assign 6 min 12 s",
        "Time to first agent reply 1 h 30 min",
        "Reopens 2.5% 31 conversations reopened",
        "Repeat contacts 4.7% 58",
    ):
        assert figure in headline
    drift = report.section_text("drift")
    assert "Escalation rate of 2026-10-26 to 2026-11-01 against 2026-10-19 to 2026-10-25: +8.0 pts" in drift
    assert "double_charge 38.0% 71.0% +33.0 pts 41" in drift
    assert "Alert" not in drift
    assert "/billing/invoices" in report.section_text("pages")
    assert "INC-2041" in report.section_text("incidents")
    assert "billing 396 44.2% 41.0%" in report.section_text("product-areas")


@pytest.mark.parametrize(
    "kpis", [empty_kpis(), compute([], START, END, now=datetime(2026, 11, 2, tzinfo=UTC))]
)
def test_an_empty_period_gives_a_report_that_says_no_data_for_each_chart(kpis: Kpis) -> None:
    page = Page(render(kpis))
    assert page.problems == []
    assert page.svgs == {}
    for chart_id, title in CHARTS.items():
        text = page.section_text(chart_id)
        assert (
            title in text and "No data: no conversation started between 2026-10-05 and 2026-11-01." in text
        ), chart_id
    assert "No data: no conversation started between 2026-10-05 and 2026-11-01." in page.section_text(
        "headline"
    )
    assert "No data: no conversation in one of the last two weeks" in page.section_text("drift")


def test_conversations_without_labels_have_their_charts_and_say_what_is_missing() -> None:
    kpis = realistic_kpis()
    kpis.totals = kpis.totals.model_copy(update={"labels": {}})
    kpis.calibration = []
    page = Page(render(kpis))
    assert {"chart-escalation-rate", "chart-reasons", "chart-intents"} <= set(page.svgs)
    assert "none of the 1234 conversations has an outcome label yet" in page.section_text("outcomes")
    assert "No data: no labelled conversation" in page.section_text("calibration")


def test_names_people_typed_are_shown_as_text_never_as_markup() -> None:
    kpis = realistic_kpis()
    typed = '<script>alert("x")</script> $\\frac{$'  # markup, and maths that does not parse
    kpis.by_intent[0].value = typed
    kpis.drivers.reasons[0].value = typed
    assert kpis.drift is not None
    kpis.drift.intents[0].value = typed
    page = Page(render(kpis))
    assert page.problems == []
    assert "script" not in [tag for tag, _ in page.tags]
    assert typed in page.section_text("drift")
    assert {"chart-intents", "chart-reasons"} <= set(page.svgs)


def test_the_same_kpis_give_the_same_file(document: str) -> None:
    assert render(realistic_kpis()) == document


def test_baton_report_writes_the_file_from_a_saved_kpis_response(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "kpis.json"
    saved.write_text(realistic_kpis().model_dump_json(by_alias=True))  # as `GET /v1/kpis` answers
    out = tmp_path / "out" / "report.html"
    assert cli.main(["report", "--kpis", str(saved), "--out", str(out)]) == 0
    page = Page(out.read_text(encoding="utf-8"))
    assert set(page.svgs) >= {f"chart-{chart_id}" for chart_id in CHARTS}
    assert "22.5%" in page.section_text("headline")
    assert str(out) in capsys.readouterr().err


def test_baton_report_reads_the_kpis_baton_kpis_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[tuple[object, ...]] = []

    def load_kpis(args: argparse.Namespace) -> Kpis:
        asked.append((args.start, args.end, args.table))
        return realistic_kpis()

    monkeypatch.setattr(cli, "load_kpis", load_kpis)
    out = tmp_path / "report.html"
    argv = [
        "report",
        "--from",
        "2026-10-05",
        "--to",
        "2026-11-01",
        "--table",
        "Dev-Conversations",
        "--out",
        str(out),
    ]
    assert cli.main(argv) == 0
    assert asked == [(START, END, "Dev-Conversations")]
    assert "22.5%" in Page(out.read_text(encoding="utf-8")).section_text("headline")


def test_baton_report_says_when_no_baton_local_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    assert cli.main(["report", "--data-dir", str(tmp_path / "nothing"), "--out", str(out)]) == 2
    assert "no `baton local` is running" in capsys.readouterr().err
    assert not out.exists()


def test_baton_report_takes_the_kpis_from_one_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "kpis.json"
    saved.write_text(realistic_kpis().model_dump_json(by_alias=True))
    assert (
        cli.main(["report", "--kpis", str(saved), "--from", "2026-10-05", "--out", str(tmp_path / "r.html")])
        == 2
    )
    assert "--from, --to, --data-dir and --table do not apply" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("not json", "not a KPI report"),
        (json.dumps({"from": "2026-10-05"}), "not a KPI report"),
    ],
)
def test_baton_report_refuses_a_file_that_is_not_kpis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    saved = tmp_path / "kpis.json"
    if content is not None:
        saved.write_text(content)
    out = tmp_path / "report.html"
    assert cli.main(["report", "--kpis", str(saved), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_baton_help_does_not_load_the_plotting_library() -> None:
    code = "import sys\nfrom baton import cli\ncli.build_parser()\nimport baton.insights.report\nprint(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
