"""`strata report`: the visual report, one static HTML file per language that opens offline.

The report reads the published file (`analytics.duckdb` beside the warehouse, see
stratalib.publish) like a BI tool would, and draws every figure from the rows of a mart as they
are: `select * from marts.<mart>`, at most filtered and ordered (MartReader). No figure is
computed here; a chart that needs another shape gets a mart. Each chart is one small function of
CHARTS, which names the marts it reads (checked when it runs; the exposure `visual_report` lists
them for the lineage).

Every title, axis label and layer, segment, funnel or reason name comes from one translation
table, `report_labels.csv` beside this module (columns `key` and one per language): adding a
language is adding a column. Fixed vocabularies (layers, segments, funnels, steps, reasons, ...)
must have a label, or the report stops naming the missing key; open ones read from the data
(channels, platforms, categories, UTM values, campaign ids) use a label when there is one and
the value itself otherwise.

The plotly.js library is written into the page (no CDN), and each figure's JSON sits in a
`<script type="application/json" id="figure-<chart>">` element that a short script draws.
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from stratalib.dbt_invoke import PROJECT_DIR
from stratalib.fingerprint import quote_identifier
from stratalib.publish import first_line, published_path

LABELS_FILE = Path(__file__).with_name("report_labels.csv")
DEFAULT_OUT_DIR = PROJECT_DIR / "target" / "report"
# Vocabularies that must be translated: the report stops when a value has no label.
CLOSED_VOCABULARIES = frozenset({
    "dimension", "value_tier", "engagement_tier", "spend_band", "lifecycle_stage", "behaviour_tier",
    "churn_risk", "rfm_segment", "funnel", "event", "breakdown", "raw_table", "reason",
})  # fmt: skip
# layer_migrations.from_layer of the users who were not in the earlier snapshot.
NEW_USER = "(new user)"
FONT_FAMILY = "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"
Row = dict[str, Any]


class ReportError(Exception):
    """The report cannot be written (no published file, a missing mart or label): exit 2."""


# --- labels -----------------------------------------------------------------------------------------


def read_label_table(path: Path = LABELS_FILE) -> tuple[list[str], dict[str, dict[str, str]]]:
    """The languages (columns after `key`) and key -> {language: text}; every cell filled, keys unique."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        languages = [column for column in reader.fieldnames or [] if column != "key"]
        table: dict[str, dict[str, str]] = {}
        for line_number, row in enumerate(reader, start=2):
            key = row["key"]
            if key in table:
                raise ReportError(f"{path.name} line {line_number}: key {key} appears twice")
            missing = [language for language in languages if not (row.get(language) or "").strip()]
            if missing:
                raise ReportError(f"{path.name} line {line_number}: key {key} has no {', '.join(missing)} text")
            table[key] = {language: row[language] for language in languages}
    return languages, table


def languages(path: Path = LABELS_FILE) -> list[str]:
    """The languages of the translation table (its columns after `key`)."""
    return read_label_table(path)[0]


@dataclass(frozen=True)
class Labels:
    """The texts of one language of the translation table."""

    language: str
    table: dict[str, dict[str, str]]

    @classmethod
    def load(cls, language: str, path: Path = LABELS_FILE) -> Labels:
        known, table = read_label_table(path)
        if language not in known:
            raise ReportError(f"--lang {language}: {path.name} has the languages {', '.join(known)}")
        return cls(language, table)

    def text(self, key: str, **fields: object) -> str:
        """The text of `key`, its {placeholders} filled; a missing key stops the report."""
        if key not in self.table:
            raise ReportError(f"no label {key!r} in {LABELS_FILE.name}: add a row for it")
        return self.table[key][self.language].format(**fields)

    def value(self, vocabulary: str, value: object) -> str:
        """The label of a value of a vocabulary (a layer of a dimension, a funnel, a reason, ...):
        key `<vocabulary>.<value>`, else the shared `value.<value>` ('overall', '(none)'); an open
        vocabulary falls back to the value itself."""
        shown = "(none)" if value is None else str(value)
        for key in (f"{vocabulary}.{shown}", f"value.{shown}"):
            if key in self.table:
                return self.table[key][self.language]
        if vocabulary in CLOSED_VOCABULARIES:
            raise ReportError(f"no label {vocabulary}.{shown} in {LABELS_FILE.name}: add a row for it")
        return shown

    def layer(self, value: str) -> str:
        """A target layer of a campaign (any dimension's layer): the first dimension that has it."""
        for dimension in self.order("dimension"):
            if f"{dimension}.{value}" in self.table:
                return self.value(dimension, value)
        return value

    def order(self, vocabulary: str) -> list[str]:
        """The values of a vocabulary in the order of the translation table (the display order)."""
        prefix = f"{vocabulary}."
        return [key[len(prefix):] for key in self.table if key.startswith(prefix)]

    def sort(self, vocabulary: str, values: Iterable[str]) -> list[str]:
        """Distinct values in the table's order, values it lacks after them alphabetically."""
        known = self.order(vocabulary)
        return sorted(set(values), key=lambda value: (known.index(value) if value in known else len(known), value))


# --- reading marts ----------------------------------------------------------------------------------


class MartReader:
    """Rows of the marts a chart declared, as they are: `select * from marts.<mart>`, optionally
    filtered and ordered. Nothing else is queried."""

    def __init__(self, connection: Any, marts: tuple[str, ...]) -> None:
        self.connection = connection
        self.marts = marts

    def rows(self, mart: str, where: str = "", order_by: str = "") -> list[Row]:
        import duckdb

        if mart not in self.marts:
            raise AssertionError(f"a chart reads {mart}, which it does not declare in CHARTS")
        sql = f"select * from marts.{quote_identifier(mart)}"
        sql += f" where {where}" if where else ""
        sql += f" order by {order_by}" if order_by else ""
        try:
            result = self.connection.execute(sql)
        except duckdb.CatalogException as error:
            raise ReportError(f"the published file has no mart {mart}: run `strata build` again") from error
        columns = [column[0] for column in result.description]
        return [dict(zip(columns, row)) for row in result.fetchall()]


def number(value: Any) -> float | None:
    """A mart value as a float for plotting (decimals included); null stays None."""
    return None if value is None else float(value)


def month(value: date) -> str:
    return value.strftime("%Y-%m")


def latest_snapshot(rows: list[Row], column: str = "as_of_date") -> list[Row]:
    """The rows of the latest date of `column` (a filter)."""
    latest = max((row[column] for row in rows), default=None)
    return [row for row in rows if row[column] == latest]


# --- figure helpers ---------------------------------------------------------------------------------


def styled(figure: go.Figure, title: str, x_title: str = "", y_title: str = "") -> go.Figure:
    figure.update_layout(
        title={"text": title}, template="plotly_white", font={"family": FONT_FAMILY},
        legend={"orientation": "h", "y": -0.2}, margin={"t": 100}, height=480, modebar={"orientation": "v"},
    )  # fmt: skip
    if x_title:
        figure.update_xaxes(title_text=x_title)
    if y_title:
        figure.update_yaxes(title_text=y_title)
    return figure


def dropdown(
    figure: go.Figure, title: str, options: list[tuple[str, list[bool]]], layouts: list[dict] | None = None
) -> None:
    """A menu showing one group of traces at a time: (label, visibility of every trace), and with
    `layouts` the layout changes of each choice (e.g. the y axis title)."""
    buttons = [{"label": label, "method": "update", "args": [{"visible": visible}]} for label, visible in options]
    for button, layout in zip(buttons, layouts or []):
        button["args"].append(layout)
    figure.update_layout(
        updatemenus=[{"buttons": buttons, "x": 1, "xanchor": "right", "y": 1.16, "yanchor": "bottom", "active": 0}],
        annotations=[{"text": title, "x": 1, "xref": "paper", "y": 1.25, "yref": "paper", "showarrow": False,
                      "xanchor": "right", "yanchor": "bottom"}],
    )  # fmt: skip


def groups_visibility(groups: list[str]) -> list[tuple[str, list[bool]]]:
    """For traces tagged by group (in trace order): each distinct group and the traces it shows."""
    distinct = list(dict.fromkeys(groups))
    return [(group, [tag == group for tag in groups]) for group in distinct]


def show_first_group(figure: go.Figure, groups: list[str]) -> None:
    for trace, group in zip(figure.data, groups):
        trace.visible = group == groups[0]


# --- charts: one function each, reading only the marts CHARTS names for it ----------------------------


def layer_distribution(marts: MartReader, labels: Labels) -> go.Figure:
    """Users per layer of each dimension at the latest snapshot (layer_summary); a menu per dimension."""
    rows = latest_snapshot(marts.rows("layer_summary", order_by="dimension, layer"))
    figure, groups = go.Figure(), []
    for dimension in labels.sort("dimension", (row["dimension"] for row in rows)):
        by_layer = {row["layer"]: row for row in rows if row["dimension"] == dimension}
        layers = labels.sort(dimension, by_layer)
        figure.add_bar(
            x=[labels.value(dimension, layer) for layer in layers], y=[by_layer[layer]["users"] for layer in layers],
            customdata=[number(by_layer[layer]["share_of_users"]) for layer in layers],
            hovertemplate="%{x}: %{y} (%{customdata:.1%})<extra></extra>", name=labels.text("series.users"),
        )  # fmt: skip
        groups.append(labels.value("dimension", dimension))
    show_first_group(figure, groups)
    dropdown(figure, labels.text("menu.dimension"), groups_visibility(groups))
    return styled(figure, labels.text("chart.layer_distribution"), labels.text("axis.layer"), labels.text("axis.users"))


def layer_trend(marts: MartReader, labels: Labels) -> go.Figure:
    """Share of users per layer over the snapshots of user_layer_history (layer_summary), stacked."""
    rows = marts.rows("layer_summary", order_by="dimension, as_of_date, layer")
    figure, groups = go.Figure(), []
    for dimension in labels.sort("dimension", (row["dimension"] for row in rows)):
        of_dimension = [row for row in rows if row["dimension"] == dimension]
        for layer in labels.sort(dimension, (row["layer"] for row in of_dimension)):
            points = [row for row in of_dimension if row["layer"] == layer]
            figure.add_bar(
                x=[row["as_of_date"].isoformat() for row in points],
                y=[number(row["share_of_users"]) for row in points],
                name=labels.value(dimension, layer), hovertemplate="%{x}: %{y:.1%}",
            )  # fmt: skip
            groups.append(labels.value("dimension", dimension))
    show_first_group(figure, groups)
    dropdown(figure, labels.text("menu.dimension"), groups_visibility(groups))
    figure.update_layout(barmode="stack", yaxis_tickformat=".0%")
    figure.update_xaxes(type="category")
    return styled(
        figure, labels.text("chart.layer_trend"), labels.text("axis.snapshot_date"), labels.text("axis.share_of_users")
    )


def layer_migration(marts: MartReader, labels: Labels) -> go.Figure:
    """Sankey of layer_migrations between the last two snapshots; a menu per dimension."""
    rows = latest_snapshot(marts.rows("layer_migrations", order_by="dimension, from_layer, to_layer"), "to_date")
    figure, groups = go.Figure(), []
    for dimension in labels.sort("dimension", (row["dimension"] for row in rows)):
        links = [row for row in rows if row["dimension"] == dimension]
        sources = labels.sort(dimension, (row["from_layer"] for row in links))
        sources.sort(key=lambda layer: layer != NEW_USER)  # new users first
        targets = labels.sort(dimension, (row["to_layer"] for row in links))
        figure.add_sankey(
            node={"label": [labels.value(dimension, layer) for layer in sources + targets], "pad": 12},
            link={
                "source": [sources.index(row["from_layer"]) for row in links],
                "target": [len(sources) + targets.index(row["to_layer"]) for row in links],
                "value": [row["users"] for row in links],
            },
        )
        groups.append(labels.value("dimension", dimension))
    show_first_group(figure, groups)
    dropdown(figure, labels.text("menu.dimension"), groups_visibility(groups))
    dates = {"from_date": rows[0]["from_date"].isoformat(), "to_date": rows[0]["to_date"].isoformat()} if rows else {}
    title = labels.text("chart.layer_migration", **dates) if rows else labels.text("section.migration")
    return styled(figure, title)


def rfm_segments(marts: MartReader, labels: Labels) -> go.Figure:
    """Buyers and share of revenue of each RFM segment at the latest snapshot (layer_summary; the
    non-buyers' no_purchase is no segment)."""
    rows = latest_snapshot(
        marts.rows("layer_summary", where="dimension = 'rfm_segment' and layer <> 'no_purchase'", order_by="layer")
    )
    by_segment = {row["layer"]: row for row in rows}
    segments = labels.sort("rfm_segment", by_segment)
    names = [labels.value("rfm_segment", segment) for segment in segments]
    titles = [labels.text("series.users"), labels.text("series.share_of_revenue")]
    figure = make_subplots(rows=1, cols=2, subplot_titles=titles)
    figure.add_bar(x=names, y=[by_segment[segment]["users"] for segment in segments],
                   name=labels.text("series.users"), row=1, col=1)  # fmt: skip
    figure.add_bar(x=names, y=[number(by_segment[segment]["share_of_revenue"]) for segment in segments],
                   name=labels.text("series.share_of_revenue"), row=1, col=2)  # fmt: skip
    figure.update_yaxes(title_text=labels.text("axis.users"), row=1, col=1)
    figure.update_yaxes(title_text=labels.text("axis.share_of_revenue"), tickformat=".0%", row=1, col=2)
    figure.update_xaxes(title_text=labels.text("axis.segment"))
    figure.update_layout(showlegend=False)
    return styled(figure, labels.text("chart.rfm_segments"))


def cohort_retention(marts: MartReader, labels: Labels) -> go.Figure:
    """Heatmap of cohort_retention_monthly: cohort month x months since the first order."""
    rows = marts.rows("cohort_retention_monthly", order_by="cohort_month, period_number")
    cohorts = sorted({row["cohort_month"] for row in rows})
    periods = sorted({row["period_number"] for row in rows})
    rate = {(row["cohort_month"], row["period_number"]): number(row["retention_rate"]) for row in rows}
    z = [[rate.get((cohort, period)) for period in periods] for cohort in cohorts]
    figure = go.Figure(go.Heatmap(
        x=periods, y=[month(cohort) for cohort in cohorts], z=z, colorscale="Blues", zmin=0, zmax=1,
        colorbar={"title": {"text": labels.text("axis.retention_rate")}, "tickformat": ".0%"},
        texttemplate="%{z:.0%}", hovertemplate="%{y} +%{x}: %{z:.1%}<extra></extra>",
    ))  # fmt: skip
    figure.update_yaxes(autorange="reversed", type="category")
    return styled(
        figure, labels.text("chart.cohort_retention"),
        labels.text("axis.months_since_first_order"), labels.text("axis.cohort_month"),
    )  # fmt: skip


def funnel_figure(rows: list[Row], funnel: str, labels: Labels) -> go.Figure:
    """One funnel of funnel_conversion as bars per step, a trace per breakdown value; a menu per breakdown."""
    figure, groups = go.Figure(), []
    breakdowns = labels.sort("breakdown", (row["breakdown"] for row in rows))
    for breakdown in breakdowns:
        of_breakdown = [row for row in rows if row["breakdown"] == breakdown]
        for value in sorted({row["breakdown_value"] for row in of_breakdown}):
            steps = [row for row in of_breakdown if row["breakdown_value"] == value]
            figure.add_bar(
                x=[f"{row['step_number']}. {labels.value('event', row['event_name'])}" for row in steps],
                y=[row["users"] for row in steps], customdata=[number(row["conversion_from_start"]) for row in steps],
                name=labels.value(breakdown, value),
                hovertemplate=f"%{{x}}: %{{y}} ({labels.text('series.conversion_from_start')} %{{customdata:.1%}})",
            )  # fmt: skip
            groups.append(labels.value("breakdown", breakdown))
    show_first_group(figure, groups)
    dropdown(figure, labels.text("menu.breakdown"), groups_visibility(groups))
    title = labels.text("chart.funnel", funnel=labels.value("funnel", funnel))
    return styled(figure, title, labels.text("axis.funnel_step"), labels.text("axis.users"))


def funnels(marts: MartReader, labels: Labels) -> list[go.Figure]:
    """A figure per funnel of the funnels seed (funnel_conversion)."""
    rows = marts.rows("funnel_conversion", order_by="funnel_name, breakdown, breakdown_value, step_number")
    names = sorted({row["funnel_name"] for row in rows})
    return [funnel_figure([row for row in rows if row["funnel_name"] == name], name, labels) for name in names]


def repurchase(marts: MartReader, labels: Labels) -> go.Figure:
    """New and old customers per month (bars) and their repurchase rates (lines), repurchase_monthly."""
    rows = marts.rows("repurchase_monthly", order_by="order_month")
    months = [month(row["order_month"]) for row in rows]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    for column in ("new_customers", "old_customers"):
        figure.add_bar(x=months, y=[row[column] for row in rows], name=labels.text(f"series.{column}"),
                       secondary_y=False)  # fmt: skip
    for column in ("new_customer_repurchase_rate", "old_customer_multi_order_rate"):
        figure.add_scatter(x=months, y=[number(row[column]) for row in rows], name=labels.text(f"series.{column}"),
                           mode="lines+markers", secondary_y=True)  # fmt: skip
    figure.update_yaxes(title_text=labels.text("axis.customers"), secondary_y=False)
    figure.update_yaxes(title_text=labels.text("axis.rate"), tickformat=".0%", secondary_y=True, rangemode="tozero")
    figure.update_xaxes(title_text=labels.text("axis.month"), type="category")
    return styled(figure, labels.text("chart.repurchase"))


def channels(marts: MartReader, labels: Labels) -> go.Figure:
    """CAC and ROAS per month of each paid channel and campaign (channel_performance); a menu per metric.
    ROAS only for the months whose revenue window is complete."""
    rows = marts.rows(
        "channel_performance", where="spend_amount > 0",
        order_by="acquisition_channel, acquisition_campaign, month_date",
    )  # fmt: skip
    pair = lambda row: (row["acquisition_channel"], row["acquisition_campaign"])  # noqa: E731
    pairs = list(dict.fromkeys(pair(row) for row in rows))
    figure, groups = go.Figure(), []
    for metric, column in (("cac", "cac_amount"), ("roas", "roas")):
        for channel, campaign in pairs:
            shown = [row for row in rows if pair(row) == (channel, campaign)
                     and (metric == "cac" or row["is_revenue_window_complete"])]  # fmt: skip
            figure.add_scatter(
                x=[month(row["month_date"]) for row in shown], y=[number(row[column]) for row in shown],
                name=" · ".join((labels.value("acquisition_channel", channel),
                                 labels.value("acquisition_campaign", campaign))),
                mode="lines+markers",
            )  # fmt: skip
            groups.append(metric)
    show_first_group(figure, groups)
    options = [(labels.text(f"metric.{metric}"), visible) for metric, visible in groups_visibility(groups)]
    axis_titles = [{"yaxis.title.text": labels.text(f"axis.{column}")} for column in ("cac_amount", "roas")]
    dropdown(figure, labels.text("menu.metric"), options, layouts=axis_titles)
    figure.update_xaxes(type="category")
    return styled(figure, labels.text("chart.channels"), labels.text("axis.month"), labels.text("axis.cac_amount"))


def error_bars(rows: list[Row], metric: str) -> dict[str, Any]:
    """plotly error_y of a lift column of campaign_results: its interval ends as distances from it."""
    columns = (f"{metric}_lift", f"{metric}_lift_ci_lower", f"{metric}_lift_ci_upper")
    lifts = [tuple(number(row[column]) for column in columns) for row in rows]
    return {
        "type": "data", "symmetric": False,
        "array": [None if None in (lift, upper) else upper - lift for lift, _, upper in lifts],
        "arrayminus": [None if None in (lift, lower) else lift - lower for lift, lower, _ in lifts],
    }  # fmt: skip


def test_arm(row: Row) -> str:
    """A campaign's variant as a bar: the campaign id, and the variant's name when it has several."""
    return row["campaign_id"] if row["variant"] == "treatment" else f"{row['campaign_id']} · {row['variant']}"


def campaign_lift(marts: MartReader, labels: Labels) -> go.Figure:
    """Absolute lift of each campaign (segment overall of campaign_results) with its interval; a menu
    per metric (conversion rate, orders per user, revenue per user)."""
    rows = marts.rows("campaign_results", where="segment = 'overall'", order_by="campaign_id, variant")
    figure, groups = go.Figure(), []
    for metric in ("conversion_rate", "orders_per_user", "revenue_per_user"):
        figure.add_bar(
            x=[test_arm(row) for row in rows], y=[number(row[f"{metric}_lift"]) for row in rows],
            error_y=error_bars(rows, metric), name=labels.text(f"metric.{metric}"),
        )  # fmt: skip
        groups.append(labels.text(f"metric.{metric}"))
    show_first_group(figure, groups)
    dropdown(figure, labels.text("menu.metric"), groups_visibility(groups))
    return styled(figure, labels.text("chart.campaign_lift"), labels.text("axis.campaign"), labels.text("axis.lift"))


def campaign_layer_roi(marts: MartReader, labels: Labels) -> go.Figure:
    """ROI of each campaign variant per layer the users were in before the send (campaign_layer_roi),
    a trace per campaign variant."""
    rows = marts.rows("campaign_layer_roi", order_by="campaign_id, variant, layer")
    figure = go.Figure()
    for arm in dict.fromkeys(test_arm(row) for row in rows):
        of_arm = [row for row in rows if test_arm(row) == arm]
        figure.add_bar(
            x=[labels.layer(row["layer"]) for row in of_arm], y=[number(row["roi"]) for row in of_arm], name=arm,
        )  # fmt: skip
    return styled(figure, labels.text("chart.campaign_layer_roi"), labels.text("axis.layer"), labels.text("axis.roi"))


def data_quality(marts: MartReader, labels: Labels) -> go.Figure:
    """Rows kept per raw table (left) and rows quarantined per reason (right, stacked), from
    data_quality_summary; rows read = kept + quarantined."""
    rows = marts.rows("data_quality_summary", order_by="source_table, quarantine_reason")
    tables = labels.sort("raw_table", (row["source_table"] for row in rows))
    kept = {row["source_table"]: row["rows_kept"] for row in rows}
    names = [labels.value("raw_table", table) for table in tables]
    titles = [labels.text("series.rows_kept"), labels.text("series.rows_quarantined")]
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.03, subplot_titles=titles)
    figure.add_bar(y=names, x=[kept[table] for table in tables], orientation="h", name=labels.text("series.rows_kept"),
                   row=1, col=1)  # fmt: skip
    quarantined = [row for row in rows if row["rows_quarantined"] > 0]
    for reason in labels.sort("reason", (row["quarantine_reason"] for row in quarantined)):
        count = {row["source_table"]: row["rows_quarantined"]
                 for row in quarantined if row["quarantine_reason"] == reason}  # fmt: skip
        figure.add_bar(y=names, x=[count.get(table, 0) for table in tables], orientation="h",
                       name=labels.value("reason", reason), row=1, col=2)  # fmt: skip
    figure.update_layout(barmode="stack", height=620)
    figure.update_yaxes(title_text=labels.text("axis.raw_table"), row=1, col=1)
    figure.update_xaxes(title_text=labels.text("axis.rows"))
    return styled(figure, labels.text("chart.data_quality"))


@dataclass(frozen=True)
class Chart:
    """One chart of the report: its id, section, the marts it reads and the function drawing it
    (a figure, or a list of figures such as one per funnel)."""

    name: str
    section: str
    marts: tuple[str, ...]
    draw: Callable[[MartReader, Labels], go.Figure | list[go.Figure]]


CHARTS = (
    Chart("layer_distribution", "layers", ("layer_summary",), layer_distribution),
    Chart("layer_trend", "layers", ("layer_summary",), layer_trend),
    Chart("layer_migration", "migration", ("layer_migrations",), layer_migration),
    Chart("rfm_segments", "rfm", ("layer_summary",), rfm_segments),
    Chart("cohort_retention", "retention", ("cohort_retention_monthly",), cohort_retention),
    Chart("funnel", "funnels", ("funnel_conversion",), funnels),
    Chart("repurchase", "repurchase", ("repurchase_monthly",), repurchase),
    Chart("channels", "channels", ("channel_performance",), channels),
    Chart("campaign_lift", "campaigns", ("campaign_results",), campaign_lift),
    Chart("campaign_layer_roi", "campaigns", ("campaign_layer_roi",), campaign_layer_roi),
    Chart("data_quality", "data_quality", ("data_quality_summary",), data_quality),
)


# --- the page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawn:
    """A drawn figure: its element id (`figure-<id>`), its section and its figure."""

    figure_id: str
    section: str
    figure: go.Figure


def draw_charts(connection: Any, labels: Labels) -> list[Drawn]:
    """Every chart of CHARTS, each reading only its own marts."""
    drawn = []
    for chart in CHARTS:
        figures = chart.draw(MartReader(connection, chart.marts), labels)
        if isinstance(figures, go.Figure):
            drawn.append(Drawn(chart.name, chart.section, figures))
        else:
            drawn += [Drawn(f"{chart.name}-{index + 1}", chart.section, figure) for index, figure in enumerate(figures)]
    for item in drawn:
        if not item.figure.data:
            item.figure.add_annotation(text=labels.text("report.empty"), showarrow=False, x=0.5, y=0.5,
                                       xref="paper", yref="paper")  # fmt: skip
    return drawn


def figure_json(figure: go.Figure) -> str:
    """The figure as JSON safe inside a <script> element, its text as UTF-8 (readable in the file)."""
    return json.dumps(json.loads(figure.to_json()), ensure_ascii=False).replace("</", "<\\/")


PAGE = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: {font}; margin: 0 auto; max-width: 1200px; padding: 1rem 2rem; color: #222; }}
h1 {{ margin-bottom: 0.2rem; }} h2 {{ margin-top: 2.5rem; border-bottom: 1px solid #ddd; }}
nav a {{ margin-right: 1rem; }} .figure {{ min-height: 480px; }}
</style>
<script>{plotly_js}</script>
</head>
<body>
<h1>{title}</h1>
<p>{subtitle}</p>
<nav>{navigation}</nav>
{sections}
<script>
document.querySelectorAll("script[type='application/json'][id^='figure-']").forEach(function (data) {{
  var spec = JSON.parse(data.textContent);
  var target = document.getElementById(data.id.replace(/^figure-/, "plot-"));
  Plotly.newPlot(target, spec.data, spec.layout, {{responsive: true, displaylogo: false}});
}});
</script>
</body>
</html>
"""


def render_page(drawn: list[Drawn], labels: Labels, as_of: str) -> str:
    """The whole HTML page: plotly.js inline, a section per report section, a figure per chart."""
    from plotly.offline import get_plotlyjs

    sections = []
    for section in dict.fromkeys(item.section for item in drawn):
        figures = "\n".join(
            f'<div class="figure" id="plot-{item.figure_id}"></div>\n'
            f'<script type="application/json" id="figure-{item.figure_id}">{figure_json(item.figure)}</script>'
            for item in drawn if item.section == section
        )  # fmt: skip
        heading = html.escape(labels.text(f"section.{section}"))
        sections.append(f'<section id="{section}">\n<h2>{heading}</h2>\n{figures}\n</section>')
    navigation = " ".join(
        f'<a href="#{section}">{html.escape(labels.text(f"section.{section}"))}</a>'
        for section in dict.fromkeys(item.section for item in drawn)
    )
    return PAGE.format(
        language=labels.language, title=html.escape(labels.text("report.title")), font=FONT_FAMILY,
        plotly_js=get_plotlyjs(), subtitle=html.escape(labels.text("report.subtitle", as_of=as_of)),
        navigation=navigation, sections="\n".join(sections),
    )  # fmt: skip


def report_path(out_dir: Path, language: str) -> Path:
    """The report file of a language: `report.<language>.html` in the output folder."""
    return out_dir / f"report.{language}.html"


def write_report(warehouse: Path, language: str, out_dir: Path) -> Path:
    """Draw every chart from the published file of `warehouse` and write the page of `language`
    (through a temporary name, so a reader never sees half a file); return its path."""
    import duckdb

    labels = Labels.load(language)
    source = published_path(warehouse)
    if not source.is_file():
        raise ReportError(f"no published file {source} (run `strata build` or `strata publish` first)")
    try:
        with duckdb.connect(str(source), read_only=True) as connection:
            drawn = draw_charts(connection, labels)
            as_of = snapshot_date(connection)
    except duckdb.Error as error:
        raise ReportError(f"cannot read the published file {source}: {first_line(error)}") from error
    page = render_page(drawn, labels, as_of)
    target = report_path(out_dir, language)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.tmp")
    partial.write_text(page, encoding="utf-8")
    partial.replace(target)
    return target


def snapshot_date(connection: Any) -> str:
    """The latest layer snapshot date (the date the layer charts describe), for the page header."""
    rows = latest_snapshot(MartReader(connection, ("layer_summary",)).rows("layer_summary", order_by="as_of_date desc"))
    return rows[0]["as_of_date"].isoformat() if rows else "-"
