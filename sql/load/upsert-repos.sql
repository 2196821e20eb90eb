-- Every name each repo id had ($1 ids, $2 names, $3 first seen, $4 last seen): a name seen
-- again widens its period (first_ts the least, last_ts the greatest), so loads in any order agree.
with upserted as (
  insert into repos (repo_id, repo, first_ts, last_ts)
  select * from unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[])
  on conflict (repo_id, repo) do update
    set first_ts = least(repos.first_ts, excluded.first_ts),
        last_ts = greatest(repos.last_ts, excluded.last_ts)
  returning 1
)
select count(*)::bigint as upserted from upserted;
