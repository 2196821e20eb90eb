-- daily-gains (repo, day, stars, new_stars): each repo's stars at its last sample of each UTC day
-- (day: epoch seconds of its midnight) and the new stars since the previous day's last sample;
-- new_stars is null on a repo's first day and after a day without samples, so a gap in the data
-- never shows as a day's gain. Renames stitched (one series under the latest name).
-- Reads star_days (sql/summary/), each name's last sample of each day, rebuilt from github_stars
-- when github_stars has changed; sql/analyses/direct/daily-gains.sql is the same straight from the table.
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
select repo, day * 86400 as day, stars,
  case when day - lag(day) over w = 1 then stars - lag(stars) over w end as new_stars
from daily
window w as (partition by repo order by day)
-- daily.day: the day number, in the order the rows already have (day * 86400 would sort again).
order by repo collate "C", daily.day;
