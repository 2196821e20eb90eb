-- time-span (repos, first_ts, last_ts): how many repos and which period the table covers.
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
select count(*) as repos, min(first_ts) as first_ts, max(last_ts) as last_ts
from ends;
