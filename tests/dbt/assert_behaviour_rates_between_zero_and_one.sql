-- Asserts that every rate and share column of the behaviour marts lies in [0, 1] (nulls, where a
-- rate has no denominator, are allowed), and that on-or-after retention is never below in-period
-- retention. Returns one row per offending value: the model, the column, the row key and the value.
{%- set checks = [
    ('cohort_retention_monthly', ['cohort_month', 'period_number'],
        ['retention_rate', 'on_or_after_retention_rate']),
    ('cohort_retention_weekly', ['cohort_week', 'period_number'],
        ['retention_rate', 'on_or_after_retention_rate']),
    ('cohort_retention_breakdowns', ['breakdown', 'breakdown_value', 'cohort_month', 'period_number'],
        ['retention_rate', 'on_or_after_retention_rate']),
    ('activity_retention_monthly', ['cohort_month', 'period_number'],
        ['retention_rate', 'on_or_after_retention_rate']),
    ('daily_active_users', ['activity_date'], ['stickiness_rate']),
    ('repurchase_monthly', ['order_month'], ['new_customer_repurchase_rate', 'old_customer_multi_order_rate']),
    ('product_repurchase', ['grain', 'item_id'], ['repurchase_rate']),
    ('order_gap_distribution', ['bucket_number'], ['gap_share', 'cumulative_gap_share']),
] %}
with

out_of_range as (
    {{ rates_out_of_range(checks) }}
)

select * from out_of_range
