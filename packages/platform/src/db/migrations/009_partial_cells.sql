-- One stored row per region and bucket holding every metric's partial (a "cell", as the ingest folds
-- them), instead of one row per region, metric and bucket. The demo city's stream wrote about one
-- minute row per message — a leaf community gets a few messages a minute, each with a handful of
-- metrics — and PostgreSQL spends its 7–8 µs on every new row whatever its width: a cell holds about
-- 6.6 of them (docs/benchmarks.md). agg_1m, agg_1h and agg_1d stay what every reader reads, now views
-- that unfold the cells; inserting into them merges into the cells.
--
-- The columns are parallel arrays, element i of each belonging to metric[i] (in no particular order; see
-- @city/metrics Partial): n observations, sum, w (weights or denominators), min, max, x (histogram /
-- latest-per-device maps). Every writer builds a cell's arrays together (the ingest cell by cell,
-- merge_partial_cells a metric at a time, the copy below in one aggregation), so they line up.
create table if not exists agg_1m_cells (
  region text not null,
  bucket timestamptz not null,
  metric text[] not null,
  n double precision[] not null,
  sum double precision[] not null,
  w double precision[] not null,
  min double precision[] not null,
  max double precision[] not null,
  x jsonb[] not null,
  primary key (region, bucket)
);
create table if not exists agg_1h_cells (like agg_1m_cells including all);
create table if not exists agg_1d_cells (like agg_1m_cells including all);

-- Two cells of one region and bucket as one, metric by metric exactly as mergeInto() in @city/metrics:
-- counts and sums add up, extremes keep the extreme, maps merge with merge_partial_x; a metric only one
-- side has is kept as it is. A loop over the few metrics of a cell: the same as a full join of the two
-- cells' unnested arrays in SQL took 230 µs a call, this 7.5 µs.
create or replace function merge_partial_cells(
  am text[], an float8[], asum float8[], aw float8[], amin float8[], amax float8[], ax jsonb[],
  bm text[], bn float8[], bsum float8[], bw float8[], bmin float8[], bmax float8[], bx jsonb[],
  out metric text[], out n float8[], out sum float8[], out w float8[], out min float8[], out max float8[], out x jsonb[])
language plpgsql immutable as $$
declare
  i int;
  j int;
begin
  metric := am; n := an; sum := asum; w := aw; min := amin; max := amax; x := ax;
  for i in 1 .. coalesce(array_length(bm, 1), 0) loop
    j := array_position(metric, bm[i]);
    if j is null then
      metric := array_append(metric, bm[i]); n := array_append(n, bn[i]); sum := array_append(sum, bsum[i]);
      w := array_append(w, bw[i]); min := array_append(min, bmin[i]); max := array_append(max, bmax[i]); x := array_append(x, bx[i]);
    else
      n[j] := n[j] + bn[i]; sum[j] := sum[j] + bsum[i]; w[j] := w[j] + bw[i];
      min[j] := least(min[j], bmin[i]); max[j] := greatest(max[j], bmax[i]);
      if bx[i] is not null then
        x[j] := case when x[j] is null then bx[i] else merge_partial_x(x[j], bx[i]) end;
      end if;
    end if;
  end loop;
end
$$;

-- Rows of the former tables, cell by cell.
insert into agg_1m_cells
select region, bucket, array_agg(metric), array_agg(n), array_agg(sum), array_agg(w), array_agg(min), array_agg(max), array_agg(x)
from agg_1m group by region, bucket;
insert into agg_1h_cells
select region, bucket, array_agg(metric), array_agg(n), array_agg(sum), array_agg(w), array_agg(min), array_agg(max), array_agg(x)
from agg_1h group by region, bucket;
insert into agg_1d_cells
select region, bucket, array_agg(metric), array_agg(n), array_agg(sum), array_agg(w), array_agg(min), array_agg(max), array_agg(x)
from agg_1d group by region, bucket;
-- One by one: TimescaleDB drops a hypertable only on its own.
drop table agg_1m;
drop table agg_1h;
drop table agg_1d;

-- The views unfold only the metric names and read the other arrays by position: a query for one metric
-- then picks its values out of a cell instead of building a row for every metric first.
create view agg_1m as
  select c.region, m.metric, c.bucket, c.n[m.i] as n, c.sum[m.i] as sum, c.w[m.i] as w, c.min[m.i] as min, c.max[m.i] as max, c.x[m.i] as x
  from agg_1m_cells c cross join lateral unnest(c.metric) with ordinality as m(metric, i);
create view agg_1h as
  select c.region, m.metric, c.bucket, c.n[m.i] as n, c.sum[m.i] as sum, c.w[m.i] as w, c.min[m.i] as min, c.max[m.i] as max, c.x[m.i] as x
  from agg_1h_cells c cross join lateral unnest(c.metric) with ordinality as m(metric, i);
create view agg_1d as
  select c.region, m.metric, c.bucket, c.n[m.i] as n, c.sum[m.i] as sum, c.w[m.i] as w, c.min[m.i] as min, c.max[m.i] as max, c.x[m.i] as x
  from agg_1d_cells c cross join lateral unnest(c.metric) with ordinality as m(metric, i);

-- A row inserted into a view merges into its cell (the ingest writes the cells directly, many at once).
create or replace function insert_partial_row() returns trigger language plpgsql as $$
begin
  execute format(
    'insert into %I as c (region, bucket, metric, n, sum, w, min, max, x) values ($1, $2, array[$3], array[$4], array[$5], array[$6], array[$7], array[$8], array[$9])
     on conflict (region, bucket) do update set (metric, n, sum, w, min, max, x) = (select * from merge_partial_cells(
       c.metric, c.n, c.sum, c.w, c.min, c.max, c.x, excluded.metric, excluded.n, excluded.sum, excluded.w, excluded.min, excluded.max, excluded.x))',
    tg_table_name || '_cells')
  using new.region, new.bucket, new.metric, new.n, new.sum, new.w, new.min, new.max, new.x;
  return new;
end
$$;
create trigger insert_partial_row instead of insert on agg_1m for each row execute function insert_partial_row();
create trigger insert_partial_row instead of insert on agg_1h for each row execute function insert_partial_row();
create trigger insert_partial_row instead of insert on agg_1d for each row execute function insert_partial_row();

-- What 006 gave the tables: ranges of bucket across regions (live snapshots, today's rollups).
create index if not exists agg_1m_cells_bucket_idx on agg_1m_cells (bucket desc);
create index if not exists agg_1d_cells_bucket_idx on agg_1d_cells (bucket desc);
