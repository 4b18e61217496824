"""The docs open anywhere: the Great Expectations data docs and dbt's static docs render in headless
Chromium with the network cut (every request but file:// aborted), with no console error and no
failed request; Chinese text is drawn with a CJK font, not as boxes. Screenshots go to the
`screenshots/` folder of dbt's target path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers import BuiltSample, MakeFolder, copy_warehouse, offline_page, platform_fonts, run_strata, save_screenshot
from stratalib.dbt_invoke import dbt_target_dir
from stratalib.offline_docs import CDN_FILES, VENDOR_DIR, external_assets

# The suite whose pages are opened (expectations/user_rfm.json).
SUITE = "user_rfm"


@dataclass(frozen=True)
class Docs:
    """The data docs folder and the dbt static docs file written from one warehouse."""

    data_docs: Path
    static_docs: Path


@pytest.fixture(scope="module")
def docs(dirty_sample: BuiltSample, module_temp: MakeFolder) -> Docs:
    """`strata check` and `strata docs` on a copy of the shared sample, as `make build` runs them."""
    root = module_temp("offline_docs")
    warehouse = copy_warehouse(dirty_sample.warehouse, root)
    checked = run_strata("check", "--warehouse", warehouse, "--docs-dir", root / "ge_docs")
    assert checked.returncode in (0, 1), checked.stdout[-4000:] + checked.stderr[-2000:]
    run_strata("docs", "--warehouse", warehouse, check=True)
    return Docs(root / "ge_docs", dbt_target_dir() / "static_index.html")


def suite_names(data_docs: Path) -> list[str]:
    return sorted(page.stem for page in (data_docs / "expectations").glob("*.html"))


def evaluate(opened: Any, script: str) -> Any:
    return opened.page.evaluate(script)


# Bootstrap's stylesheet loaded: GE's page container has Bootstrap's pl-5 class (3rem).
CONTAINER_PADDING = "() => getComputedStyle(document.querySelector('.container-fluid')).paddingLeft"
# Font Awesome's stylesheet and its web font loaded (the validation page's status icons).
ICON_FONT_LOADED = (
    "() => [...document.fonts].some(face => face.family.includes('Font Awesome') && face.status === 'loaded')"
)


def test_data_docs_load_no_script_or_stylesheet_from_another_host(docs: Docs) -> None:
    pages = sorted(docs.data_docs.rglob("*.html"))
    assert len(pages) >= 3, pages
    external = {str(page.relative_to(docs.data_docs)): external_assets(page) for page in pages}
    assert {page: urls for page, urls in external.items() if urls} == {}
    for path in CDN_FILES.values():
        assert (docs.data_docs / VENDOR_DIR / path).stat().st_size > 0, path


def test_data_docs_index_renders_offline(browser: Any, docs: Docs) -> None:
    with offline_page(browser, (docs.data_docs / "index.html").as_uri()) as opened:
        save_screenshot(opened.page, "ge_docs_index")
        assert opened.problems() == []
        assert evaluate(opened, CONTAINER_PADDING) == "48px"
        # bootstrap-table fills the tables from JavaScript: a row per validated suite.
        rows = opened.page.locator("#Validation-Results table tbody tr")
        assert rows.count() == len(suite_names(docs.data_docs)) > 0
        shown = opened.page.locator("#Validation-Results table tbody").inner_text()
        assert all(name in shown for name in suite_names(docs.data_docs)), shown


def test_data_docs_suite_and_validation_pages_render_offline(browser: Any, docs: Docs) -> None:
    suite_page = docs.data_docs / "expectations" / f"{SUITE}.html"
    (validation_page,) = docs.data_docs.glob(f"validations/{SUITE}/*/*/*.html")
    for name, page in (("ge_docs_suite", suite_page), ("ge_docs_validation", validation_page)):
        with offline_page(browser, page.as_uri()) as opened:
            save_screenshot(opened.page, name)
            assert opened.problems() == [], name
            assert evaluate(opened, CONTAINER_PADDING) == "48px", name
            assert "r_score" in opened.page.locator("body").inner_text(), name
            if page == validation_page:
                assert evaluate(opened, ICON_FONT_LOADED)


# dbt's docs app names two URLs that are templates it has not filled: its tree icons'
# <use xlink:href="{{ getIcon(...) }}"> (drawn once Angular fills them in) and its favicon,
# href="${require(...)}" (a placeholder of its own build). From a file:// page Chromium logs each
# as an error; they are dbt's, not a missing file or a network request, and are left out.
UNFILLED_TEMPLATE = re.compile(r"%7B%7B|\$%7B")
# The console line Chromium adds, naming no URL, for each such file it could not find.
FILE_NOT_FOUND = "Failed to load resource: net::ERR_FILE_NOT_FOUND"


def problems_besides_dbt_templates(opened: Any) -> list[str]:
    """The page's problems less those of dbt's unfilled template URLs."""
    problems = [problem for problem in opened.problems() if not UNFILLED_TEMPLATE.search(problem)]
    not_found = sum(
        "ERR_FILE_NOT_FOUND" in request for request in opened.failed_requests if UNFILLED_TEMPLATE.search(request)
    )
    for _ in range(not_found):
        if FILE_NOT_FOUND in problems:
            problems.remove(FILE_NOT_FOUND)
    return problems


def test_dbt_static_docs_render_offline(browser: Any, docs: Docs) -> None:
    url = docs.static_docs.as_uri() + "#!/model/model.strata.kpi_daily"
    with offline_page(browser, url) as opened:
        # The app reads the manifest and catalog inlined in the file: the model's page with its
        # columns and their types appears, and the project tree lists the marts.
        opened.page.get_by_text("strata.marts.kpi_daily").wait_for()
        column = opened.page.locator("tr", has=opened.page.get_by_text("kpi_date", exact=True)).first
        save_screenshot(opened.page, "dbt_docs_kpi_daily", full_page=False)
        assert problems_besides_dbt_templates(opened) == []
        assert "DATE" in column.inner_text()
        tree = opened.page.locator("body").inner_text()
        assert "kpi_monthly" in tree and "marts" in tree


CHINESE = "用户分层运营 高价值 流失预警"


def test_chinese_text_is_drawn_with_a_cjk_font(browser: Any, tmp_path: Path) -> None:
    """The report's default sans-serif in Chinese: every glyph from a CJK font (fonts-noto-cjk),
    none from a Latin font that has only the boxes of missing glyphs."""
    page = tmp_path / "zh.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
        f'<body style="font-family: sans-serif; font-size: 32px"><p id="zh">{CHINESE}</p></body></html>',
        encoding="utf-8",
    )
    with offline_page(browser, page.as_uri()) as opened:
        save_screenshot(opened.page, "cjk_text", full_page=False)
        fonts = platform_fonts(opened.page, "#zh")
        assert opened.problems() == []
    assert fonts and all("CJK" in family for family in fonts), fonts
    assert sum(fonts.values()) == len(CHINESE), fonts
