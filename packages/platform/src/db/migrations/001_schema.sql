-- Partial aggregates per (region, metric, bucket). Columns follow @city/metrics Partial:
-- n observations, sum, w (weights or denominators), min, max, x (histogram / latest-per-device maps).
create table if not exists agg_1m (
  region text not null,
  metric text not null,
  bucket timestamptz not null,
  n double precision not null,
  sum double precision not null,
  w double precision not null,
  min double precision,
  max double precision,
  x jsonb,
  primary key (region, metric, bucket)
);
create table if not exists agg_1h (like agg_1m including all);
create table if not exists agg_1d (like agg_1m including all);

-- Merges the map-shaped parts of two partials exactly as mergeInto() in @city/metrics does:
-- histogram counts add up; latest-per-device entries keep the later [ts, a, b].
create or replace function merge_partial_x(a jsonb, b jsonb) returns jsonb
language plpgsql immutable as $$
declare
  merged jsonb := coalesce(a, '{}'::jsonb);
  k text;
  v jsonb;
  cur jsonb;
begin
  if b is null then
    return a;
  end if;
  if b ? 'hist' then
    merged := jsonb_set(merged, '{hist}', coalesce(merged -> 'hist', '{}'::jsonb));
    for k, v in select * from jsonb_each(b -> 'hist') loop
      merged := jsonb_set(merged, array['hist', k],
        to_jsonb(coalesce((merged -> 'hist' ->> k)::float8, 0) + (v #>> '{}')::float8));
    end loop;
  end if;
  if b ? 'last' then
    merged := jsonb_set(merged, '{last}', coalesce(merged -> 'last', '{}'::jsonb));
    for k, v in select * from jsonb_each(b -> 'last') loop
      cur := merged -> 'last' -> k;
      if cur is null
        or (v ->> 0)::float8 > (cur ->> 0)::float8
        or ((v ->> 0)::float8 = (cur ->> 0)::float8 and ((v ->> 1)::float8 > (cur ->> 1)::float8
          or ((v ->> 1)::float8 = (cur ->> 1)::float8 and (v ->> 2)::float8 > (cur ->> 2)::float8))) then
        merged := jsonb_set(merged, array['last', k], v);
      end if;
    end loop;
  end if;
  return merged;
end;
$$;

-- Work orders: the state folded from their events (see case-state.ts), one row per case.
create table if not exists cases (
  id text primary key,
  region text,
  lineage text[] not null default '{}',
  category text not null,
  channel text not null,
  severity int not null,
  title text not null,
  dept text,
  stage text not null,
  stage_at timestamptz not null,
  reported_at timestamptz not null,
  deadline timestamptz not null,
  state jsonb not null
);
create index if not exists cases_lineage on cases using gin (lineage);
create index if not exists cases_stage_at on cases (stage_at desc);

-- Consumer positions, committed in the same transaction as the aggregates they produced.
create table if not exists stream_offsets (
  consumer text not null,
  topic text not null,
  partition int not null,
  next_offset bigint not null,
  primary key (consumer, topic, partition)
);

-- Data quality: accepted and rejected messages per local day, source and reason.
create table if not exists quality (
  day date not null,
  source text not null,
  reason text not null,
  count bigint not null,
  primary key (day, source, reason)
);

-- One row per pipeline: the commit version (grows with every flush), when it committed, the watermark.
create table if not exists pipeline_state (
  name text primary key,
  version bigint not null,
  committed_at timestamptz not null,
  watermark timestamptz
);
