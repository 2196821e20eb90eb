-- Whether the summary tables exist and the generation trigger is on github_stars and enabled
-- (a table dropped and created again has lost it; disabled, it would miss changes).
select to_regclass('startrail_meta') is not null
  and to_regclass('star_days') is not null
  and to_regclass('star_times') is not null
  and exists (
    select 1 from pg_trigger
    where tgrelid = to_regclass('github_stars') and tgname = 'github_stars_summary_generation' and tgenabled = 'O'
  ) as ready;
