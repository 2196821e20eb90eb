-- total-gain (total_increase): the sum over repos of last minus first stars.
-- repo_ends (sql/shared-queries.sql) skip-scans the (repo, ts) primary key: one step per repo.
select sum(last_stars - first_stars) as total_increase
from repo_ends();
