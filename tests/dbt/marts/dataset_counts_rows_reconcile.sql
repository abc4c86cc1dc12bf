-- Every raw row lands in exactly one outcome: rows_read = rows_kept + rows_rejected +
-- rows_duplicate for every year × dataset × file. Returns the rows that do not add up.
select *
from {{ ref('dataset_counts') }}
where rows_read <> rows_kept + rows_rejected + rows_duplicate
