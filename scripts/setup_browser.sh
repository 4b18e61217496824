#!/usr/bin/env bash
# Headless Chromium and a CJK font, for the browser tests (tests/python/test_offline_render.py) and
# for Chinese labels that render as glyphs: Debian's `chromium` and `fonts-noto-cjk`, and Debian's
# `npm` for the data docs' pinned scripts, installed with apt-get only when missing (fast when all
# are there). Playwright drives /usr/bin/chromium; its own
# browser download is not used.
#
# Without root or apt-get, or when apt-get fails, it says what to install and exits 0, and the
# browser tests skip; under CI=true it exits 1 (the browser tests would fail there anyway).
set -euo pipefail

give_up() {
    echo "setup_browser: $1" >&2
    [ "${CI:-}" = true ] && exit 1
    exit 0
}

CHROMIUM=/usr/bin/chromium
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" || missing+=(fonts-noto-cjk)
# npm installs the data docs' scripts and stylesheets (scripts/data_docs_assets, make check).
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
command -v apt-get >/dev/null 2>&1 || give_up "no apt-get here: install ${missing[*]} yourself (browser tests need $CHROMIUM)"
[ "$(id -u)" -eq 0 ] || give_up "not root: run sudo apt-get install -y --no-install-recommends ${missing[*]}"
echo "setup_browser: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || give_up "apt-get could not install ${missing[*]} (browser tests need $CHROMIUM)"
"$CHROMIUM" --version 2>/dev/null  # its launcher script prints shell noise on stderr
