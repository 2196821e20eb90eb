-- The pre-summary version: a window over each whole series, straight from github_stars
-- (repo_days(true), sql/shared-queries.sql). Kept as the oracle the summary-based
-- sql/analyses/bursts.sql, with its join of candidate days, must equal
-- (test/insights-summary.test.ts, bench/analysis.bench.ts).
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
with gains as (
  -- The name in byte order ("C"), as repo_days sorted it: both windows partition by it unsorted.
  select repo collate "C" as repo, day, stars,
    case when day - lag(day) over w = 1 then stars - lag(stars) over w end as gain
  from repo_days(true) as daily
  window w as (partition by repo collate "C" order by day)
),
windows as (
  select repo, day, stars, gain,
    array_agg(gain) filter (where gain is not null) over w as past,
    max(stars) over w as past_high
  from gains
  window w as (partition by repo order by day range between 14 preceding and 1 preceding)
),
candidates as (
  -- Only days big enough to qualify pay for the medians.
  select * from windows where gain >= 50 and cardinality(past) >= 7
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
