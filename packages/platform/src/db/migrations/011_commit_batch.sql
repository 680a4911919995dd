-- A batch's whole commit as ONE statement: cells, work orders, quality counts, offsets, the pipeline's
-- version and watermark, the dedupe ids and region freshness, in the order the ingest ran them as
-- separate statements inside a transaction. A statement is its own transaction, so nothing else changes
-- in what a commit guarantees; what goes is a round trip per statement (twelve, BEGIN and COMMIT
-- included). Each reply waited for the worker's event loop, busy folding the next records: on the demo
-- city a commit spent a third of its time between statements (docs/benchmarks.md, eighth session).
--
-- Parameters are prefixed p_ so that none reads as a column of the tables written here.

-- One resolution's cells merged into their stored cells (see store.ts, cellLists): the nine lists
-- region, bucket, metric, n, sum, w, min, max, x, separated by the group separator (U+001D).
create or replace function upsert_partial_cells(p_table text, p_cells text) returns void
language plpgsql as $$
declare
  f text[];
begin
  if p_cells is null then
    return;
  end if;
  f := string_to_array(p_cells, E'\x1d');
  execute format(
    $q$insert into %I as c (region, bucket, metric, n, sum, w, min, max, x)
       select r, to_timestamp(b / 1000.0), string_to_array(m, ';'), string_to_array(n, ';', 'null')::float8[],
              string_to_array(s, ';', 'null')::float8[], string_to_array(w, ';', 'null')::float8[],
              string_to_array(mn, ';', 'null')::float8[], string_to_array(mx, ';', 'null')::float8[],
              string_to_array(x, E'\x1f', 'null')::jsonb[]
       from unnest(string_to_array($1, ','), string_to_array($2, ',')::float8[], string_to_array($3, ','), string_to_array($4, ','),
                   string_to_array($5, ','), string_to_array($6, ','), string_to_array($7, ','), string_to_array($8, ','),
                   string_to_array($9, E'\x1e')) as t(r, b, m, n, s, w, mn, mx, x)
       on conflict (region, bucket) do update set (metric, n, sum, w, min, max, x) = (select * from merge_partial_cells(
         c.metric, c.n, c.sum, c.w, c.min, c.max, c.x, excluded.metric, excluded.n, excluded.sum, excluded.w, excluded.min, excluded.max, excluded.x))$q$,
    p_table)
  using f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9];
end
$$;

-- Offsets move only from where the consumer read them (compare-and-set): an entry with no expected
-- offset is a partition it found no row for. Anything else raises CY409, and the whole commit is undone.
create or replace function commit_batch(
  p_consumer text, p_stream text, p_watermark timestamptz, p_dedupe_window_ms float8,
  p_cells_1m text, p_cells_1h text, p_cells_1d text,
  p_cases json, p_quality json, p_offsets json,
  p_ids json, p_id_ms text, p_regions text[], p_region_ms float8[],
  out version float8, out committed_at timestamptz)
language plpgsql as $$
declare
  moved int;
  watermark timestamptz;
begin
  perform upsert_partial_cells('agg_1m_cells', p_cells_1m);
  perform upsert_partial_cells('agg_1h_cells', p_cells_1h);
  perform upsert_partial_cells('agg_1d_cells', p_cells_1d);

  insert into cases (id, region, lineage, category, channel, severity, title, dept, stage, stage_at, reported_at, deadline, state)
  select t.id, t.region, t.lineage, t.category, t.channel, t.severity, t.title, t.dept, t.stage, t.stage_at, t.reported_at, t.deadline, t.state
  from json_to_recordset(p_cases) as t(id text, region text, lineage text[], category text, channel text, severity int, title text,
                                       dept text, stage text, stage_at timestamptz, reported_at timestamptz, deadline timestamptz, state jsonb)
  on conflict (id) do update set region = excluded.region, lineage = excluded.lineage, category = excluded.category,
    channel = excluded.channel, severity = excluded.severity, title = excluded.title, dept = excluded.dept,
    stage = excluded.stage, stage_at = excluded.stage_at, reported_at = excluded.reported_at,
    deadline = excluded.deadline, state = excluded.state;

  insert into quality as q (day, source, reason, count)
  select t.day, t.source, t.reason, t.count from json_to_recordset(p_quality) as t(day date, source text, reason text, count int8)
  on conflict (day, source, reason) do update set count = q.count + excluded.count;

  with o as (select * from json_to_recordset(p_offsets) as t(topic text, partition int, next_offset int8, expected int8)),
  fresh as (
    insert into stream_offsets (consumer, topic, partition, next_offset)
    select p_consumer, o.topic, o.partition, o.next_offset from o where o.expected is null
    on conflict do nothing returning 1),
  advanced as (
    update stream_offsets s set next_offset = o.next_offset from o
    where o.expected is not null and s.consumer = p_consumer and s.topic = o.topic and s.partition = o.partition and s.next_offset = o.expected
    returning 1)
  select (select count(*) from fresh) + (select count(*) from advanced) into moved;
  if moved <> json_array_length(p_offsets) then
    raise exception using errcode = 'CY409',
      message = format('the offsets of %s moved since it read them, or another consumer stored them first', p_consumer);
  end if;

  insert into pipeline_state as s (name, version, committed_at, watermark) values (p_stream, nextval('commit_version'), now(), p_watermark)
  on conflict (name) do update set version = excluded.version, committed_at = now(), watermark = greatest(s.watermark, excluded.watermark)
  returning s.version::float8, s.committed_at, s.watermark into version, committed_at, watermark;

  -- Every id is new here (the pipeline asked loadSeenIds and dropped the batch's own repeats); in the
  -- order of the hash index they fill twice as fast.
  insert into seen_messages (id, first_at)
  select t.id, to_timestamp(t.ms / 1000.0)
  from unnest(array(select json_array_elements_text(p_ids)), string_to_array(p_id_ms, ',')::float8[]) as t(id, ms)
  order by hashtextextended(t.id, 0);
  if watermark is not null then
    delete from seen_messages where first_at < watermark - make_interval(secs => p_dedupe_window_ms / 1000);
  end if;

  insert into region_state as s (region, version, event_time, committed_at)
  select t.r, commit_batch.version, to_timestamp(t.ms / 1000.0), now() from unnest(p_regions, p_region_ms) as t(r, ms)
  on conflict (region) do update set version = excluded.version, committed_at = excluded.committed_at,
    event_time = greatest(s.event_time, excluded.event_time);
end
$$;
