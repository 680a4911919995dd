-- Commit versions come from one sequence, so every region's version grows whichever pipeline (live
-- consumer, replay of a file) committed last.
create sequence if not exists commit_version;
select setval('commit_version', (select coalesce(max(version), 0) + 1 from pipeline_state), false);

-- Message ids seen within the dedupe window, stored with the offsets: a redelivered or replayed copy
-- counts once, and the state survives restarts. first_at is the first copy's event time (stream time).
create table if not exists seen_messages (
  id text primary key,
  first_at timestamptz not null
);
create index if not exists seen_messages_first_at on seen_messages (first_at);
