-- One row per account and play for the lift over the holdout: the account's first entry into the
-- play in the period, whether it was held out, and whether it won a deal (any deal: the holdout
-- gets no offers to attribute to) within the play's attribution window after entering, with the
-- ARR those deals added.
CREATE OR REPLACE MACRO lift_units(from_ts, to_ts) AS TABLE
  WITH first AS (
    SELECT * FROM play_entries(from_ts, to_ts)
    QUALIFY row_number() OVER (PARTITION BY playbook, account ORDER BY entered_at, run) = 1
  ),
  won AS (
    SELECT account, occurred_at, coalesce(CAST(data ->> 'amount' AS DOUBLE), 0) AS amount
    FROM facts
    WHERE type = 'deal.closed' AND (data ->> 'outcome') = 'won'
  )
  SELECT f.playbook, f.account, f.run, f.holdout,
         count(w.account) > 0 AS converted,
         coalesce(sum(w.amount), 0) AS expansion_arr
  FROM first f
  LEFT JOIN won w ON w.account = f.account
       AND w.occurred_at >= f.entered_at AND epoch_ms(w.occurred_at) <= epoch_ms(f.entered_at) + f.window_ms
  GROUP BY f.playbook, f.account, f.run, f.holdout;

-- The same units split by experiment variant: each run that was assigned one.
CREATE OR REPLACE MACRO experiment_units(from_ts, to_ts) AS TABLE
  SELECT u.playbook, (a.data ->> 'experiment') AS experiment, (a.data ->> 'variant') AS variant,
         u.account, u.converted, u.expansion_arr
  FROM lift_units(from_ts, to_ts) u
  JOIN facts a ON a.type = 'experiment.assigned' AND a.playbook = u.playbook AND a.account = u.account AND a.run = u.run
  WHERE NOT u.holdout;
