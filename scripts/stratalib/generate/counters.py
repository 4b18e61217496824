"""Running id counters: ids stay unique across chunks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Counters:
    """Next free number of each id kind."""

    order: int = 1
    event: int = 1
    session: int = 1
    send: int = 1
