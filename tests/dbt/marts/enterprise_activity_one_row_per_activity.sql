-- enterprise_activity holds each (enterprise, kind, key, year) once. Its patents, certificates
-- and financing come from the de-duplicated kept rows, one per key, and the model adds them
-- without a distinct (models/marts/enterprise_activity.sql): this fails if that stops holding.
select
    uscc,
    activity_kind,
    activity_key,
    activity_year,
    count(*) as rows_for_activity
from {{ ref('enterprise_activity') }}
group by all
having count(*) > 1
