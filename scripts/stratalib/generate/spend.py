"""raw_marketing_spend: one row per day and paid acquisition campaign."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .arrays import money, take
from .catalogues import ACQUISITION, SCHEMAS
from .dirt import bad_count
from .settings import EPOCH, RunParameters
from .users import signup_density


def make_marketing_spend(run: RunParameters, rng: np.random.Generator) -> tuple[pa.Table, int]:
    """Spend tracks expected sign-ups x CAC; returns (table, number of negative-spend rows)."""
    settings = run.settings.spend
    paid = [a for a in ACQUISITION if a.cac > 0]
    day = np.repeat(np.arange(run.days), len(paid))
    which = np.tile(np.arange(len(paid)), run.days)
    share = np.array([a.share for a in paid])
    growth = run.settings.users.signup_growth
    signups = run.users / run.days * signup_density((day + 0.5) / run.days, growth) * share[which]
    cac = np.array([a.cac for a in paid])[which]
    noise = rng.lognormal(0, settings.spend_noise_sigma, len(day))
    spend = np.round(signups * cac * noise * 100).astype(np.int64) + settings.base_spend_cents
    cpm = np.array([a.cpm for a in paid])[which] * rng.lognormal(0, settings.cpm_noise_sigma, len(day))
    impressions = np.round(spend / 100 / cpm * 1000).astype(np.int64)
    clicks = rng.binomial(impressions, np.array([a.ctr for a in paid])[which]).astype(np.int64)
    bad = bad_count(rng, len(day), run.bad_rate, force=True)
    flipped = rng.choice(len(day), bad, replace=False)
    spend[flipped] = -spend[flipped]  # refunds booked as negative spend: quarantined
    table = pa.table({
        "spend_date": pa.array(((run.start - EPOCH).days + day).astype(np.int32), type=pa.date32()),
        "channel": take([a.channel for a in paid], which),
        "campaign": take([a.campaign for a in paid], which),
        "spend": money(spend),
        "impressions": impressions,
        "clicks": clicks,
    }, schema=SCHEMAS["raw_marketing_spend"])
    return table, bad
