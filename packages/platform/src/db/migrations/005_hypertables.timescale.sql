-- TimescaleDB only: the aggregate tables become hypertables (chunked by bucket time) with columnar
-- compression segmented by region and metric, the way series and rankings read them. Policies
-- (when to compress, how long to keep) are applied at start from configuration.
select create_hypertable('agg_1m', 'bucket', chunk_time_interval => interval '1 day', if_not_exists => true, migrate_data => true);
select create_hypertable('agg_1h', 'bucket', chunk_time_interval => interval '30 days', if_not_exists => true, migrate_data => true);
select create_hypertable('agg_1d', 'bucket', chunk_time_interval => interval '365 days', if_not_exists => true, migrate_data => true);
alter table agg_1m set (timescaledb.compress, timescaledb.compress_segmentby = 'region, metric', timescaledb.compress_orderby = 'bucket');
alter table agg_1h set (timescaledb.compress, timescaledb.compress_segmentby = 'region, metric', timescaledb.compress_orderby = 'bucket');
