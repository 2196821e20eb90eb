-- size-vs-growth (repo, stars, stars_per_day): final stars beside the rate, biggest first.
-- repo_ends (sql/shared-queries.sql) skip-scans the (repo, ts) primary key: one step per repo.
select repo, last_stars as stars,
  cast(last_stars - first_stars as float) / cast(last_ts - first_ts as float) * (24 * 60 * 60) as stars_per_day
from repo_ends()
where last_ts > first_ts
order by stars desc, repo collate "C";
