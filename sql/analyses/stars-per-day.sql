-- stars-per-day (repo, stars_per_day): (last - first stars) / (last - first ts) per day, fastest
-- first; repos with a single sample have no rate and are left out. The arithmetic is the
-- article's, operation for operation, so the floats are identical.
with recursive firsts (repo, ts, stars) as (
  -- Skip scan: each step jumps through the (repo, ts) primary key to the first row of the next
  -- repo, so the cost grows with the number of repos, not the number of rows.
  (select g.repo, g.ts, g.stars from github_stars as g order by g.repo, g.ts limit 1)
  union all
  select n.repo, n.ts, n.stars
  from firsts as f
  cross join lateral (
    select g.repo, g.ts, g.stars from github_stars as g where g.repo > f.repo order by g.repo, g.ts limit 1
  ) as n
),
ends as (
  -- The last sample of each repo: one backward index probe each.
  select f.repo, f.ts as first_ts, f.stars as first_stars, l.ts as last_ts, l.stars as last_stars
  from firsts as f
  cross join lateral (
    select g.ts, g.stars from github_stars as g where g.repo = f.repo order by g.ts desc limit 1
  ) as l
)
select repo,
  cast(last_stars - first_stars as float) / cast(last_ts - first_ts as float) * (24 * 60 * 60) as stars_per_day
from ends
where last_ts > first_ts
order by stars_per_day desc, repo collate "C";
