-- daily-gains (repo, day, stars, new_stars): each repo's stars at its last sample of each UTC day
-- (day: epoch seconds of its midnight) and the new stars since the previous day's last sample;
-- new_stars is null on a repo's first day and after a day without samples, so a gap in the data
-- never shows as a day's gain. Renames stitched (one series under the latest name).
-- $1 (direct): false reads star_days (sql/summary/), each name's last sample of each day, rebuilt
-- from github_stars when github_stars has changed; true computes the same straight from the table,
-- the oracle (repo_days in sql/shared-queries.sql).
select repo, day * 86400 as day, stars,
  case when day - lag(day) over w = 1 then stars - lag(stars) over w end as new_stars
from repo_days($1::boolean) as daily
-- In the order repo_days gives, so neither the window nor the result sorts again.
window w as (partition by repo collate "C" order by day)
-- daily.day: the day number (day * 86400 would sort again).
order by repo collate "C", daily.day;
