-- Freshness per region, committed with the data: the newest event time seen in the region, the
-- pipeline version and time of the last commit that changed it. Screens show it and mark staleness.
create table if not exists region_state (
  region text primary key,
  version bigint not null,
  event_time timestamptz,
  committed_at timestamptz not null
);
