"""strata docs --serve: the docs of target/ on http://127.0.0.1:PORT/ until Ctrl-C.

dbt's own `dbt docs serve` also opens a browser; this serves the same folder and nothing else,
bound to the loopback address, so the docs are never exposed to the network."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"


class DocsServerError(Exception):
    """The docs cannot be served: nothing generated yet, or the port is taken (exit 2)."""


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        return


def serve_docs(target: Path, port: int) -> None:
    """Serve `target` until interrupted; the URL is printed first."""
    if not (target / "index.html").is_file():
        raise DocsServerError(f"no docs in {target}: run `strata docs` first")
    handler = functools.partial(QuietHandler, directory=str(target))
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as error:
        raise DocsServerError(f"cannot serve on {HOST}:{port}: {error.strerror or error}") from error
    print(f"strata docs: serving http://{HOST}:{server.server_address[1]}/index.html "
          f"(static_index.html opens from disk too); Ctrl-C stops", flush=True)  # fmt: skip
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
