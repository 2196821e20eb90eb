-- The polls table's rows ($1..$11, one array per column): a poll already present is replaced,
-- since the collector overwrites a retried slot's record with its final outcome.
with upserted as (
  insert into polls (track, ts, status, expected, written, rejected, points, requests, duration_ms, started_at, error)
  select * from unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[],
    $9::int[], $10::timestamptz[], $11::text[])
  on conflict (track, ts) do update
    set status = excluded.status, expected = excluded.expected, written = excluded.written,
        rejected = excluded.rejected, points = excluded.points, requests = excluded.requests,
        duration_ms = excluded.duration_ms, started_at = excluded.started_at, error = excluded.error
  returning 1
)
select count(*)::bigint as upserted from upserted;
