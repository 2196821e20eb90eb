-- coverage-gaps (track, status, start_ts, end_ts, slots, cadence): the poll slots that did not
-- end ok, as ranges of consecutive slots with the same status ('missing': no record at all;
-- 'partial', 'failed': from the polls table), in time order. Same sources as coverage:
-- poll_slots (sql/shared-queries.sql). $1 (direct): false reads the inferred sample times from
-- star_times (sql/summary/), counted from github_stars once per change; true counts them straight
-- from the table, the oracle.
with islands as (
  -- Consecutive slots of one status share (slot number - position among that status's slots).
  select track, step, status, ts,
    ts / step - row_number() over (partition by track, status order by ts) as island
  from poll_slots($1::boolean)
  where status <> 'ok'
)
select track, status, min(ts) as start_ts, max(ts) as end_ts, count(*) as slots, step as cadence
from islands
group by track, status, island, step
order by track collate "C", start_ts;
