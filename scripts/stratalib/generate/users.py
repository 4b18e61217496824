"""Users of one chunk: sign-up times, acquisition, churn, devices, and the raw_users rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import fixed_strings, take, timestamps, with_nulls
from .catalogues import (
    ACQUISITION,
    AD_BASE_FACTOR,
    AD_BEST_BONUS,
    AD_CONTENTS,
    AD_TERMS,
    BEST_AD_CONTENT,
    BEST_AD_TERM,
    CHANNELS,
    CITIES,
    SCHEMAS,
)
from .kinds import Gender, names
from .settings import DAY, SECOND, RunParameters


@dataclass(frozen=True)
class Users:
    numbers: np.ndarray  # global user number (user_id = 'u' + zero padded number)
    registered_us: np.ndarray
    acquisition: np.ndarray  # index into ACQUISITION
    channel: np.ndarray  # index into CHANNELS
    opt_in: np.ndarray
    active_end_us: np.ndarray  # churn: no orders or sessions after this
    n_devices: np.ndarray
    device_platform: np.ndarray  # (n, 2) kinds.Platform of each device
    ids: pa.Array
    device_ids: pa.Array  # 2 per user, device k of user i at 2 i + k
    ad_content: np.ndarray  # index into AD_CONTENTS of the sign-up click, -1 for users without UTM tags
    ad_term: np.ndarray  # index into AD_TERMS, likewise

    def ad_buyer_factor(self) -> np.ndarray:
        """PLANTED: the factor the ad content and keyword put on the user's buyer probability."""
        source = [a.utm_source for a in ACQUISITION]
        best_content = np.array([AD_CONTENTS.index(BEST_AD_CONTENT[s]) if s else -1 for s in source])
        best_term = np.array([AD_TERMS.index(BEST_AD_TERM[s]) if s else -1 for s in source])
        factor = np.full(len(self.numbers), AD_BASE_FACTOR)
        for drawn, best in ((self.ad_content, best_content), (self.ad_term, best_term)):
            factor += np.where(drawn == best[self.acquisition], AD_BEST_BONUS, 0.0)
        return np.where(self.ad_term < 0, 1.0, factor)


def signup_density(fraction: np.ndarray, growth: float) -> np.ndarray:
    """Relative sign-up density at `fraction` of the period: (1 + growth x) / (1 + growth / 2)."""
    return (1.0 + growth * fraction) / (1 + growth / 2)


def sample_signup_fraction(rng: np.random.Generator, n: int, growth: float) -> np.ndarray:
    """Inverse CDF of signup_density on [0, 1)."""
    uniform = rng.random(n)
    return (-1 + np.sqrt(1 + growth * (2 + growth) * uniform)) / growth


def make_users(rng: np.random.Generator, run: RunParameters, first_number: int, n: int) -> Users:
    settings = run.settings.users
    numbers = np.arange(first_number, first_number + n, dtype=np.int64)
    signup_fraction = sample_signup_fraction(rng, n, settings.signup_growth)
    registered = run.start_us + (signup_fraction * run.days * DAY) // SECOND * SECOND
    weights = np.array([a.share for a in ACQUISITION])
    acquisition = rng.choice(len(ACQUISITION), n, p=weights / weights.sum())
    channel = np.array([CHANNELS.index(a.channel) for a in ACQUISITION])[acquisition]
    churns = rng.random(n) < settings.churn_share
    churn_at = registered + (rng.exponential(settings.churn_mean_days, n) * DAY).astype(np.int64)
    active_end = np.where(churns, np.minimum(churn_at, run.end_us), run.end_us)
    platform_shares = settings.device_platform_shares
    tagged = np.array([a.utm_source is not None for a in ACQUISITION])[acquisition]
    return Users(
        numbers=numbers,
        registered_us=registered,
        acquisition=acquisition,
        channel=channel,
        opt_in=rng.random(n) < settings.marketing_opt_in_share,
        active_end_us=active_end,
        n_devices=np.where(rng.random(n) < settings.two_devices_share, 2, 1),
        device_platform=rng.choice(len(platform_shares), (n, 2), p=platform_shares),
        ids=fixed_strings("u", (numbers, run.user_width)),
        device_ids=fixed_strings("d", (np.arange(2 * first_number, 2 * (first_number + n)), 8)),
        ad_content=np.where(tagged, rng.integers(0, len(AD_CONTENTS), n), -1),
        ad_term=np.where(tagged, rng.integers(0, len(AD_TERMS), n), -1),
    )


def users_table(rng: np.random.Generator, run: RunParameters, users: Users) -> pa.Table:
    settings = run.settings.users
    n = len(users.numbers)
    city_weights = np.array([c[2] for c in CITIES]) / sum(c[2] for c in CITIES)
    city = rng.choice(len(CITIES), n, p=city_weights)
    gender = rng.choice(len(Gender), n, p=settings.gender_shares)
    lowest_year, highest_year = settings.birth_year_range
    birth_year = np.clip(np.round(rng.normal(settings.birth_year_mean, settings.birth_year_sd, n)),
                         lowest_year, highest_year).astype(np.int32)
    phone = fixed_strings("+86 13", (rng.integers(0, 10, n), 1), " ", ((users.numbers // 10_000) % 10_000, 4),
                          " ", (users.numbers % 10_000, 4))
    campaign_is_null = np.array([a.campaign is None for a in ACQUISITION])[users.acquisition]
    return pa.table({
        "user_id": users.ids,
        "registered_at": timestamps(users.registered_us),
        "acquisition_channel": take(CHANNELS, users.channel),
        "acquisition_campaign": take([a.campaign for a in ACQUISITION], users.acquisition, null=campaign_is_null),
        "gender": take(names(Gender)[:Gender.NOT_GIVEN], gender, null=gender == Gender.NOT_GIVEN),
        "birth_year": pa.array(birth_year, mask=rng.random(n) < settings.birth_year_missing_share),
        "city": take([c[0] for c in CITIES], city),
        "city_tier": pa.array(np.array([c[1] for c in CITIES], dtype=np.int32)[city]),
        "email": with_nulls(pc.binary_join_element_wise(users.ids, "@example.com", ""),
                            rng.random(n) < settings.email_missing_share),
        "phone": with_nulls(phone, rng.random(n) < settings.phone_missing_share),
        "marketing_opt_in": pa.array(users.opt_in),
    }, schema=SCHEMAS["raw_users"])
