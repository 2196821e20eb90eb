-- Adds the staged rows whose (repo, ts) is new; rows already present (or repeated in the
-- file) are skipped, never updated: a reload adds nothing.
with inserted as (
  insert into github_stars (repo, ts, stars)
  select repo, ts, stars from github_stars_load
  on conflict (repo, ts) do nothing
  returning 1
)
select count(*)::bigint as inserted from inserted;
