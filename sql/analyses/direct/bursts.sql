-- The pre-summary version, straight from github_stars: kept as the oracle the summary-based
-- sql/analyses/bursts.sql must equal (test/insights-summary.test.ts, bench/analysis.bench.ts).
-- bursts (repo, day, gain, baseline, multiple, score): days on which a repo gained far more stars
-- than its own recent baseline, strongest first. gain: new stars since the previous day's last
-- sample, only between consecutive days that both have samples (a gap never makes a burst);
-- baseline: the median gain over the 14 days before (the day itself left out, so the burst cannot
-- hide itself); score: (gain - baseline) / (1.4826 * MAD), a robust z-score, with the scale never
-- below sqrt(baseline) (stars arrive roughly as a Poisson count) nor below 1 star.
-- A burst must also: have at least 7 gains in its window (a series' first week has no
-- baseline), exceed the baseline by 50 stars and three times over, score 10 or more (tuned on
-- the real daily data, where smaller jumps are everyday noise), and take the repo
-- to a new high (at least half the gain above its highest count in the window), so winning back
-- stars lost in a drop is not a burst. Renames stitched, so a rename is not a burst either.
with recursive firsts (repo, ts) as (
  -- Skip scan: each step jumps through the (repo, ts) primary key to the first row of the next
  -- repo, so the cost grows with the number of repos, not the number of rows.
  (select g.repo, g.ts from github_stars as g order by g.repo, g.ts limit 1)
  union all
  select n.repo, n.ts
  from firsts as f
  cross join lateral (
    select g.repo, g.ts from github_stars as g where g.repo > f.repo order by g.repo, g.ts limit 1
  ) as n
),
spans as (
  -- The UTC days each name was seen: its first day to its last (one backward probe).
  select f.repo, f.ts / 86400 as first_day, l.ts / 86400 as last_day
  from firsts as f
  cross join lateral (select g.ts from github_stars as g where g.repo = f.repo order by g.ts desc limit 1) as l
),
density (per_day) as (
  -- Samples per repo and day, from the planner's row count: the collector's data has ~96, so
  -- probing each day's last sample is cheapest; daily data has ~1, so reading every row is.
  select (select greatest(c.reltuples, 0) from pg_class as c where c.oid = 'github_stars'::regclass)
    / greatest((select sum(last_day - first_day + 1) from spans), 1)
),
samples as (
  -- Each name's last sample of each day, one of two ways; the other branch never runs.
  select s.repo, d.day, x.ts, x.stars
  from spans as s
  cross join lateral generate_series(s.first_day, s.last_day) as d (day)
  cross join lateral (
    -- One backward index probe per repo and day: the cost grows with repos x days.
    select g.ts, g.stars from github_stars as g
    where g.repo = s.repo and g.ts < (d.day + 1) * 86400
    order by g.ts desc
    limit 1
  ) as x
  where x.ts >= d.day * 86400 and (select per_day from density) >= 4
  union all
  select r.repo, r.ts / 86400, r.ts, r.stars
  from (
    select g.repo, g.ts, g.stars, lead(g.ts) over (partition by g.repo order by g.ts) as next_ts
    from github_stars as g
    where (select per_day from density) < 4
  ) as r
  where r.next_ts is null or r.next_ts / 86400 <> r.ts / 86400
),
latest_names (repo, canonical) as (
  -- Renames stitched: each name maps to the latest name of the id it belonged to (repos table);
  -- names with no id map to themselves.
  select distinct on (r.repo) r.repo, l.repo
  from repos as r
  cross join lateral (
    select n.repo from repos as n where n.repo_id = r.repo_id order by n.last_ts desc, n.repo collate "C" limit 1
  ) as l
  order by r.repo, r.last_ts desc
),
daily (repo, day, ts, stars) as (
  -- One series per repository under its latest name; on the day of a rename the later sample wins.
  select distinct on (coalesce(c.canonical, s.repo), s.day) coalesce(c.canonical, s.repo), s.day, s.ts, s.stars
  from samples as s
  left join latest_names as c on c.repo = s.repo
  order by coalesce(c.canonical, s.repo), s.day, s.ts desc
)
,
gains as (
  select repo, day, stars,
    case when day - lag(day) over w = 1 then stars - lag(stars) over w end as gain
  from daily
  window w as (partition by repo order by day)
),
windows as (
  select repo, day, stars, gain,
    array_agg(gain) filter (where gain is not null) over w as past,
    max(stars) over w as past_high
  from gains
  window w as (partition by repo order by day range between 14 preceding and 1 preceding)
),
candidates as (
  -- Only days big enough to qualify pay for the medians.
  select * from windows where gain >= 50 and cardinality(past) >= 7
),
scored as (
  select c.repo, c.day, c.gain, c.stars, c.past_high, b.baseline,
    greatest(1.4826 * b.mad, sqrt(greatest(b.baseline, 1))) as scale
  from candidates as c
  cross join lateral (
    select m.baseline,
      (select percentile_cont(0.5) within group (order by abs(x - m.baseline)) from unnest(c.past) as x) as mad
    from (select percentile_cont(0.5) within group (order by x) as baseline from unnest(c.past) as x) as m
  ) as b
)
select repo, day * 86400 as day, gain, baseline,
  gain / greatest(baseline, 1) as multiple,
  (gain - baseline) / scale as score
from scored
where gain - baseline >= 50
  and gain >= 3 * greatest(baseline, 1)
  and (gain - baseline) / scale >= 10
  and stars - past_high >= gain / 2.0
order by score desc, gain desc, repo collate "C", day;
