-- stars-per-day (repo, stars_per_day): (last - first stars) / (last - first ts) per day, fastest
-- first; repos with a single sample have no rate and are left out. The arithmetic is the
-- article's, operation for operation, so the floats are identical.
-- repo_ends (sql/shared-queries.sql) skip-scans the (repo, ts) primary key: one step per repo.
select repo,
  cast(last_stars - first_stars as float) / cast(last_ts - first_ts as float) * (24 * 60 * 60) as stars_per_day
from repo_ends()
where last_ts > first_ts
order by stars_per_day desc, repo collate "C";
