-- repo-history (repo, ts, stars, change): every sample of the chosen repos ($1, a text array of
-- current names), with the change since the repo's previous sample (null on its first). Renames
-- are stitched: the samples of a repo's earlier names (latest_names, sql/shared-queries.sql) are
-- shown under the chosen name.
with names (repo, canonical) as (
  select c.repo, c.canonical from latest_names() as c where c.canonical = any($1::text[])
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
