-- ARR of every account at a time: the latest observation at or before it (an account never
-- observed by then is not in the result).
CREATE OR REPLACE MACRO arr_at(t) AS TABLE
  SELECT account, CAST(data ->> 'arr' AS DOUBLE) AS arr
  FROM facts
  WHERE type = 'arr.observed' AND occurred_at <= t
  QUALIFY row_number() OVER (PARTITION BY account ORDER BY occurred_at DESC, id DESC) = 1;

-- Each account paying at `from_ts` (ARR > 0) with its ARR then and at `to_ts` (0 when it has churned).
CREATE OR REPLACE MACRO base_accounts(from_ts, to_ts) AS TABLE
  SELECT s.account, s.arr AS start_arr, coalesce(e.arr, 0) AS end_arr
  FROM arr_at(from_ts) s
  LEFT JOIN arr_at(to_ts) e USING (account)
  WHERE s.arr > 0;

-- The base's revenue retention between two times. NRR = ending / starting;
-- GRR = (starting - contraction - churned) / starting (computed from these columns by the report).
CREATE OR REPLACE MACRO base_metrics(from_ts, to_ts) AS TABLE
  SELECT
    count(*) AS accounts,
    coalesce(sum(start_arr), 0) AS starting_arr,
    coalesce(sum(end_arr), 0) AS ending_arr,
    coalesce(sum(CASE WHEN end_arr > start_arr THEN end_arr - start_arr ELSE 0 END), 0) AS expansion_arr,
    coalesce(sum(CASE WHEN end_arr > 0 AND end_arr < start_arr THEN start_arr - end_arr ELSE 0 END), 0) AS contraction_arr,
    coalesce(sum(CASE WHEN end_arr <= 0 THEN start_arr ELSE 0 END), 0) AS churned_arr
  FROM base_accounts(from_ts, to_ts);
