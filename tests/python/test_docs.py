"""strata docs: the lineage docs as one static file that opens from disk, and --serve on the
loopback address (a real `strata docs --serve` process, read over HTTP, then stopped)."""

from __future__ import annotations

import os
import socket
import subprocess
import urllib.request
from pathlib import Path

from helpers import PROJECT_DIR, STRATA, TIMEOUT_SECONDS, BuiltSample, copy_warehouse


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_docs_write_a_static_file_and_serve_it(dirty_sample: BuiltSample, tmp_path: Path) -> None:
    warehouse = copy_warehouse(dirty_sample.warehouse, tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [str(STRATA), "docs", "--warehouse", str(warehouse), "--serve", "--port", str(port)],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        lines = []
        for line in process.stdout:  # the serving line comes once the docs are written
            lines.append(line)
            if "serving http://127.0.0.1" in line:
                break
        strata_lines = [line for line in lines if line.startswith("strata")]  # not the interpreter's exit noise
        assert any(f"127.0.0.1:{port}" in line for line in lines), (process.wait(), "".join(strata_lines))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=30) as response:
            assert response.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static_index.html", timeout=30) as response:
            served = response.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=TIMEOUT_SECONDS)
    # One file with the manifest and catalog inside: the models and their column docs are in it.
    # It is this run's own (the session's DBT_TARGET_PATH), not one an earlier make build left.
    static = (Path(os.environ["DBT_TARGET_PATH"]) / "static_index.html").read_text()
    for name in ("kpi_daily", "user_tag_history", "audience_rules"):
        assert name in static and name in served
