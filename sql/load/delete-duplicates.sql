-- The file repeated some (repo, ts): keep the first occurrence (lowest ctid, i.e. file order
-- within one COPY), as `on conflict do nothing` would have. Returns how many went.
with deleted as (
  delete from github_stars g
  using (
    select ctid
    from (select ctid, row_number() over (partition by repo, ts order by ctid) as n from github_stars) numbered
    where n > 1
  ) dup
  where g.ctid = dup.ctid
  returning 1
)
select count(*)::bigint as deleted from deleted;
