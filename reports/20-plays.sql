-- Every play run that entered (left detecting) between two times, with its attribution window.
CREATE OR REPLACE MACRO play_entries(from_ts, to_ts) AS TABLE
  SELECT playbook, account, run, coalesce(holdout, false) AS holdout, occurred_at AS entered_at,
         coalesce(CAST(data ->> 'attribution_ms' AS BIGINT), 90::BIGINT * 86400000) AS window_ms
  FROM facts
  WHERE type = 'play.entered' AND occurred_at >= from_ts AND occurred_at < to_ts;

-- Deals closed between two times, with the play they are attributed to (NULL: unattributed).
CREATE OR REPLACE MACRO deals(from_ts, to_ts) AS TABLE
  SELECT account, playbook, occurred_at AS closed_at, (data ->> 'outcome') AS outcome,
         coalesce(CAST(data ->> 'amount' AS DOUBLE), 0) AS amount,
         (data ->> 'sku') AS sku, (data ->> 'reason') AS reason
  FROM facts
  WHERE type = 'deal.closed' AND occurred_at >= from_ts AND occurred_at < to_ts;

-- The funnel of each play: identified (entered, treatment) -> engaged -> proposed -> won / lost,
-- with what the won deals brought. Holdout runs are counted apart: they get no actions.
CREATE OR REPLACE MACRO play_funnel(from_ts, to_ts) AS TABLE
  WITH e AS (SELECT * FROM play_entries(from_ts, to_ts)),
  reached AS (
    SELECT e.playbook, e.account, e.run,
           bool_or(f.type = 'play.engaged') AS engaged,
           bool_or(f.type = 'offer.proposed') AS proposed
    FROM e JOIN facts f ON f.playbook = e.playbook AND f.account = e.account AND f.run = e.run
    WHERE NOT e.holdout AND f.occurred_at < to_ts
    GROUP BY ALL
  ),
  won AS (
    -- Each attributed won deal with the latest entry of its play for that account before it.
    SELECT d.playbook, d.account, d.amount,
           (epoch_ms(d.closed_at) - epoch_ms(max(e.entered_at))) / 86400000.0 AS days_to_win
    FROM deals(from_ts, to_ts) d
    LEFT JOIN e ON e.playbook = d.playbook AND e.account = d.account AND e.entered_at <= d.closed_at AND NOT e.holdout
    WHERE d.outcome = 'won' AND d.playbook IS NOT NULL
    GROUP BY d.playbook, d.account, d.amount, d.closed_at
  ),
  lost AS (
    SELECT playbook, count(*) AS lost FROM deals(from_ts, to_ts)
    WHERE outcome <> 'won' AND playbook IS NOT NULL GROUP BY playbook
  ),
  fired AS (
    SELECT playbook, count(*) AS suppressed_at_trigger FROM facts
    WHERE type = 'play.suppressed' AND occurred_at >= from_ts AND occurred_at < to_ts AND CAST(data ->> 'detecting' AS BOOLEAN)
    GROUP BY playbook
  ),
  plays AS (
    SELECT playbook FROM e UNION SELECT playbook FROM won UNION SELECT playbook FROM lost
  )
  SELECT
    p.playbook,
    (SELECT count(*) FROM e WHERE e.playbook = p.playbook AND NOT e.holdout) AS identified,
    (SELECT count(DISTINCT account) FROM e WHERE e.playbook = p.playbook AND NOT e.holdout) AS identified_accounts,
    (SELECT count(*) FROM e WHERE e.playbook = p.playbook AND e.holdout) AS holdout,
    (SELECT count(*) FROM reached r WHERE r.playbook = p.playbook AND r.engaged) AS engaged,
    (SELECT count(*) FROM reached r WHERE r.playbook = p.playbook AND r.proposed) AS proposed,
    (SELECT count(*) FROM won w WHERE w.playbook = p.playbook) AS won,
    coalesce((SELECT lost FROM lost l WHERE l.playbook = p.playbook), 0) AS lost,
    coalesce((SELECT sum(amount) FROM won w WHERE w.playbook = p.playbook), 0) AS expansion_arr,
    (SELECT median(days_to_win) FROM won w WHERE w.playbook = p.playbook) AS median_days_to_win,
    (SELECT count(DISTINCT account) FROM won w WHERE w.playbook = p.playbook) AS won_accounts,
    coalesce((SELECT suppressed_at_trigger FROM fired x WHERE x.playbook = p.playbook), 0) AS suppressed_at_trigger
  FROM plays p
  ORDER BY p.playbook;

-- Why deals a play proposed were lost.
CREATE OR REPLACE MACRO play_lost_reasons(from_ts, to_ts) AS TABLE
  SELECT playbook, coalesce(reason, 'no reason given') AS reason, count(*) AS deals
  FROM deals(from_ts, to_ts)
  WHERE outcome <> 'won' AND playbook IS NOT NULL
  GROUP BY ALL ORDER BY playbook, deals DESC, reason;

-- Every suppression, skip, hold and block of a play, by its reason.
CREATE OR REPLACE MACRO play_suppressions(from_ts, to_ts) AS TABLE
  SELECT playbook, (data ->> 'reason') AS reason, count(*) AS times
  FROM facts
  WHERE type = 'play.suppressed' AND occurred_at >= from_ts AND occurred_at < to_ts
  GROUP BY ALL ORDER BY playbook, times DESC, reason;
