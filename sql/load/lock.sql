-- Loads into one schema's github_stars take turns: the second waits here, then sees the
-- first one's rows and merges, so two loads at once neither duplicate rows nor deadlock.
select pg_advisory_xact_lock(hashtext('startrail.load:' || current_schema())) as locked;
