-- Rebuilds star_days from github_stars, as one transaction (the statements run together):
-- concurrent rebuilds take turns; the marker is written first, so data a load commits during
-- the rebuild can only make the summary newer than its marker (rebuilt again next time, never
-- stale). The per-day samples are those the direct queries compute (day_samples in
-- sql/shared-queries.sql): one backward probe of the (repo, ts) primary key per repo and day.
select begin_summary_build('star_days');
truncate star_days;
insert into star_days (repo, day, ts, stars)
select repo, day, ts, stars from day_samples();
analyze star_days;
