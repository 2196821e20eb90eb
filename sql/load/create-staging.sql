-- Rows of a load into a table that already has rows land here first, unindexed.
create temp table github_stars_load (
  repo  varchar(255) not null,
  ts    bigint       not null,
  stars integer      not null
) on commit drop;
