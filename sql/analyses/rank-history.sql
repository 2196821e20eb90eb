-- rank-history (day, rank, repo, stars): each repo's rank among the repos tracked that UTC day, by
-- stars at the day's last sample (1 = most), ties by name; day is epoch seconds of its midnight.
-- Renames stitched (one series under the latest name).
-- Reads star_days (sql/summary/), each name's last sample of each day, rebuilt from github_stars
-- when github_stars has changed; sql/analyses/direct/rank-history.sql is the same straight from the table.
with latest_names (repo, canonical) as (
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
  -- Sorted by the name's bytes ("C"): much cheaper than the default collation, and the order
  -- every result is finally given in, so no second sort (only equality matters here).
  select distinct on (coalesce(c.canonical, s.repo) collate "C", s.day) coalesce(c.canonical, s.repo) collate "C", s.day, s.ts, s.stars
  from star_days as s
  left join latest_names as c on c.repo = s.repo
  order by coalesce(c.canonical, s.repo) collate "C", s.day, s.ts desc
)
select day * 86400 as day,
  row_number() over (partition by day order by stars desc, repo collate "C") as rank,
  repo, stars
from daily
-- The order of the ranks themselves, so the rows come out of the window without another sort.
order by daily.day, stars desc, repo collate "C";
