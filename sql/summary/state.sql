-- The current marker (generation and github_stars' oid) beside each summary's, and whether the
-- polls table has rows (then coverage reads it and needs no star_times).
with current (marker) as (
  select coalesce((select value from startrail_meta where key = 'generation'), '?') || ':'
    || ('github_stars'::regclass)::oid::text
)
select
  (select marker from current) is not distinct from (select value from startrail_meta where key = 'star_days') as star_days_fresh,
  (select marker from current) is not distinct from (select value from startrail_meta where key = 'star_times') as star_times_fresh,
  exists (select 1 from polls) as has_polls;
