-- Rebuilds star_days from github_stars, as one transaction (the statements run together):
-- concurrent rebuilds take turns; the marker is written first, so data a load commits during
-- the rebuild can only make the summary newer than its marker (rebuilt again next time, never
-- stale). The per-day samples are found as the direct queries did (sql/analyses/direct/):
-- one backward probe of the (repo, ts) primary key per repo and day, ~1/96 of the rows at the
-- collector's cadence (measured faster than any single pass: a window over the whole index
-- or distinct on both read every row); for daily data, one read in key order.
select pg_advisory_xact_lock(hashtext('startrail.summary:' || current_schema())) as locked;
insert into startrail_meta (key, value)
select 'star_days', m.value || ':' || ('github_stars'::regclass)::oid::text
from startrail_meta as m where m.key = 'generation'
on conflict (key) do update set value = excluded.value;
truncate star_days;
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
)
insert into star_days (repo, day, ts, stars)
select repo, day, ts, stars from samples;
analyze star_days;
