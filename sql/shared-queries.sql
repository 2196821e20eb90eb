-- The parts several analyses share, each defined once as a set-returning SQL function that the
-- planner inlines into the query calling it (LANGUAGE sql, STABLE, not STRICT, no SET clause, one
-- SELECT): the plan is the one the query had with the part written in place, so a skip scan stays
-- a skip scan. PARALLEL SAFE, or the planner, deciding before it inlines, rules out parallel plans
-- for the whole query (they read tables and call nothing parallel-unsafe). Functions rather than views: a view is bound to the tables it named when it was
-- created (it would forbid `drop table github_stars` and ignore a temporary github_stars), a
-- function body is looked up by name each time a query using it is planned.
-- Created in the current schema by analysis/queries/shared-queries.ts when missing or when this
-- file changed (each function carries the file's hash as its comment); bodies are checked when
-- first used, since some name tables made later (repos, polls: sql/insights-schema.sql;
-- star_days, star_times: sql/summary/schema.sql).
-- A function's output columns lose the collation they had inside it: callers that sort or
-- partition by a repo name say `collate "C"` to reuse the order the function produced.

-- Each repo's first and last sample. Skip scan: each step of the recursion jumps through the
-- (repo, ts) primary key to the first row of the next repo, and one backward probe fetches its
-- last row, so the cost grows with the number of repos, not the number of rows.
create or replace function repo_ends()
returns table (repo varchar, first_ts bigint, first_stars integer, last_ts bigint, last_stars integer)
language sql stable parallel safe
as $$
with recursive firsts (repo, ts, stars) as (
  (select g.repo, g.ts, g.stars from github_stars as g order by g.repo, g.ts limit 1)
  union all
  select n.repo, n.ts, n.stars
  from firsts as f
  cross join lateral (
    select g.repo, g.ts, g.stars from github_stars as g where g.repo > f.repo order by g.repo, g.ts limit 1
  ) as n
)
select f.repo, f.ts, f.stars, l.ts, l.stars
from firsts as f
cross join lateral (
  select g.ts, g.stars from github_stars as g where g.repo = f.repo order by g.ts desc limit 1
) as l
$$;

-- Renames stitched: each name maps to the latest name of the id it belonged to (repos table; most
-- recently, if the name was reused). Names with no id are not listed: they map to themselves.
create or replace function latest_names()
returns table (repo varchar, canonical varchar)
language sql stable parallel safe
as $$
select distinct on (r.repo) r.repo, l.repo
from repos as r
cross join lateral (
  select n.repo from repos as n where n.repo_id = r.repo_id order by n.last_ts desc, n.repo collate "C" limit 1
) as l
order by r.repo, r.last_ts desc
$$;

-- Each name's last sample of each UTC day (day = ts / 86400), straight from github_stars: what
-- the star_days summary caches (sql/summary/build-star-days.sql). Two ways, chosen by density;
-- the other branch never runs. Probing the (repo, ts) primary key once per repo and day reads
-- ~1/96 of the rows at the collector's cadence (measured faster than any single pass: a window
-- over the whole index or distinct on both read every row); for daily data, one read in key order.
create or replace function day_samples()
returns table (repo varchar, day bigint, ts bigint, stars integer)
language sql stable parallel safe
as $$
with spans as (
  -- The UTC days each name was seen: its first day to its last.
  select e.repo, e.first_ts / 86400 as first_day, e.last_ts / 86400 as last_day
  from repo_ends() as e
),
density (per_day) as (
  -- Samples per repo and day, from the planner's row count: the collector's data has ~96, so
  -- probing each day's last sample is cheapest; daily data has ~1, so reading every row is.
  select (select greatest(c.reltuples, 0) from pg_class as c where c.oid = 'github_stars'::regclass)
    / greatest((select sum(last_day - first_day + 1) from spans), 1)
)
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
$$;

-- Each distinct sample time and how many repos it holds, straight from github_stars (one read of
-- every row): what the star_times summary caches (sql/summary/build-star-times.sql).
create or replace function sample_times()
returns table (ts bigint, repos integer)
language sql stable parallel safe
as $$
select g.ts, count(*)::int from github_stars as g group by g.ts
$$;

-- One series per repository under its latest name: its last sample of each UTC day; on the day of
-- a rename the later sample wins. From the star_days summary, or with `direct` computed from
-- github_stars on the spot (day_samples), the oracle the summary must equal. Rows come sorted by
-- the name's bytes ("C") and day: much cheaper to sort than the default collation, and the order
-- every result is finally given in, so callers partition and sort by `repo collate "C"`, day
-- without sorting again (only equality of names matters here).
create or replace function repo_days(direct boolean)
returns table (repo varchar, day bigint, ts bigint, stars integer)
language sql stable parallel safe
as $$
select distinct on (coalesce(c.canonical, s.repo) collate "C", s.day)
  coalesce(c.canonical, s.repo) collate "C", s.day, s.ts, s.stars
from (
  -- `direct` is a constant where the function is inlined: the branch not taken is never planned.
  select d.repo, d.day, d.ts, d.stars from star_days as d where not direct
  union all
  select d.repo, d.day, d.ts, d.stars from day_samples() as d where direct
) as s
left join latest_names() as c on c.repo = s.repo
order by coalesce(c.canonical, s.repo) collate "C", s.day, s.ts desc
$$;

-- Every poll slot of every track from its first poll to its last, with its status ('ok',
-- 'partial', 'failed' from the polls table; 'missing': no record at all) and the repos the poll
-- wrote. From the polls table when it has rows; else inferred from the sample times (track
-- '(inferred)', each distinct time one poll of the repos it holds): the star_times summary, or
-- with `direct` the same computed from github_stars (sample_times), the oracle.
create or replace function poll_slots(direct boolean)
returns table (track text, step bigint, ts bigint, status text, repos integer)
language sql stable parallel safe
as $$
with observed (track, ts, status, repos) as (
  select p.track, p.ts, p.status, p.written from polls as p
  union all
  select '(inferred)', t.ts, 'ok', t.repos
  from (
    select s.ts, s.repos from star_times as s where not direct
    union all
    select s.ts, s.repos from sample_times() as s where direct
  ) as t
  where not exists (select 1 from polls)
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
)
select b.track, b.step, s.ts,
  case p.grade when 1 then 'ok' when 2 then 'partial' when 3 then 'failed' else 'missing' end,
  p.repos
from bounds as b
cross join lateral generate_series(b.first_ts, b.last_ts, b.step) as s (ts)
left join snapped as p on p.track = b.track and p.ts = s.ts
$$;

-- The start of a summary's rebuild (sql/summary/build-*.sql), in the rebuild's transaction:
-- concurrent rebuilds take turns on the lock; the marker (the generation of github_stars the
-- summary is built from) is written first, so data a load commits during the rebuild can only
-- make the summary newer than its marker (rebuilt again next time, never stale).
create or replace function begin_summary_build(summary text)
returns void
language sql
volatile
as $$
  select pg_advisory_xact_lock(hashtext('startrail.summary:' || current_schema()));
  insert into startrail_meta (key, value)
  select summary, m.value || ':' || ('github_stars'::regclass)::oid::text
  from startrail_meta as m where m.key = 'generation'
  on conflict (key) do update set value = excluded.value;
$$;
