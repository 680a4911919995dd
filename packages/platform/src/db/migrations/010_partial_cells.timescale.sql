-- TimescaleDB only: the cells of 009 become the hypertables 005 made of the former tables, compressed
-- segment by region (a cell holds all of a region's metrics).
select create_hypertable('agg_1m_cells', 'bucket', chunk_time_interval => interval '1 day', if_not_exists => true, migrate_data => true);
select create_hypertable('agg_1h_cells', 'bucket', chunk_time_interval => interval '30 days', if_not_exists => true, migrate_data => true);
select create_hypertable('agg_1d_cells', 'bucket', chunk_time_interval => interval '365 days', if_not_exists => true, migrate_data => true);
alter table agg_1m_cells set (timescaledb.compress, timescaledb.compress_segmentby = 'region', timescaledb.compress_orderby = 'bucket');
alter table agg_1h_cells set (timescaledb.compress, timescaledb.compress_segmentby = 'region', timescaledb.compress_orderby = 'bucket');
