-- rank-history (day, rank, repo, stars): each repo's rank among the repos tracked that UTC day, by
-- stars at the day's last sample (1 = most), ties by name; day is epoch seconds of its midnight.
-- Renames stitched (one series under the latest name).
-- $1 (direct): false reads star_days (sql/summary/), each name's last sample of each day, rebuilt
-- from github_stars when github_stars has changed; true computes the same straight from the table,
-- the oracle (repo_days in sql/shared-queries.sql).
select day * 86400 as day,
  row_number() over (partition by day order by stars desc, repo collate "C") as rank,
  repo, stars
from repo_days($1::boolean) as daily
-- The order of the ranks themselves, so the rows come out of the window without another sort.
order by daily.day, stars desc, repo collate "C";
