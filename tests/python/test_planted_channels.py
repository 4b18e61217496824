"""The generator's planted channel differences show up in the acquisition and funnel marts.

The generator makes a user ever buy with a probability that depends on the acquisition channel
(ground_truth.json: channels.<channel>.buyer_probability). We compare only the best and the
worst planted channel, not every pair: neighbouring channels are 0.05 apart, which a sample of a
few hundred users per channel cannot separate, while best and worst are 0.35 apart.

Why 2,000 users (the shared `dirty_sample`) are enough: with p the measured rate and n the
channel's users, the standard error of the difference of two rates is
sqrt(p1 (1 - p1) / n1 + p2 (1 - p2) / n2). For referral (0.55, ~10 % of users, n ~ 200) and
paid_social (0.20, ~20 %, n ~ 400) that is about 0.04 for buyers / registrations, against a
planted gap of 0.35 (~9 standard errors): that test asks for 3 standard errors. The registration
funnel converts only the buyers whose first order falls within 7 days of their first visit
(anonymous visits can come weeks before signing up): measured, about 0.3 of them, so its rates
are ~0.16 vs ~0.06, a gap of ~0.1 against a standard error of ~0.03 (~3.5 standard errors
expected). Asking 3 of them would fail one seed in three by chance; that test asks for 2 (a
mislabelled or shuffled breakdown, with no gap, passes that with about 2 % chance). A smaller
sample fails loudly instead of passing or failing by chance. The generator is seeded, so the
result is reproducible.
"""

from __future__ import annotations

import math

from helpers import BuiltSample, query


def planted_extremes(truth: dict) -> tuple[str, str]:
    """(best, worst) acquisition channel by planted buyer probability."""
    channels = truth["channels"]
    ranked = sorted(channels, key=lambda channel: channels[channel]["buyer_probability"])
    return ranked[-1], ranked[0]


def gap_standard_error(rate_a: float, users_a: int, rate_b: float, users_b: int) -> float:
    """Standard error of the difference of two independent proportions."""
    return math.sqrt(rate_a * (1 - rate_a) / users_a + rate_b * (1 - rate_b) / users_b)


def assert_best_beats_worst(
    rates: dict[str, tuple[float, int]], truth: dict, what: str, standard_errors: float = 3
) -> None:
    best, worst = planted_extremes(truth)
    (best_rate, best_users), (worst_rate, worst_users) = rates[best], rates[worst]
    error = gap_standard_error(best_rate, best_users, worst_rate, worst_users)
    assert best_rate - worst_rate > standard_errors * error, (
        f"{what}: {best} {best_rate:.3f} (n={best_users}) vs {worst} {worst_rate:.3f} "
        f"(n={worst_users}); the gap is not {standard_errors} standard errors ({error:.3f})"
    )


def test_new_buyer_rate_ranks_channels_as_planted(dirty_sample: BuiltSample) -> None:
    rows = query(
        dirty_sample.warehouse,
        """
        select acquisition_channel, sum(new_buyers), sum(registrations)
        from marts.channel_performance
        group by acquisition_channel
        having sum(registrations) > 0
        """,
    )
    rates = {channel: (buyers / registrations, registrations) for channel, buyers, registrations in rows}
    assert_best_beats_worst(rates, dirty_sample.truth, "new buyers / registrations")


def test_registration_funnel_ranks_channels_as_planted(dirty_sample: BuiltSample) -> None:
    rows = query(
        dirty_sample.warehouse,
        """
        select last_step.breakdown_value, last_step.conversion_from_start, first_step.users
        from marts.funnel_conversion as last_step
        inner join marts.funnel_conversion as first_step
            on first_step.funnel_name = last_step.funnel_name
            and first_step.breakdown = last_step.breakdown
            and first_step.breakdown_value = last_step.breakdown_value
            and first_step.step_number = 1
        where last_step.funnel_name = 'registration'
            and last_step.breakdown = 'acquisition_channel'
            and last_step.event_name = 'order_paid'
        """,
    )
    rates = {channel: (rate, users) for channel, rate, users in rows}
    assert_best_beats_worst(rates, dirty_sample.truth, "registration funnel conversion", standard_errors=2)
