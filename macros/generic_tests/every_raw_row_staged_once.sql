{#- Every raw row of `dataset` lands in exactly one of stg_<dataset> and stg_<dataset>__rejected
    (counted once however many checks it failed), and nothing lands there that is not in raw.
    Returns the offending _row_ids with how many times they landed. -#}
{% test every_raw_row_staged_once(model, dataset) %}

with

raw_rows as (
    select {{ row_id(dataset, 'raw_table') }} as _row_id
    from {{ source('raw', dataset) }} as raw_table
),

kept as (
    select _row_id from {{ model }}
),

rejected as (
    select distinct _row_id from {{ ref('stg_' ~ dataset ~ '__rejected') }}
),

landed as (
    select landed_rows._row_id, count(*) as times_landed
    from (select * from kept union all select * from rejected) as landed_rows
    group by all
)

select
    coalesce(raw_rows._row_id, landed._row_id) as _row_id,
    raw_rows._row_id is not null as is_in_raw,
    coalesce(landed.times_landed, 0) as times_landed
from raw_rows
full outer join landed on raw_rows._row_id = landed._row_id
where raw_rows._row_id is null or coalesce(landed.times_landed, 0) <> 1

{% endtest %}
