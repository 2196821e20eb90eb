-- renames (repo_id, repo, canonical, first_ts, last_ts): every name of a repository that had more
-- than one, and the latest name its history is stitched under; empty when the data carries no ids.
with id_names (repo_id, canonical) as (
  -- The latest name of each repository id.
  select distinct on (r.repo_id) r.repo_id, r.repo
  from repos as r
  order by r.repo_id, r.last_ts desc, r.repo collate "C"
)
select r.repo_id, r.repo, l.canonical, r.first_ts, r.last_ts
from repos as r
join id_names as l on l.repo_id = r.repo_id
where exists (select 1 from repos as o where o.repo_id = r.repo_id and o.repo <> r.repo)
order by l.canonical collate "C", r.first_ts, r.repo collate "C";
