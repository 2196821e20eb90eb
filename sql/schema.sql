-- The star history table, as in the article but with ts as bigint (epoch seconds outlive 2038).
-- The primary key (repo, ts) is the only index the analyses need: they skip-scan it.
create table if not exists github_stars (
  repo  varchar(255) not null,
  ts    bigint       not null,
  stars integer      not null,
  constraint github_stars_pkey primary key (repo, ts)
);
