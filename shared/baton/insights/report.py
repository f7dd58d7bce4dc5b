"""`baton report`: the KPIs (`Kpis`) as one HTML file a support lead opens in a browser, offline.

The file is self-contained: no script, and nothing it shows is fetched. Its style is inline and its charts are
inline SVG drawn by matplotlib (the figure's own API, no pyplot: no GUI backend, no global state), with the text
drawn as paths so that it looks the same without any font installed. Every SVG id is prefixed with its chart's,
so the charts' internal references (glyphs, markers, clip paths) never collide in one document.

What it shows, each chart with a few plain words on what it is and how to read it:
- the headline figures (the totals: escalation rate by kind, containment, false and missed escalations, CSAT by
  path, times to escalate, assign and first reply, reopens, repeat contacts) and the week-over-week drift;
- the escalation rate over time (daily and per ISO week, over the daily volume);
- the reasons driving escalations, and the intents (volume and escalation rate);
- the outcome mix (the labels), and the calibration curve (how often a person was needed, against the risk);
- the breakdowns by product area and segment, and the pages and incidents driving escalations, as tables.

Rates are fractions (0-1) as `Kpis` holds them, shown as percentages; drift changes are percentage points. A
chart without data says so (and why) instead of drawing an empty frame. The same `Kpis` gives the same bytes.

matplotlib is imported by `render` only (a tool's dependency, the `report` extra): `baton --help` stays fast.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from baton.insights.models import (
    ESCALATION_KINDS,
    PATHS,
    CalibrationBin,
    Csat,
    Driver,
    Kpis,
    Metrics,
    Slice,
    Timing,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

TOP = 12
"""At most this many bars in the reasons and intents charts, and rows in a breakdown table."""
LABEL_CHARS = 34
"""Longer intent, reason or page names are cut (with an ellipsis) so the bars keep their room."""
WIDTH_IN = 9.5
"""Inches: about the page column's width, so the charts show at their own size (9.5 pt text)."""

# One meaning, one colour, in every chart.
ESCALATED = "#c8553d"
VOLUME = "#c9ced6"
DAILY = "#2f6690"
WEEKLY = "#e09f3e"
INK = "#2b2d42"
MUTED = "#6c757d"

KIND_NAMES = {
    "customer_requested": "asked for a person",
    "guardrail": "a guardrail",
    "model": "the model's risk",
}
PATH_NAMES = {"bot_only": "bot only", "escalated": "escalated", "direct_to_agent": "direct to an agent"}
OUTCOMES: dict[str, tuple[str, str]] = {
    "true_escalation": ("True escalation", "#2f6690"),
    "false_escalation": ("False escalation", "#e09f3e"),
    "missed_escalation": ("Missed escalation", ESCALATED),
    "contained": ("Contained", "#3a7d44"),
    "unknown": ("Unknown outcome", "#9aa0a6"),
}
NOT_LABELLED = ("Not labelled yet", "#dfe3e8")

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Chart:
    """One chart section: its figure as inline SVG, or why there is none."""

    id: str
    title: str
    explanation: str
    """HTML: what the chart shows and how to read it."""
    svg: str | None
    no_data: str | None = None


def render(kpis: Kpis) -> str:
    """The report of `kpis`: a complete HTML document."""
    import matplotlib

    # No `$...$` maths in names people typed; a fixed salt and no date: the same KPIs give the same file.
    with matplotlib.rc_context(
        {"svg.fonttype": "path", "svg.hashsalt": "baton-report", "text.parse_math": False, "font.size": 9.5}
    ):
        charts = [build(kpis) for build in CHARTS]
    return _document(kpis, charts)


# -- the charts -------------------------------------------------------------------------------------------


def _escalation_over_time(kpis: Kpis) -> Chart:
    title = "Escalation rate over time"
    explanation = (
        "<p><b>What it shows.</b> The top panel is the share of the conversations started each day that Baton "
        "escalated to a person (blue dots), and the same share for each week, Monday to Sunday (orange lines). "
        "The bottom panel is how many conversations started each day, the escalated part in red.</p>"
        "<p><b>How to read it.</b> Read the weekly line for the trend: a day with few conversations jumps around "
        "by chance. A weekly step that climbs while the volume stays flat means conversations got harder or the "
        "bot got worse at them (see the reasons and intents below); a climb together with a volume spike "
        "often means an incident.</p>"
    )
    counts = {point.day: point for point in kpis.by_day}
    days = _days(kpis.start, kpis.end)
    if not any(counts[d].conversations for d in days if d in counts):
        return Chart("escalation-rate", title, explanation, None, _no_conversations(kpis))
    from matplotlib.dates import date2num

    fig = _figure(4.6)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.4], "hspace": 0.08})
    # Days as matplotlib's date numbers (a day is 1.0): a week's line covers its days whole, bars included.
    xs = [float(x) for x in date2num(days)]
    volume = [counts[d].conversations if d in counts else 0 for d in days]
    escalated = [counts[d].escalated if d in counts else 0 for d in days]
    rates = [counts[d].escalation_rate if d in counts else None for d in days]
    daily = [float("nan") if r is None else r for r in rates]
    top.plot(xs, daily, color=DAILY, marker="o", markersize=3.5, linewidth=1, alpha=0.85, label="daily")
    weekly = _weekly_segments(kpis)
    for i, (first, last, rate) in enumerate(weekly):
        label = "weekly (Monday to Sunday)" if i == 0 else None
        x0, x1 = float(date2num(first)), float(date2num(last))
        top.hlines(rate, x0 - 0.45, x1 + 0.45, color=WEEKLY, linewidth=2.6, label=label)
    highest = max([r for r in rates if r is not None] + [rate for _, _, rate in weekly] + [0.05])
    top.set_ylim(0, min(1.08, highest * 1.2))
    top.set_ylabel("escalated")
    _percent_axis(top.yaxis, min(1.08, highest * 1.2))
    _legend_above(top, 2)
    _grid(top, "y")
    bottom.bar(xs, volume, width=0.8, color=VOLUME, label="conversations")
    bottom.bar(xs, escalated, width=0.8, color=ESCALATED, label="escalated")
    bottom.set_ylim(0, max(volume) * 1.45)  # room for the legend above the bars
    bottom.set_ylabel("per day")
    _count_axis(bottom.yaxis)
    bottom.legend(loc="upper left", frameon=False, ncols=2, fontsize=8)
    _grid(bottom, "y")
    bottom.set_xlim(xs[0] - 0.7, xs[-1] + 0.7)
    _date_axis(bottom, len(days))
    return Chart("escalation-rate", title, explanation, _svg(fig, "escalation-rate", title))


def _reasons(kpis: Kpis) -> Chart:
    title = "Reasons driving escalations"
    explanation = (
        "<p><b>What it shows.</b> For each reason Baton gave when it escalated, how many escalations it was "
        "part of, and that as a share of all escalations. One escalation can have several reasons, so the "
        "shares can add up to more than 100%.</p>"
        "<p><b>How to read it.</b> The longest bars are where people spend their time. A reason the bot could "
        "fix (a missing answer, a repeated question) is worth a knowledge-base article or a bot change; a "
        "guardrail (a legal threat, a request for a person) is Baton working as intended.</p>"
    )
    drivers = sorted(
        (d for d in kpis.drivers.reasons if d.escalated > 0), key=lambda d: (-d.escalated, d.value)
    )
    if not drivers:
        return Chart("reasons", title, explanation, None, _no_escalations(kpis))
    drivers = drivers[:TOP]
    fig = _figure(0.9 + 0.32 * len(drivers))
    ax = fig.subplots()
    names = [_short(d.value) for d in drivers]
    ax.barh(names, [d.escalated for d in drivers], color=ESCALATED, height=0.65)
    ax.invert_yaxis()
    for i, d in enumerate(drivers):
        share = (
            f" · {_pct(d.share_of_escalations)} of escalations" if d.share_of_escalations is not None else ""
        )
        ax.annotate(f" {d.escalated}{share}", (d.escalated, i), va="center", fontsize=8, color=INK)
    ax.set_xlabel("escalations with this reason")
    ax.set_xlim(0, max(d.escalated for d in drivers) * 1.55)
    _count_axis(ax.xaxis)
    _grid(ax, "x")
    return Chart("reasons", title, explanation, _svg(fig, "reasons", title))


def _intents(kpis: Kpis) -> Chart:
    title = "Intents: volume and escalation rate"
    explanation = (
        "<p><b>What it shows.</b> The customers' intents (what they came for) with the most escalations. Left: "
        "how many conversations each intent had, the escalated part in red. Right: the intent's escalation "
        "rate, with the overall rate as a dashed line.</p>"
        "<p><b>How to read it.</b> A long red bar is a large share of the team's escalations; a rate far right "
        "of the dashed line is an intent the bot handles worse than the rest. Both at once is the first "
        "place to look.</p>"
    )
    rows = _intent_rows(kpis)
    if not rows:
        return Chart("intents", title, explanation, None, _no_conversations(kpis))
    fig = _figure(1.0 + 0.32 * len(rows))
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1.2, 1], "wspace": 0.06})
    names = [_short(value) for value, _, _, _ in rows]
    volume = [conversations for _, conversations, _, _ in rows]
    escalated = [n for _, _, n, _ in rows]
    rates = [rate or 0.0 for _, _, _, rate in rows]
    left.barh(names, volume, color=VOLUME, height=0.65, label="conversations")
    left.barh(names, escalated, color=ESCALATED, height=0.65, label="escalated")
    left.invert_yaxis()
    left.set_xlabel("conversations")
    _count_axis(left.xaxis)
    left.legend(loc="lower right", frameon=False, fontsize=8)
    _grid(left, "x")
    right.barh(names, rates, color=DAILY, height=0.65)
    for i, (_, _, _, rate) in enumerate(rows):
        right.annotate(f" {_pct(rate)}", (rate or 0.0, i), va="center", fontsize=8, color=INK)
    if kpis.totals.escalation_rate is not None:
        right.axvline(kpis.totals.escalation_rate, color=INK, linestyle="--", linewidth=1, label="overall")
        right.legend(loc="lower right", frameon=False, fontsize=8)
    upper = max([*rates, kpis.totals.escalation_rate or 0.0, 0.05]) * 1.3
    right.set_xlim(0, upper)
    right.set_xlabel("escalation rate")
    _percent_axis(right.xaxis, upper)
    right.tick_params(axis="y", left=False)
    _grid(right, "x")
    return Chart("intents", title, explanation, _svg(fig, "intents", title))


def _outcome_mix(kpis: Kpis) -> Chart:
    title = "Outcome mix"
    explanation = (
        "<p><b>What it shows.</b> What happened to the conversations, as their outcome labels say (from the "
        "helpdesk's outcomes: who resolved it, the rating, a reopen). <i>True escalation</i>: escalated and a "
        "person was needed. <i>False escalation</i>: escalated, but no person was needed. <i>Missed "
        "escalation</i>: not escalated, yet a person was needed. <i>Contained</i>: the bot resolved it. "
        "<i>Unknown</i>: the outcome does not tell. Conversations still going on have no label yet.</p>"
        "<p><b>How to read it.</b> Contained and true escalations are Baton deciding right. False escalations "
        "cost agents' time; missed ones cost customers. If one of those two grows, the decision's thresholds "
        "may need moving (see the calibration below).</p>"
    )
    totals = kpis.totals
    if totals.conversations == 0 and not any(totals.labels.values()):
        return Chart("outcomes", title, explanation, None, _no_conversations(kpis))
    if not any(totals.labels.values()):
        return Chart(
            "outcomes",
            title,
            explanation,
            None,
            f"No data: none of the {totals.conversations} conversations has an outcome label yet.",
        )
    order = [*OUTCOMES, *sorted(set(totals.labels) - set(OUTCOMES))]
    bars = [
        (OUTCOMES.get(k, (k, MUTED))[0], OUTCOMES.get(k, (k, MUTED))[1], totals.labels.get(k, 0))
        for k in order
    ]
    unlabelled = totals.conversations - sum(totals.labels.values())
    if unlabelled > 0:
        bars.append((*NOT_LABELLED, unlabelled))
    whole = sum(n for _, _, n in bars)
    fig = _figure(0.9 + 0.32 * len(bars))
    ax = fig.subplots()
    ax.barh(
        [name for name, _, _ in bars], [n for _, _, n in bars], color=[c for _, c, _ in bars], height=0.65
    )
    ax.invert_yaxis()
    for i, (_, _, n) in enumerate(bars):
        ax.annotate(f" {n} · {_pct(n / whole)}", (n, i), va="center", fontsize=8, color=INK)
    ax.set_xlim(0, max(n for _, _, n in bars) * 1.3)
    _count_axis(ax.xaxis)
    ax.set_xlabel("conversations")
    _grid(ax, "x")
    return Chart("outcomes", title, explanation, _svg(fig, "outcomes", title))


def _calibration(kpis: Kpis) -> Chart:
    title = "Calibration: how often a person was needed, by risk"
    explanation = (
        "<p><b>What it shows.</b> The labelled conversations grouped by the highest risk Baton gave them. For "
        "each group, the share where a person was needed (a true or missed escalation) against the group's "
        "mean risk; the number next to each point (and the bars below) is how many conversations the group "
        "has.</p>"
        "<p><b>How to read it.</b> On the dashed diagonal, a risk of 0.7 means a person was needed 7 times in "
        "10: the risk can be taken at its word. Points above the diagonal: Baton underrates the risk (expect "
        "missed escalations); below it: Baton overrates it (expect false escalations). A group of a few "
        "conversations says little.</p>"
    )
    bins = [b for b in kpis.calibration if b.conversations > 0 and b.needed_human_rate is not None]
    if not bins and kpis.totals.conversations == 0:
        return Chart("calibration", title, explanation, None, _no_conversations(kpis))
    if not bins:
        return Chart(
            "calibration",
            title,
            explanation,
            None,
            "No data: no labelled conversation with a risk in this period (labels come with the helpdesk's "
            "outcomes; the calibration needs true, false or missed escalations, or contained conversations).",
        )
    fig = _figure(5.2, width=6.4)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3.2, 1], "hspace": 0.08})
    top.plot([0, 1], [0, 1], color=MUTED, linestyle="--", linewidth=1, label="perfectly calibrated")
    xs = [_mean_risk(b) for b in bins]
    ys = [b.needed_human_rate or 0.0 for b in bins]
    top.plot(xs, ys, color=DAILY, marker="o", markersize=5, linewidth=1.6, label="Baton")
    for x, y, b in zip(xs, ys, bins, strict=True):
        top.annotate(
            f"n={b.conversations}",
            (x, y),
            xytext=(5, 7),
            textcoords="offset points",
            fontsize=7.5,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    top.set_ylim(-0.03, 1.08)
    top.set_ylabel("a person was needed")
    _percent_axis(top.yaxis, 1.08)
    _legend_above(top, 2)
    _grid(top, "both")
    bottom.bar(
        [b.low for b in bins],
        [b.conversations for b in bins],
        width=[b.high - b.low for b in bins],
        align="edge",
        color=VOLUME,
        edgecolor="white",
    )
    bottom.set_xlim(0, 1)
    bottom.set_xlabel("highest risk Baton gave the conversation")
    bottom.set_ylabel("conversations")
    _count_axis(bottom.yaxis)
    _grid(bottom, "y")
    return Chart("calibration", title, explanation, _svg(fig, "calibration", title))


CHARTS: tuple[Callable[[Kpis], Chart], ...] = (
    _escalation_over_time,
    _reasons,
    _intents,
    _outcome_mix,
    _calibration,
)
"""The charts, in the report's order."""


def _weekly_segments(kpis: Kpis) -> list[tuple[date, date, float]]:
    """Each week's rate and its first and last day within the range (`by_week` values are ISO weeks)."""
    segments = []
    for week in kpis.by_week:
        match = _WEEK.match(week.value)
        if match is None or week.escalation_rate is None:
            continue
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            continue
        first, last = max(monday, kpis.start), min(monday + timedelta(days=6), kpis.end)
        if first <= last:
            segments.append((first, last, week.escalation_rate))
    return segments


def _intent_rows(kpis: Kpis) -> list[tuple[str, int, int, float | None]]:
    """(intent, conversations, escalated, rate): `by_intent` (else the drivers), most escalations first."""
    source: Sequence[Slice | Driver] = kpis.by_intent or kpis.drivers.intents
    rows = [(s.value, s.conversations, s.escalated, s.escalation_rate) for s in source if s.conversations > 0]
    rows.sort(key=lambda row: (-row[2], -row[1], row[0]))
    return rows[:TOP]


def _mean_risk(b: CalibrationBin) -> float:
    return b.mean_risk if b.mean_risk is not None else (b.low + b.high) / 2


# -- matplotlib helpers -----------------------------------------------------------------------------------


def _figure(height_in: float, *, width: float = WIDTH_IN) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, max(height_in, 1.6)), layout="constrained")


def _grid(ax: Axes, axis: str) -> None:
    ax.grid(True, axis=axis, color="#e6e8eb", linewidth=0.8)  # type: ignore[arg-type]
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend_above(ax: Axes, columns: int) -> None:
    """The legend over the axes' top left corner: it never hides a point."""
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, ncols=columns, borderaxespad=0.2)


def _percent_axis(axis: Axis, upper: float) -> None:
    """Rates as percentages, never a tick past 100% (the axis may go further to leave room for a label)."""
    from matplotlib.ticker import FixedLocator, MaxNLocator, PercentFormatter

    ticks = [
        t for t in MaxNLocator(nbins=6).tick_values(0, min(upper, 1.0)) if 0 <= t <= min(upper, 1.0) + 1e-9
    ]
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))


def _count_axis(axis: Axis) -> None:
    """Counts: whole numbers only."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _date_axis(ax: Axes, days: int) -> None:
    """Mondays (the weeks' first days) up to ten weeks, else what fits; each tick a day and a month."""
    from matplotlib.dates import MO, AutoDateLocator, DateFormatter, WeekdayLocator

    ax.xaxis.set_major_locator(
        WeekdayLocator(MO) if 7 < days <= 70 else AutoDateLocator(minticks=3, maxticks=9)
    )
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))


_SVG_START = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')


def _svg(fig: Figure, chart_id: str, title: str) -> str:
    """The figure as an SVG element to inline: no XML prologue, no comments, every id prefixed by the chart's,
    titled for screen readers."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = _COMMENT.sub("", _SVG_START.sub("", buffer.getvalue(), count=1))
    ids = set(_ID.findall(text))
    prefix = f"{chart_id}-"

    def scoped(match: re.Match[str]) -> str:
        name = match[2]
        return match[1] + (prefix + name if name in ids else name)

    text = _REFERENCE.sub(scoped, text)
    label = html.escape(title)
    return text.replace(
        "<svg ",
        f'<svg id="chart-{chart_id}" role="img" aria-labelledby="chart-{chart_id}-title" ',
        1,
    ).replace(">", f'>\n <title id="chart-{chart_id}-title">{label}</title>', 1)


# -- the document -----------------------------------------------------------------------------------------


STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #2b2d42;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 1px solid #dfe3e8; padding-bottom: 0.2rem; }
.meta, .note { color: #6c757d; font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid #eceef1; vertical-align: top; }
th { background: #f6f7f9; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.sub td:first-child { padding-left: 1.6rem; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
.no-data { padding: 1.2rem; background: #f6f7f9; border: 1px dashed #c9ced6; color: #6c757d; }
.alert { padding: 0.6rem 0.9rem; background: #fdecea; border-left: 4px solid #c8553d; }
.explain { font-size: 0.93rem; }
"""


def _document(kpis: Kpis, charts: Sequence[Chart]) -> str:
    period = f"{kpis.start.isoformat()} to {kpis.end.isoformat()}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Baton report: {period}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<h1>Baton: escalations and outcomes</h1>",
        f'<p class="meta">Conversations started from {period} (UTC, both days included). Generated '
        f"{_utc(kpis.generated_at):%Y-%m-%d %H:%M} UTC.</p>",
        _headline(kpis),
        _chart(charts[0]),
        _drift(kpis),
        *(_chart(chart) for chart in charts[1:]),
        _breakdowns(kpis),
        _drivers_tables(kpis),
        '<p class="note">Rates are over the conversations that started in the period; a rate with nothing to '
        "count from shows as n/a. How each figure is computed: docs/kpis.md in Baton's repository.</p>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def _chart(chart: Chart) -> str:
    body = (
        f'<figure aria-label="{html.escape(chart.title)}">\n{chart.svg}\n</figure>'
        if chart.svg is not None
        else f'<p class="no-data" id="chart-{chart.id}">{html.escape(chart.no_data or "No data.")}</p>'
    )
    return (
        f'<section id="{chart.id}">\n<h2>{html.escape(chart.title)}</h2>\n{body}\n'
        f'<div class="explain">{chart.explanation}</div>\n</section>'
    )


def _headline(kpis: Kpis) -> str:
    t = kpis.totals
    rows: list[tuple[str, str, str, str]] = [
        ("Conversations", str(t.conversations), "started in the period", ""),
        ("Escalation rate", _pct(t.escalation_rate), f"{t.escalated} escalated to a person", ""),
    ]
    for kind in ESCALATION_KINDS:
        rows.append(
            (
                f"… because {KIND_NAMES[kind]}",
                _pct(t.escalation_rate_by_kind.get(kind)),
                f"{t.escalated_by_kind.get(kind, 0)} escalated",
                "sub",
            )
        )
    rows += [
        ("Containment", _pct(t.containment_rate), f"{t.contained} resolved by the bot alone", ""),
        (
            "False escalations",
            _pct(t.false_escalation_rate),
            f"{t.false_escalations} of the labelled escalations needed no person",
            "",
        ),
        (
            "Missed escalations",
            _pct(t.missed_escalation_rate),
            f"{t.missed_escalations} of the labelled conversations never escalated needed a person",
            "",
        ),
    ]
    for path in PATHS:
        rows.append((f"CSAT, {PATH_NAMES[path]}", *_csat(t.csat.get(path)), ""))
    rows += [
        ("Time to escalate", *_timing(t.time_to_escalate, "from the first message to the escalation"), ""),
        ("Time to assign", *_timing(t.time_to_assign, "from the escalation to an agent assigned"), ""),
        (
            "Time to first agent reply",
            *_timing(t.time_to_first_agent_reply, "from the escalation to the agent's first message"),
            "",
        ),
        ("Reopens", _pct(t.reopen_rate), f"{t.reopened} conversations reopened", ""),
        (
            "Repeat contacts",
            _pct(t.repeat_contact_rate),
            f"{t.repeat_contacts} from customers back on the same intent within 7 days",
            "",
        ),
    ]
    body = "\n".join(
        f"<tr{f' class={chr(34)}{cls}{chr(34)}' if cls else ''}><td>{html.escape(name)}</td>"
        f'<td class="num">{html.escape(value)}</td><td>{html.escape(detail)}</td></tr>'
        for name, value, detail, cls in rows
    )
    empty = (
        f'<p class="no-data">No data: {html.escape(_no_conversations(kpis).removeprefix("No data: "))}</p>\n'
        if t.conversations == 0
        else ""
    )
    return (
        '<section id="headline">\n<h2>Headline figures</h2>\n'
        f"{empty}"
        '<table>\n<tr><th>Figure</th><th class="num">Value</th><th>What it counts</th></tr>\n'
        f"{body}\n</table>\n"
        '<p class="explain">Times are medians (approximate), with the mean beside. CSAT is the mean rating '
        "(1-5) by how the conversation was served; low is the share of ratings of 2 or less.</p>\n</section>"
    )


def _drift(kpis: Kpis) -> str:
    head = '<section id="drift">\n<h2>Week over week</h2>\n'
    explain = (
        '<p class="explain">The last 7 days of the period against the 7 before: how far the escalation rate '
        "moved, in percentage points, overall and for the intents that moved most. An alert means a move of at "
        "least the threshold on enough conversations to matter; it is the same figure the deployed alarm "
        "watches.</p>\n</section>"
    )
    drift = kpis.drift
    if drift is None or drift.escalation_rate_change_pts is None:
        why = (
            "the period is too short to compare two weeks (it needs 14 days)"
            if (kpis.end - kpis.start).days + 1 < 14
            else "no conversation in one of the last two weeks of the period"
        )
        return f'{head}<p class="no-data">No data: {why}.</p>\n{explain}'
    summary = (
        f"<p>Escalation rate of {html.escape(_span(drift.this_week))} against "
        f"{html.escape(_span(drift.last_week))}: <b>{html.escape(_pts(drift.escalation_rate_change_pts))}</b>.</p>\n"
    )
    if drift.alert:
        summary += (
            f'<p class="alert"><b>Alert:</b> the escalation rate moved by at least {drift.threshold_pts:g} '
            "points week over week.</p>\n"
        )
    if drift.intents:
        rows = "\n".join(
            f'<tr><td>{html.escape(item.value)}</td><td class="num">{_pct(item.last_week)}</td>'
            f'<td class="num">{_pct(item.this_week)}</td><td class="num">{html.escape(_pts(item.change_pts))}</td>'
            f'<td class="num">{item.conversations_this_week}</td></tr>'
            for item in drift.intents
        )
        summary += (
            '<table>\n<tr><th>Intent</th><th class="num">Last week</th><th class="num">This week</th>'
            f'<th class="num">Change</th><th class="num">Conversations this week</th></tr>\n{rows}\n</table>\n'
        )
    else:
        summary += '<p class="no-data">No data: no intent had conversations in both weeks.</p>\n'
    return head + summary + explain


def _breakdowns(kpis: Kpis) -> str:
    sections = []
    for title, anchor, column, slices in (
        ("By product area", "product-areas", "Product area", kpis.by_product_area),
        ("By segment", "segments", "Segment", kpis.by_segment),
    ):
        table = _slice_table(column, slices) if slices else '<p class="no-data">No data.</p>'
        sections.append(f'<section id="{anchor}">\n<h2>{title}</h2>\n{table}\n</section>')
    return "\n".join(sections)


def _slice_table(column: str, slices: Sequence[Slice]) -> str:
    shown = sorted(slices, key=lambda s: (-s.conversations, s.value))[:TOP]
    rows = "\n".join(
        f'<tr><td>{html.escape(s.value)}</td><td class="num">{s.conversations}</td>'
        f'<td class="num">{_pct(s.escalation_rate)}</td><td class="num">{_pct(s.containment_rate)}</td>'
        f'<td class="num">{_pct(s.false_escalation_rate)}</td><td class="num">{_pct(s.missed_escalation_rate)}</td>'
        f'<td class="num">{html.escape(_csat_all(s))}</td></tr>'
        for s in shown
    )
    more = f'<p class="note">The {TOP} largest of {len(slices)}.</p>' if len(slices) > TOP else ""
    return (
        f'<table>\n<tr><th>{column}</th><th class="num">Conversations</th><th class="num">Escalated</th>'
        '<th class="num">Contained</th><th class="num">False esc.</th><th class="num">Missed esc.</th>'
        f'<th class="num">CSAT</th></tr>\n{rows}\n</table>{more}'
    )


def _drivers_tables(kpis: Kpis) -> str:
    sections = []
    for title, anchor, column, drivers in (
        ("Pages driving escalations", "pages", "Page", kpis.drivers.pages),
        ("Incidents driving escalations", "incidents", "Incident", kpis.drivers.incidents),
    ):
        if drivers:
            rows = "\n".join(
                f'<tr><td>{html.escape(d.value)}</td><td class="num">{d.conversations}</td>'
                f'<td class="num">{d.escalated}</td><td class="num">{_pct(d.escalation_rate)}</td>'
                f'<td class="num">{_pct(d.share_of_escalations)}</td></tr>'
                for d in drivers[:TOP]
            )
            body = (
                f'<table>\n<tr><th>{column}</th><th class="num">Conversations</th><th class="num">Escalated</th>'
                '<th class="num">Escalation rate</th><th class="num">Share of escalations</th></tr>\n'
                f"{rows}\n</table>"
            )
        else:
            body = '<p class="no-data">No data.</p>'
        sections.append(f'<section id="{anchor}">\n<h2>{title}</h2>\n{body}\n</section>')
    return "\n".join(sections)


# -- words and numbers ------------------------------------------------------------------------------------


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _span(days: str) -> str:
    """A drift week (`2026-10-26/2026-11-01`) in words."""
    first, _, last = days.partition("/")
    return f"{first} to {last}" if last else days


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _no_conversations(kpis: Kpis) -> str:
    return f"No data: no conversation started between {kpis.start.isoformat()} and {kpis.end.isoformat()}."


def _no_escalations(kpis: Kpis) -> str:
    if kpis.totals.conversations == 0:
        return _no_conversations(kpis)
    if kpis.totals.escalated == 0:
        return f"No data: none of the {kpis.totals.conversations} conversations was escalated."
    return "No data: the escalations of this period carry no reason."


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def _pts(change: float | None) -> str:
    return "n/a" if change is None else f"{change:+.1f} pts"


def _csat(csat: Csat | None) -> tuple[str, str]:
    if csat is None or not csat.n or csat.mean is None:
        return "n/a", "no rating"
    low = f", {_pct(csat.low_rate)} low" if csat.low_rate is not None else ""
    return f"{csat.mean:.2f}", f"{csat.n} rating{'s' if csat.n != 1 else ''}{low}"


def _csat_all(metrics: Metrics) -> str:
    """The mean rating over every path (weighted by ratings)."""
    rated = [c for c in metrics.csat.values() if c.n and c.mean is not None]
    n = sum(c.n for c in rated)
    return f"{sum(c.n * (c.mean or 0.0) for c in rated) / n:.2f}" if n else "n/a"


def _timing(timing: Timing, what: str) -> tuple[str, str]:
    if not timing.n:
        return "n/a", f"{what}: none"
    median = _duration(timing.p50_s)
    mean = f", mean {_duration(timing.mean_s)}" if timing.mean_s is not None else ""
    return median, f"{what} (median{mean}; {timing.n} conversations)"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 600:
        return f"{s // 60} min {s % 60:02d} s"
    minutes = round(s / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    hours = round(s / 3600)
    return f"{hours // 24} d {hours % 24} h"
