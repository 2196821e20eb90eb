-- The tables the insights read beside github_stars; created if absent, so the analyses run (with
-- renames not stitched and coverage inferred) on a database loaded from the article's CSV alone.

-- Every name a GitHub repository id (databaseId) had, with when it was first and last seen under it.
-- A rename or transfer adds a row with the same repo_id; the row with the latest last_ts is the
-- repository's current name, under which its whole history is shown.
create table if not exists repos (
  repo_id  bigint       not null,
  repo     varchar(255) not null,
  first_ts bigint       not null,
  last_ts  bigint       not null,
  primary key (repo_id, repo)
);

-- One record per collector run and track (core/domain.ts Poll): the collector's own health.
create table if not exists polls (
  track       text        not null,
  ts          bigint      not null,
  status      text        not null,
  expected    int,
  written     int,
  rejected    int,
  points      int,
  requests    int,
  duration_ms int,
  started_at  timestamptz,
  error       text,
  primary key (track, ts)
);
