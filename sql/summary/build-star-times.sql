-- Rebuilds star_times (each distinct sample time and how many repos it holds) from github_stars
-- (sample_times in sql/shared-queries.sql): one read of every row, built only when coverage is
-- inferred (no polls) and github_stars changed since. Same transaction and marker rules as
-- build-star-days.sql.
select pg_advisory_xact_lock(hashtext('startrail.summary:' || current_schema())) as locked;
insert into startrail_meta (key, value)
select 'star_times', m.value || ':' || ('github_stars'::regclass)::oid::text
from startrail_meta as m where m.key = 'generation'
on conflict (key) do update set value = excluded.value;
truncate star_times;
insert into star_times (ts, repos)
select ts, repos from sample_times();
analyze star_times;
