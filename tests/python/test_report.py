"""The visual report (`strata report`): one HTML file per language that opens offline, every
chart drawn from a mart's rows, every name from the translation table.

The reports are written once per module from the session's backfilled sample (conftest's
backfilled_sample: monthly layer snapshots, so the trend and the migration have data). Each figure's
JSON is read back out of the page; plotted values are compared with answers worked out here from
other marts or columns than the chart reads.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from helpers import (
    EMAIL_PATTERN,
    PHONE_PATTERN,
    PROJECT_DIR,
    MakeFolder,
    assert_one_line_error,
    offline_page,
    platform_fonts,
    query,
    run_strata,
    save_screenshot,
)
from stratalib import report as reporting
from stratalib.publish import published_path

LABELS = reporting.LABELS_FILE
FIGURE_PATTERN = re.compile(r'<script type="application/json" id="figure-([\w-]+)">(.*?)</script>', re.S)
EXPECTED_FIGURES = {
    "layer_distribution", "layer_trend", "layer_migration", "rfm_segments", "cohort_retention", "funnel-1",
    "funnel-2", "repurchase", "channels", "campaign_lift", "campaign_layer_roi", "data_quality",
}  # fmt: skip
# Label keys look like this; none may be shown instead of its text.
KEY_PATTERN = re.compile(r"^(report|section|chart|axis|series|menu|metric|dimension|breakdown|funnel|event|reason|raw_table)\.")


def label_table() -> dict[str, dict[str, str]]:
    with LABELS.open(newline="", encoding="utf-8") as handle:
        return {row["key"]: row for row in csv.DictReader(handle)}


def en_to_key(prefix: str) -> dict[str, str]:
    """English label -> value of one vocabulary (e.g. 'Champions' -> 'champions')."""
    return {row["en"]: key[len(prefix) + 1:] for key, row in label_table().items() if key.startswith(prefix + ".")}


@pytest.fixture(scope="module")
def report_dir(backfilled_sample: Path, module_temp: MakeFolder) -> Path:
    """The folder of `strata report --lang en` and `--lang zh` of the backfilled sample."""
    out = module_temp("report")
    for language in ("en", "zh"):
        completed = run_strata("report", "--lang", language, "--out", out, "--warehouse", backfilled_sample)
        assert f"report.{language}.html" in completed.stdout
    return out


@pytest.fixture(scope="module")
def reports(report_dir: Path) -> dict[str, str]:
    """language -> the HTML of the report in that language."""
    return {language: (report_dir / f"report.{language}.html").read_text(encoding="utf-8") for language in ("en", "zh")}


def figures(page: str) -> dict[str, dict]:
    """figure id -> the plotly figure (data, layout) embedded in the page."""
    return {figure_id: json.loads(text) for figure_id, text in FIGURE_PATTERN.findall(page)}


def published(warehouse: Path) -> Path:
    return published_path(warehouse)


def trace_values(trace: dict) -> list:
    """The plotted values of a trace: y of bars and lines, z of a heatmap, link values of a Sankey."""
    if trace["type"] == "sankey":
        return trace["link"]["value"]
    if trace["type"] == "heatmap":
        return [cell for row in trace["z"] for cell in row if cell is not None]
    return trace.get("x" if trace.get("orientation") == "h" else "y") or []


def texts(value: object) -> list[str]:
    """Every string of a figure's data and layout, the plotly template left out."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() if key != "template" for text in texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    return []


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_chart_is_drawn_with_data(reports: dict[str, str], language: str) -> None:
    drawn = figures(reports[language])
    assert set(drawn) == EXPECTED_FIGURES
    for figure_id, figure in drawn.items():
        assert figure["data"], figure_id
        assert any(trace_values(trace) for trace in figure["data"]), figure_id


@pytest.mark.parametrize("language", ["en", "zh"])
def test_page_opens_offline_and_holds_no_contact_data(reports: dict[str, str], language: str) -> None:
    page = reports[language]
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", page)
    assert "Plotly.newPlot" in page and "plotly.js v" in page  # the library itself is inside
    figure_json = "".join(text for _, text in FIGURE_PATTERN.findall(page))
    assert not re.search(EMAIL_PATTERN, figure_json)
    assert not re.search(PHONE_PATTERN, figure_json)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_value_is_nan_or_undefined(reports: dict[str, str], language: str) -> None:
    for figure_id, text in FIGURE_PATTERN.findall(reports[language]):
        for bad in ("NaN", "undefined", "Infinity"):
            assert bad not in text, (figure_id, bad)


def test_chinese_report_is_all_chinese(reports: dict[str, str]) -> None:
    page, table = reports["zh"], label_table()
    for key in ("report.title", "section.layers", "section.rfm", "section.retention", "section.funnels",
                "section.repurchase", "section.channels", "section.campaigns", "section.data_quality"):  # fmt: skip
        assert table[key]["zh"] in page, key
    for term in ("用户分层", "价值分层", "生命周期", "留存", "转化漏斗", "复购", "渠道", "活动效果"):
        assert term in page, term
    shown = {text for figure in figures(page).values() for text in texts(figure)}
    english_only = {row["en"] for row in table.values() if row["en"] != row["zh"]}
    assert not shown & english_only
    assert not [text for text in shown if KEY_PATTERN.match(text)]


def test_english_report_is_english(reports: dict[str, str]) -> None:
    shown = {text for figure in figures(reports["en"]).values() for text in texts(figure)}
    assert "Champions" in shown and "Value tier" in shown
    assert not [text for text in shown if re.search(r"[\u4e00-\u9fff]", text)]


# --- plotted values against the marts --------------------------------------------------------------


def test_rfm_segment_sizes_and_revenue_shares_are_the_buyers(reports: dict[str, str], backfilled_sample: Path) -> None:
    """Worked out from user_rfm (one row per buyer), not from layer_summary, which the chart reads."""
    users, revenue = figures(reports["en"])["rfm_segments"]["data"]
    segment_of = en_to_key("rfm_segment")
    expected = {
        segment: (count, share)
        for segment, count, share in query(
            published(backfilled_sample),
            "select rfm_segment, count(*), sum(revenue_amount) / (select sum(revenue_amount) from marts.user_rfm) "
            "from marts.user_rfm group by rfm_segment",
        )
    }
    plotted_users = {segment_of[name]: value for name, value in zip(users["x"], users["y"])}
    plotted_share = {segment_of[name]: value for name, value in zip(revenue["x"], revenue["y"])}
    assert plotted_users == {segment: count for segment, (count, _) in expected.items()}
    assert plotted_share == pytest.approx({segment: float(share) for segment, (_, share) in expected.items()}, abs=1e-12)


def test_layer_migration_links_add_up_to_the_latest_snapshot(reports: dict[str, str], backfilled_sample: Path) -> None:
    """The first Sankey (value_tier): its links are the users of the latest snapshot, from their layer on
    the snapshot before (user_layer_history itself)."""
    sankey = figures(reports["en"])["layer_migration"]["data"][0]
    assert sankey["visible"] is True
    tier_of = {**en_to_key("value_tier"), "(new user)": "(new user)"}
    nodes = [tier_of[label] for label in sankey["node"]["label"]]
    plotted = {
        (nodes[source], nodes[target]): users
        for source, target, users in zip(sankey["link"]["source"], sankey["link"]["target"], sankey["link"]["value"])
    }
    expected = dict(
        ((before, after), users)
        for before, after, users in query(
            published(backfilled_sample),
            """
            with dates as (select distinct as_of_date from marts.user_layer_history order by 1 desc limit 2),
            latest as (select * from marts.user_layer_history where as_of_date = (select max(as_of_date) from dates)),
            earlier as (select * from marts.user_layer_history where as_of_date = (select min(as_of_date) from dates))
            select coalesce(earlier.value_tier, '(new user)'), latest.value_tier, count(*)
            from latest left join earlier using (user_id) group by all
            """,
        )
    )
    assert plotted == expected


def test_cohort_heatmap_cells_are_active_users_over_cohort_size(reports: dict[str, str], backfilled_sample: Path) -> None:
    heatmap = figures(reports["en"])["cohort_retention"]["data"][0]
    plotted = {
        (cohort, period): cell
        for cohort, row in zip(heatmap["y"], heatmap["z"])
        for period, cell in zip(heatmap["x"], row)
        if cell is not None
    }
    expected = {
        (cohort, period): active / size
        for cohort, period, active, size in query(
            published(backfilled_sample),
            "select strftime(cohort_month, '%Y-%m'), period_number, active_users, cohort_size "
            "from marts.cohort_retention_monthly",
        )
    }
    assert plotted == pytest.approx(expected, abs=1e-12)


def test_campaign_lift_error_bars_are_the_interval(reports: dict[str, str], backfilled_sample: Path) -> None:
    bars = figures(reports["en"])["campaign_lift"]["data"][0]  # conversion rate, shown first
    rows = query(
        published(backfilled_sample),
        "select campaign_id, variant, conversion_rate_lift, conversion_rate_lift_ci_lower, conversion_rate_lift_ci_upper "
        "from marts.campaign_results where segment = 'overall' order by campaign_id, variant",
    )
    # A bar per variant: a treatment / control campaign by its id, a multi-variant one by id and variant.
    assert bars["x"] == [campaign if variant == "treatment" else f"{campaign} · {variant}" for campaign, variant, *_ in rows]
    assert len({campaign for campaign, *_ in rows}) < len(rows)  # the sample's creative test has two variants
    for lift, minus, plus, (_, _, expected_lift, lower, upper) in zip(
        bars["y"], bars["error_y"]["arrayminus"], bars["error_y"]["array"], rows
    ):
        assert lift == pytest.approx(expected_lift)
        assert (lift - minus, lift + plus) == pytest.approx((lower, upper), abs=1e-12)
        assert lower < lift < upper


def test_data_quality_bars_are_the_quarantine(reports: dict[str, str], backfilled_sample: Path) -> None:
    """Kept = read - quarantined, and every reason's bar counts the rows of marts.quarantine."""
    kept, *reasons = figures(reports["en"])["data_quality"]["data"]
    table_of, reason_of = en_to_key("raw_table"), en_to_key("reason")
    warehouse = published(backfilled_sample)
    expected_kept = dict(query(warehouse, "select source_table, max(rows_read) - sum(rows_quarantined) "
                                          "from marts.data_quality_summary group by 1"))  # fmt: skip
    assert {table_of[name]: value for name, value in zip(kept["y"], kept["x"])} == expected_kept
    plotted = {
        (table_of[name], reason_of[trace["name"]]): value
        for trace in reasons
        for name, value in zip(trace["y"], trace["x"])
        if value
    }
    expected = {(table, reason): count for table, reason, count in query(
        warehouse, "select source_table, quarantine_reason, count(*) from marts.quarantine group by all")}  # fmt: skip
    assert plotted == expected


def test_funnel_breakdowns_are_selectable(reports: dict[str, str]) -> None:
    purchase = figures(reports["zh"])["funnel-1"]
    menu = purchase["layout"]["updatemenus"][0]["buttons"]
    labels = label_table()
    assert [button["label"] for button in menu][0] == labels["breakdown.overall"]["zh"]
    assert {labels[f"breakdown.{name}"]["zh"] for name in ("platform", "acquisition_channel", "lifecycle_stage")} <= {
        button["label"] for button in menu
    }
    for button in menu:  # each choice shows its own traces and only them
        visible = button["args"][0]["visible"]
        assert len(visible) == len(purchase["data"]) and any(visible)
    assert [trace["visible"] for trace in purchase["data"]] == menu[0]["args"][0]["visible"]


# --- the translation table and the runner ----------------------------------------------------------


def test_translation_table_names_every_fixed_value() -> None:
    """Every language column is filled, and every value of the seeds and layer rules has a label,
    so the report never shows a raw key."""
    for language in reporting.languages():
        labels = reporting.Labels.load(language)
        with (PROJECT_DIR / "seeds" / "funnels.csv").open() as handle:
            for row in csv.DictReader(handle):
                labels.value("funnel", row["funnel_name"]), labels.value("event", row["event_name"])
        with (PROJECT_DIR / "seeds" / "rfm_segments.csv").open() as handle:
            for row in csv.DictReader(handle):
                labels.value("rfm_segment", row["rfm_segment"])
        with (PROJECT_DIR / "seeds" / "quarantine_reasons.csv").open() as handle:
            for row in csv.DictReader(handle):
                labels.value("reason", row["quarantine_reason"]), labels.value("raw_table", row["source_table"])
        layer_values = accepted_layer_values()
        assert len(layer_values) >= 6
        for dimension, values in layer_values.items():
            labels.value("dimension", dimension)
            for value in values:
                labels.value(dimension, value)


def accepted_layer_values() -> dict[str, list[str]]:
    """The accepted values of the layer columns of user_layer_history (its yml)."""
    models = yaml.safe_load((PROJECT_DIR / "models/marts/layering/_layering__models.yml").read_text())["models"]
    history = next(model for model in models if model["name"] == "user_layers")
    found = {}
    for column in history["columns"]:
        for test in column.get("data_tests", []):
            if isinstance(test, dict) and "accepted_values" in test and column["name"] in reporting.CLOSED_VOCABULARIES:
                found[column["name"]] = test["accepted_values"]["arguments"]["values"]
    return found


def test_a_closed_vocabulary_without_a_label_stops_the_report(tmp_path: Path) -> None:
    labels = reporting.Labels.load("zh")
    with pytest.raises(reporting.ReportError, match="rfm_segment.sleepy"):
        labels.value("rfm_segment", "sleepy")
    assert labels.value("acquisition_channel", "tv_spots") == "tv_spots"  # open: the data value
    assert labels.value("acquisition_channel", "organic") == "自然流量"
    assert labels.value("platform", None) == "(无)"


def test_adding_a_language_is_adding_a_column(tmp_path: Path) -> None:
    rows = list(csv.DictReader(LABELS.open(newline="", encoding="utf-8")))
    extended = tmp_path / "labels.csv"
    with extended.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["key", "en", "zh", "fr"])
        writer.writeheader()
        writer.writerows({**row, "fr": "fr:" + row["en"]} for row in rows)
    assert reporting.languages(extended) == ["en", "zh", "fr"]
    assert reporting.Labels.load("fr", extended).value("rfm_segment", "champions") == "fr:Champions"
    rows[3]["zh"] = ""
    with extended.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["key", "en", "zh"])
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(reporting.ReportError, match="line 5"):
        reporting.Labels.load("en", extended)


def test_charts_read_only_marts_the_exposure_names() -> None:
    """Every mart a chart reads is in the visual_report exposure (the lineage)."""
    exposures = yaml.safe_load((PROJECT_DIR / "models/marts/layering/_layering__exposures.yml").read_text())
    exposure = next(item for item in exposures["exposures"] if item["name"] == "visual_report")
    named = {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in exposure["depends_on"]}
    assert {mart for chart in reporting.CHARTS for mart in chart.marts} == named


class RecordingConnection:
    """A DuckDB connection that keeps every SQL statement run through it."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection, self.statements = connection, []

    def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
        self.statements.append(sql)
        return self.connection.execute(sql, *args)


def test_charts_query_nothing_but_mart_rows(backfilled_sample: Path) -> None:
    """The report's only SQL: all columns of one mart, at most filtered and ordered; no function,
    aggregate or sub-query (nothing in parentheses)."""
    with duckdb.connect(str(published(backfilled_sample)), read_only=True) as connection:
        recording = RecordingConnection(connection)
        reporting.draw_charts(recording, reporting.Labels.load("en"))
    assert len(recording.statements) >= len(reporting.CHARTS)
    shape = re.compile(r'select \* from marts\."\w+"( where [^()]+)?( order by [\w, ]+)?')
    for statement in recording.statements:
        assert shape.fullmatch(statement), statement


def test_unknown_language_and_missing_file_are_one_line_errors(tmp_path: Path, backfilled_sample: Path) -> None:
    completed = run_strata("report", "--lang", "fr", "--out", tmp_path, "--warehouse", backfilled_sample, check=False)
    assert_one_line_error(completed, "--lang fr", "en, zh")
    completed = run_strata("report", "--out", tmp_path, "--warehouse", tmp_path / "none.duckdb", check=False)
    assert_one_line_error(completed, "no published file")
    (tmp_path / "analytics.duckdb").write_text("these are my notes, not a database\n")
    completed = run_strata("report", "--out", tmp_path, "--warehouse", tmp_path / "strata.duckdb", check=False)
    assert_one_line_error(completed, "cannot read the published file")
    assert not list(tmp_path.glob("*.html"))


# --- in a browser --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_report_renders_every_chart_in_a_browser_offline(
    report_dir: Path, browser: object, backfilled_sample: Path, language: str
) -> None:
    """Headless Chromium with the network cut: every chart is drawn (plotly's SVG in its div), no
    console error, no "undefined" or "NaN" on the page, the RFM bars plotly drew are user_rfm's
    counts, and Chinese labels are drawn with a CJK font. Screenshots go to the target path."""
    with offline_page(browser, (report_dir / f"report.{language}.html").as_uri(), height=1200) as opened:
        page = opened.page
        drawn = page.eval_on_selector_all(
            "div.figure", "divs => divs.map(div => [div.id, div.querySelectorAll('svg.main-svg').length])"
        )
        assert {plot_id.removeprefix("plot-") for plot_id, _ in drawn} == EXPECTED_FIGURES
        assert all(svgs > 0 for _, svgs in drawn), drawn
        assert opened.problems() == []
        text = page.inner_text("body")
        assert "undefined" not in text and "NaN" not in text
        # What plotly holds for the RFM chart after drawing it (the div's data), not the page's JSON.
        names, sizes = page.evaluate("() => [document.getElementById('plot-rfm_segments').data[0].x, "
                                     "document.getElementById('plot-rfm_segments').data[0].y]")  # fmt: skip
        counts = dict(query(published(backfilled_sample), "select rfm_segment, count(*) from marts.user_rfm group by 1"))
        segment_of = {row[language]: key.removeprefix("rfm_segment.") for key, row in label_table().items()
                      if key.startswith("rfm_segment.")}  # fmt: skip
        assert {segment_of[name]: size for name, size in zip(names, sizes)} == counts
        if language == "zh":
            fonts = platform_fonts(page, "h1")
            assert fonts and all("CJK" in font for font in fonts), fonts
        save_screenshot(page, f"report_{language}")
