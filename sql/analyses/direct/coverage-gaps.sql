-- The pre-summary version, straight from github_stars: kept as the oracle the summary-based
-- sql/analyses/coverage-gaps.sql must equal (test/insights-summary.test.ts, bench/analysis.bench.ts).
-- coverage-gaps (track, status, start_ts, end_ts, slots, cadence): the poll slots that did not
-- end ok, as ranges of consecutive slots with the same status ('missing': no record at all;
-- 'partial', 'failed': from the polls table), in time order. Same sources as coverage.
with observed (track, ts, status, repos) as (
  select track, ts, status, written from polls
  union all
  -- Without poll records, each distinct sample time counts as one poll (of the repos it holds).
  -- This reads every row, so it runs only when the polls table is empty.
  select '(inferred)', ts, 'ok', count(*)::int
  from github_stars
  where not exists (select 1 from polls)
  group by ts
),
cadence (track, step) as (
  -- The collector polls every 900 s (core/domain.ts SLOT_SECONDS). Inferred, the cadence is the
  -- most common gap between sample times: 900 s for the collector's data, a day for daily data.
  select track, case when track = '(inferred)' then coalesce(mode() within group (order by gap), 900) else 900 end
  from (select track, ts - lag(ts) over (partition by track order by ts) as gap from observed) as gaps
  group by track
),
bounds as (
  select o.track, c.step, min(o.ts) as first_ts, max(o.ts) as last_ts
  from observed as o
  join cadence as c on c.track = o.track
  group by o.track, c.step
),
snapped as (
  -- Each observation on its slot of the grid (first_ts + k * step); the best status wins a slot.
  select o.track, b.first_ts + (o.ts - b.first_ts) / b.step * b.step as ts,
    min(case o.status when 'ok' then 1 when 'partial' then 2 else 3 end) as grade,
    max(o.repos) as repos
  from observed as o
  join bounds as b on b.track = o.track
  group by 1, 2
),
graded as (
  -- Every slot from the first poll to the last, present or not.
  select b.track, b.step, s.ts, case p.grade when 1 then 'ok' when 2 then 'partial' when 3 then 'failed' else 'missing' end as status,
    p.repos
  from bounds as b
  cross join lateral generate_series(b.first_ts, b.last_ts, b.step) as s (ts)
  left join snapped as p on p.track = b.track and p.ts = s.ts
)
,
islands as (
  -- Consecutive slots of one status share (slot number - position among that status's slots).
  select track, step, status, ts,
    ts / step - row_number() over (partition by track, status order by ts) as island
  from graded
  where status <> 'ok'
)
select track, status, min(ts) as start_ts, max(ts) as end_ts, count(*) as slots, step as cadence
from islands
group by track, status, island, step
order by track collate "C", start_ts;
