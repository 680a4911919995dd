-- merge_partial_x as an aggregate, so windows of partials can be merged in the database.
drop aggregate if exists merge_partial_x_agg(jsonb);
create aggregate merge_partial_x_agg(jsonb) (sfunc = merge_partial_x, stype = jsonb);
