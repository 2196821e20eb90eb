-- The per-day summaries the insight analyses read instead of github_stars, and how their
-- freshness is known. Created when an insight first needs them (analysis/queries/summary.ts).

-- startrail_meta: 'generation' counts the statements that changed github_stars (the trigger
-- below); 'star_days' and 'star_times' hold the generation (and github_stars' oid) each
-- summary was built from. A summary is fresh when its marker equals the current one.
create table if not exists startrail_meta (
  key   text primary key,
  value text not null
);
insert into startrail_meta (key, value) values ('generation', '0') on conflict (key) do nothing;

-- Each name's last sample of each UTC day (day = ts / 86400): all that daily gains, ranks and
-- bursts read, about 1/96 of the rows at the collector's 15-minute cadence.
create table if not exists star_days (
  repo  varchar(255) not null,
  day   bigint       not null,
  ts    bigint       not null,
  stars integer      not null,
  primary key (repo, day)
);

-- Each distinct sample time and the repos it holds: coverage inferred without a polls table.
create table if not exists star_times (
  ts    bigint primary key,
  repos int    not null
);

-- One row update per statement that writes github_stars (COPY, insert, update, delete,
-- truncate), in that statement's transaction: a load, startrail's or a psql \copy, marks the
-- summaries stale exactly when it commits, and a rolled-back one never does. Per statement,
-- not per row, so the bulk COPY pays nothing per row. The search path is pinned so the
-- trigger finds this schema's meta table whoever writes; without it the trigger does nothing.
create or replace function startrail_bump_generation() returns trigger
language plpgsql
set search_path from current
as $$
begin
  if to_regclass('startrail_meta') is not null then
    update startrail_meta set value = (value::bigint + 1)::text where key = 'generation';
  end if;
  return null;
end
$$;

create or replace trigger github_stars_summary_generation
after insert or update or delete or truncate on github_stars
for each statement execute function startrail_bump_generation();
