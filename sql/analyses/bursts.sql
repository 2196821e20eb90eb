-- bursts (repo, day, gain, baseline, multiple, score): days on which a repo gained far more stars
-- than its own recent baseline, strongest first. gain: new stars since the previous day's last
-- sample, only between consecutive days that both have samples (a gap never makes a burst);
-- baseline: the median gain over the 14 days before (the day itself left out, so the burst cannot
-- hide itself); score: (gain - baseline) / (1.4826 * MAD), a robust z-score, with the scale never
-- below sqrt(baseline) (stars arrive roughly as a Poisson count) nor below 1 star.
-- A burst must also: have at least 7 gains in its window (a series' first week has no
-- baseline), exceed the baseline by 50 stars and three times over, score 10 or more (tuned on
-- the real daily data, where smaller jumps are everyday noise), and take the repo
-- to a new high (at least half the gain above its highest count in the window), so winning back
-- stars lost in a drop is not a burst. Renames stitched, so a rename is not a burst either.
-- $1 (direct): false reads star_days (sql/summary/), each name's last sample of each day, rebuilt
-- from github_stars when github_stars has changed, and finds each candidate's window by a join;
-- true is the oracle the summary path must equal: the same series straight from the table
-- (repo_days in sql/shared-queries.sql) and a window over each whole series.
with gains as (
  -- The name in byte order ("C"), as repo_days sorted it: grouping by it below sorts cheaply.
  select repo collate "C" as repo, day, stars,
    case when day - lag(day) over w = 1 then stars - lag(stars) over w end as gain
  from repo_days($1::boolean) as daily
  window w as (partition by repo collate "C" order by day)
),
candidates as (
  -- Only days big enough to qualify pay for a window: the 14 days before each, joined on
  -- (repo, day), instead of an array per day of every series (most of the query's time).
  -- The array's order does not matter: the medians sort it.
  select c.repo, c.day, c.stars, c.gain,
    array_agg(g.gain) filter (where g.gain is not null) as past,
    max(g.stars) as past_high
  from gains as c
  cross join lateral generate_series(c.day - 14, c.day - 1) as d (day)
  join gains as g on g.repo = c.repo and g.day = d.day
  where c.gain >= 50 and not $1::boolean
  group by c.repo, c.day, c.stars, c.gain
  having cardinality(array_agg(g.gain) filter (where g.gain is not null)) >= 7
  union all
  -- The oracle's way: a window over each whole series (the branch not chosen never runs).
  select repo, day, stars, gain, past, past_high
  from (
    select repo, day, stars, gain,
      array_agg(gain) filter (where gain is not null) over w as past,
      max(stars) over w as past_high
    from gains
    where $1::boolean
    window w as (partition by repo order by day range between 14 preceding and 1 preceding)
  ) as windows
  where gain >= 50 and cardinality(past) >= 7
),
scored as (
  select c.repo, c.day, c.gain, c.stars, c.past_high, b.baseline,
    greatest(1.4826 * b.mad, sqrt(greatest(b.baseline, 1))) as scale
  from candidates as c
  cross join lateral (
    select m.baseline,
      (select percentile_cont(0.5) within group (order by abs(x - m.baseline)) from unnest(c.past) as x) as mad
    from (select percentile_cont(0.5) within group (order by x) as baseline from unnest(c.past) as x) as m
  ) as b
)
select repo, day * 86400 as day, gain, baseline,
  gain / greatest(baseline, 1) as multiple,
  (gain - baseline) / scale as score
from scored
where gain - baseline >= 50
  and gain >= 3 * greatest(baseline, 1)
  and (gain - baseline) / scale >= 10
  and stars - past_high >= gain / 2.0
order by score desc, gain desc, repo collate "C", day;
