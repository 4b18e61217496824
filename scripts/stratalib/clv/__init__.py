"""Customer-base models: who is still a customer, how much they will buy, what it is worth.

- bgnbd: BG/NBD purchase model (Fader, Hardie & Lee 2005), fit, p_alive, expected purchases.
- pareto_nbd: Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987), the same three,
  with a probability alive below 1 for one-time buyers too.
- gamma_gamma: Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Fader & Hardie 2013), fit and
  expected value per purchase.
- revenue: expected revenue over a horizon (purchases x value), plain and discounted.
- cdnow: the CDNOW transaction log as calibration / holdout summaries, and the backtest table.

Every fit returns a dict with its parameters, log_likelihood, customers, is_fitted and fit_note;
a fit that cannot be made or trusted returns the parameters as None with is_fitted False and a
note, never an exception, so a warehouse build does not fail because of a model. Durations are
in weeks throughout (any unit works as long as x, t_x, T and the horizon share it; the fitted
scale parameters alpha and beta are then in that unit).
"""
