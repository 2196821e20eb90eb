-- Rebuilds star_times (each distinct sample time and how many repos it holds) from github_stars
-- (sample_times in sql/shared-queries.sql): one read of every row, built only when coverage is
-- inferred (no polls) and github_stars changed since. Same transaction and marker rules as
-- build-star-days.sql.
select begin_summary_build('star_times');
truncate star_times;
insert into star_times (ts, repos)
select ts, repos from sample_times();
analyze star_times;
