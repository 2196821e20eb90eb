-- coverage (track, day, cadence, expected, present, partial, failed, missing, repos_min,
-- repos_avg, repos_max): per track and UTC day (epoch seconds of its midnight), the poll slots
-- expected (96 a full day at the collector's 15 minutes; fewer on the first and last day), how
-- many polls ended ok, partial or failed, how many left no record at all, and the repos per poll.
-- From the polls table when it has rows; else inferred from the sample times in github_stars
-- (track '(inferred)', cadence the most common gap: a day for daily data): poll_slots
-- (sql/shared-queries.sql). $1 (direct): false reads the sample times from star_times
-- (sql/summary/), counted from github_stars once per change; true counts them straight from the
-- table, the oracle.
select track, ts / 86400 * 86400 as day, step as cadence,
  count(*) as expected,
  count(*) filter (where status = 'ok') as present,
  count(*) filter (where status = 'partial') as partial,
  count(*) filter (where status = 'failed') as failed,
  count(*) filter (where status = 'missing') as missing,
  min(repos) as repos_min,
  round(avg(repos), 1)::float8 as repos_avg,
  max(repos) as repos_max
from poll_slots($1::boolean)
group by track, ts / 86400, step
order by track collate "C", day;
