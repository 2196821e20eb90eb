-- final-stars (repo, stars): each repo's stars at its last sample, most first; ties by name.
-- repo_ends (sql/shared-queries.sql) skip-scans the (repo, ts) primary key: one step per repo.
select repo, last_stars as stars
from repo_ends()
order by stars desc, repo collate "C";
