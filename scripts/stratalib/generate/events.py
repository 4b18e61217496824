"""raw_events rows of one chunk: the events of every session, with times, pages and properties."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import codes, fixed_strings, timestamps
from .catalogues import ACQUISITION, AD_CONTENTS, AD_TERMS, EVENTS_IN_MEMORY, SEARCH_QUERIES
from .counters import Counters
from .kinds import (BROWSE_PAGES, EVENT_PAGE, NO_PAGE, PRODUCT_EVENTS, SLOT_EVENT, EventName, Page, Platform,
                    SessionKind, Slot, names)
from .orders import Orders
from .products import Catalogue
from .sessions import Sessions, session_slot_counts
from .settings import SECOND, SECONDS_PER_DAY, RunParameters
from .users import Users


def event_times(rng: np.random.Generator, run: RunParameters, sessions: Sessions, counts: np.ndarray,
                session: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(occurred_at, received_at, is_late) in microseconds, millisecond precision.

    `session` is the session of every event, `first` the position of each session's first event.
    """
    settings = run.settings.event_times
    n_events, n_sessions = len(session), len(sessions.kind)
    gaps = np.round(rng.exponential(settings.mean_gap_seconds, n_events) * 1000).astype(np.int64) * 1000
    gaps[first] = 0
    elapsed = np.cumsum(gaps)
    elapsed -= elapsed[first][session]
    anchor_slot = np.where(sessions.kind == SessionKind.REGISTER, Slot.REGISTER,
                           np.where(sessions.kind == SessionKind.ORDER, Slot.PAID, Slot.OPENER))
    anchor_position = np.take_along_axis(np.cumsum(counts, axis=1) - counts, anchor_slot[:, None], 1)[:, 0]
    anchor_elapsed = elapsed[first + anchor_position]
    true_us = sessions.anchor_us[session] + elapsed - anchor_elapsed[session]
    skewed = rng.random(n_sessions) < settings.skewed_clock_share
    skew_seconds = np.where(skewed, rng.normal(0, settings.skewed_clock_sd_seconds, n_sessions),
                            rng.normal(0, settings.clock_sd_seconds, n_sessions))
    occurred = true_us + (np.round(skew_seconds * 1000).astype(np.int64) * 1000)[session]
    late = rng.random(n_events) < settings.late_share
    delivery_ms = np.minimum(settings.max_delivery_ms, np.round(
        rng.lognormal(np.log(settings.delivery_median_ms), settings.delivery_sigma, n_events))).astype(np.int64)
    shortest, longest = settings.late_delay_days
    late_delay = rng.integers(shortest * SECONDS_PER_DAY, longest * SECONDS_PER_DAY, n_events) * SECOND
    received = occurred + delivery_ms * 1000 + np.where(late, late_delay, 0)
    return occurred, received, late


def make_events(rng: np.random.Generator, run: RunParameters, users: Users, orders: Orders, sessions: Sessions,
                first_product: np.ndarray, catalogue: Catalogue, counters: Counters) -> tuple[pa.Table, dict[str, int]]:
    """The clean events of every session, in order of arrival; and counts for the ground truth."""
    counts = session_slot_counts(rng, run, sessions)
    n_sessions, n_slots = counts.shape
    session = np.repeat(np.repeat(np.arange(n_sessions), n_slots), counts.ravel())
    slot = np.repeat(np.tile(np.arange(n_slots), n_sessions), counts.ravel())
    n_events = len(session)
    first = np.cumsum(counts.sum(axis=1)) - counts.sum(axis=1)
    occurred, received, late = event_times(rng, run, sessions, counts, session, first)
    is_first = np.zeros(n_events, bool)
    is_first[first] = True
    by_arrival = np.argsort(received, kind="stable")  # exports come in order of arrival
    session, slot, occurred, received, late, is_first = (
        a[by_arrival] for a in (session, slot, occurred, received, late, is_first))

    platform = sessions.platform[session]
    name = SLOT_EVENT[slot]
    opener = np.where((platform == Platform.APP) | (platform == Platform.MINI_PROGRAM),
                      EventName.APP_OPEN, EventName.PAGE_VIEW)
    browsing = rng.choice([EventName.PAGE_VIEW, EventName.SEARCH, EventName.PRODUCT_VIEW], n_events,
                          p=run.settings.sessions.browse_event_shares)
    name = np.where(slot == Slot.OPENER, opener, np.where(slot == Slot.BROWSE, browsing, name))

    page = EVENT_PAGE[name]
    page = np.where(page == NO_PAGE, rng.choice(BROWSE_PAGES, n_events), page)
    page = np.where(platform == Platform.STORE, NO_PAGE, page)

    kind = sessions.kind[session]
    anonymous = (kind == SessionKind.ANONYMOUS) | ((kind == SessionKind.REGISTER) & (slot < Slot.REGISTER))
    order = sessions.order[session]
    product = np.where((order >= 0) & ((slot == Slot.VIEW) | (slot == Slot.CART)),
                       first_product[np.maximum(order, 0)] if len(first_product) else 0,
                       rng.choice(catalogue.size, n_events, p=catalogue.popularity))
    # properties: one value per product, then per search query, then per order of the chunk
    search_properties = catalogue.size
    order_properties = catalogue.size + len(SEARCH_QUERIES)
    properties = np.full(n_events, -1)
    properties = np.where(np.isin(name, PRODUCT_EVENTS), product, properties)
    properties = np.where(name == EventName.SEARCH,
                          search_properties + rng.integers(0, len(SEARCH_QUERIES), n_events), properties)
    properties = np.where(name == EventName.ORDER_PAID, order_properties + order, properties)
    property_values = pa.concat_arrays([
        pa.array(catalogue.product_json + [json.dumps({"query": q}) for q in SEARCH_QUERIES], type=pa.string()),
        pc.binary_join_element_wise('{"order_id": "', orders.ids, '"}', ""),
    ])

    acquisition = users.acquisition[sessions.user[session]]
    no_utm = ~(sessions.has_utm[session] & is_first)
    numbers = counters.event + np.arange(n_events)
    counters.event += n_events
    table = pa.table({
        "event_id": fixed_strings("e", (numbers, 10)),
        "user_id": codes(users.ids, sessions.user[session], null=anonymous),
        "anonymous_id": codes(users.device_ids, 2 * sessions.user[session] + sessions.device[session]),
        "session_id": codes(sessions.ids, session, null=sessions.no_id[session]),
        "event_name": codes(names(EventName), name),
        "occurred_at": timestamps(occurred),
        "received_at": timestamps(received),
        "platform": codes(names(Platform), platform),
        "page": codes(names(Page), page),
        "utm_source": codes([a.utm_source for a in ACQUISITION], acquisition, null=no_utm),
        "utm_medium": codes([a.utm_medium for a in ACQUISITION], acquisition, null=no_utm),
        "utm_campaign": codes([a.campaign for a in ACQUISITION], acquisition, null=no_utm),
        "utm_content": codes(AD_CONTENTS, users.ad_content[sessions.user[session]], null=no_utm),
        "utm_term": codes(AD_TERMS, users.ad_term[sessions.user[session]], null=no_utm),
        "properties": codes(property_values, properties),
    }, schema=EVENTS_IN_MEMORY)
    stats = {"clean_rows": n_events, "anonymous": int(anonymous.sum()), "late_arrivals": int(late.sum()),
             "without_session_id": int(sessions.no_id[session].sum())}
    return table, stats
