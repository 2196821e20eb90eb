-- repo-history (repo, ts, stars, change): every sample of the chosen repos ($1, a text array of
-- current names), with the change since the repo's previous sample (null on its first). Renames
-- are stitched: the samples of a repo's earlier names (repos table) are shown under the chosen name.
with latest_names (repo, canonical) as (
  -- Each name maps to the latest name of the id it belonged to (most recently, if it was reused).
  select distinct on (r.repo) r.repo, l.repo
  from repos as r
  cross join lateral (
    select n.repo from repos as n where n.repo_id = r.repo_id order by n.last_ts desc, n.repo collate "C" limit 1
  ) as l
  order by r.repo, r.last_ts desc
),
names (repo, canonical) as (
  select c.repo, c.canonical from latest_names as c where c.canonical = any($1::text[])
  union
  select w.repo, w.repo from unnest($1::text[]) as w (repo)
),
samples as (
  -- On a rename both names could hold the same slot: keep one sample per time.
  select distinct on (n.canonical, g.ts) n.canonical as repo, g.ts, g.stars
  from names as n
  join github_stars as g on g.repo = n.repo
  order by n.canonical, g.ts, g.repo = n.canonical desc
)
select repo, ts, stars,
  stars - lag(stars) over (partition by repo order by ts) as change
from samples
order by repo collate "C", ts;
