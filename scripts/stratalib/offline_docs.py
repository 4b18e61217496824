"""Great Expectations data docs that open offline.

GE's page templates load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega and more from
public CDNs, so without a network the docs open unstyled with empty tables (bootstrap-table fills
them from JavaScript). `localize_data_docs` copies those files, at the versions the templates
name, from the npm packages installed in scripts/data_docs_assets (package-lock.json pins them;
`make build` runs `npm ci` there) into `<docs>/static/vendor/`, and points every page at the copies.
The Great Expectations logo comes from the static images GE writes next to the docs.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from stratalib.dbt_invoke import PROJECT_DIR

ASSETS_DIR = PROJECT_DIR / "scripts" / "data_docs_assets"
NODE_MODULES = ASSETS_DIR / "node_modules"
VENDOR_DIR = Path("static") / "vendor"

# Each URL of GE's templates (great_expectations/render/view/templates) and the file of the
# pinned npm package that serves it (the CDNs serve these same files for those versions).
CDN_FILES = {
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free/css/all.min.css"
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js/dist/umd/popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap/dist/js/bootstrap.min.js"
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table/dist/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table/dist/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    # Two pages name 1.19.0's stylesheet of the extension; 1.19.1's is served for both.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css"
    ),
}
# Folders a copied stylesheet loads from by relative URL (Font Awesome's all.min.css: ../webfonts/).
CDN_FOLDERS = ["@fortawesome/fontawesome-free/webfonts"]
# The navbar's logo: GE writes the same images into <docs>/static/images/.
GE_IMAGES_URL = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
GE_IMAGES_DIR = Path("static") / "images"

# The attributes of a <script> or <link> that name a URL; integrity and crossorigin are dropped
# from a rewritten tag (a file:// page loads no CORS-checked script).
TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
URL_ATTRIBUTE = re.compile(r"""\b(src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
CORS_ATTRIBUTES = re.compile(r"""\s+(?:integrity|crossorigin)\s*=\s*["'][^"']*["']""", re.IGNORECASE)
EXTERNAL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)


class MissingAssetsError(Exception):
    """The npm packages of scripts/data_docs_assets are not installed."""


def assets_installed(node_modules: Path = NODE_MODULES) -> bool:
    return all((node_modules / path).is_file() for path in CDN_FILES.values())


def copy_assets(docs_dir: Path, node_modules: Path = NODE_MODULES) -> None:
    """Copy every file the templates load (and the folders they load from) under <docs>/static/vendor/."""
    vendor = docs_dir / VENDOR_DIR
    for path in CDN_FILES.values():
        (vendor / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(node_modules / path, vendor / path)
    for folder in CDN_FOLDERS:
        shutil.copytree(node_modules / folder, vendor / folder, dirs_exist_ok=True)


def relative_url(page: Path, target: Path) -> str:
    """The URL of `target` relative to the folder of `page` (both under the docs folder)."""
    return Path(os.path.relpath(target, page.parent)).as_posix()


def rewrite_tag(tag: str, page: Path, docs_dir: Path) -> str:
    """A <script>/<link> tag with its CDN URL pointed at the local copy (other tags unchanged)."""
    match = URL_ATTRIBUTE.search(tag)
    if not match or match.group(2) not in CDN_FILES:
        return tag
    local = relative_url(page, docs_dir / VENDOR_DIR / CDN_FILES[match.group(2)])
    tag = tag[: match.start(2)] + local + tag[match.end(2) :]
    return CORS_ATTRIBUTES.sub("", tag)


def rewrite_page(page: Path, docs_dir: Path) -> None:
    """Point one page's scripts, stylesheets and logo at the files next to the docs."""
    html = page.read_text(encoding="utf-8")
    html = TAG.sub(lambda match: rewrite_tag(match.group(0), page, docs_dir), html)
    html = html.replace(GE_IMAGES_URL, relative_url(page, docs_dir / GE_IMAGES_DIR) + "/")
    page.write_text(html, encoding="utf-8")


def external_assets(page: Path) -> list[str]:
    """The scripts and stylesheets a page still loads from another host."""
    urls = []
    for tag in TAG.findall(page.read_text(encoding="utf-8")):
        match = URL_ATTRIBUTE.search(tag)
        if match and EXTERNAL.match(match.group(2)):
            urls.append(match.group(2))
    return urls


def localize_data_docs(docs_dir: Path, node_modules: Path = NODE_MODULES) -> list[str]:
    """Make the data docs in `docs_dir` open offline; return the external scripts and stylesheets
    that remain (none when every template URL is known). Raises MissingAssetsError, leaving the
    docs as GE wrote them, when the npm packages are not installed."""
    if not assets_installed(node_modules):
        raise MissingAssetsError(
            f"the data docs load their scripts from CDNs (no network, no styling): run `npm ci` in {ASSETS_DIR}"
        )
    copy_assets(docs_dir, node_modules)
    remaining = []
    for page in sorted(docs_dir.rglob("*.html")):
        rewrite_page(page, docs_dir)
        remaining += [f"{page.relative_to(docs_dir)}: {url}" for url in external_assets(page)]
    return remaining
