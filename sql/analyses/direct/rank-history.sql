-- The pre-summary version, straight from github_stars: kept as the oracle the summary-based
-- sql/analyses/rank-history.sql must equal (test/insights-summary.test.ts, bench/analysis.bench.ts).
-- rank-history (day, rank, repo, stars): each repo's rank among the repos tracked that UTC day, by
-- stars at the day's last sample (1 = most), ties by name; day is epoch seconds of its midnight.
-- Renames stitched (one series under the latest name).
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
select day * 86400 as day,
  row_number() over (partition by day order by stars desc, repo collate "C") as rank,
  repo, stars
from daily
order by day, rank;
