select not exists (select 1 from github_stars) as empty;
