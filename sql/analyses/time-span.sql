-- time-span (repos, first_ts, last_ts): how many repos and which period the table covers.
-- repo_ends (sql/shared-queries.sql) skip-scans the (repo, ts) primary key: one step per repo.
select count(*) as repos, min(first_ts) as first_ts, max(last_ts) as last_ts
from repo_ends();
