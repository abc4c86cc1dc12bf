{#-
    The de-duplication every int_<dataset>_deduplicated model shares, as four CTEs ending in
    `flagged`: one row per input row, with
      is_kept        the one row kept per key: the latest assessment year, then the first file,
                     sheet and row (deterministic);
      kept_*         which row was kept;
      is_conflict    a dropped row whose other values disagree with the kept row in the same
                     package year (a later year's package updating a fact is an update);
      reported_by, source_row_ids, rows_in_group   who reported the fact, and where.
    key_columns: the contract key; compare_columns: the other values compared for conflicts;
    per_year: true for datasets a package lists afresh every year (carriers, tenants, claims…),
    false for facts that are one fact however often and in whichever year reported (events).
    The caller writes `with <input_cte> as (...), {{ flag_duplicates(...) }}`.
-#}
{% macro flag_duplicates(input_cte, key_columns, compare_columns, per_year) -%}
{%- set year_part = '_assessment_year, ' if per_year else '' -%}
{%- set on_key -%}
    {% if per_year %}keyed._assessment_year = shared_keys._assessment_year and {% endif -%}
    keyed.dedup_key = shared_keys.dedup_key
{%- endset -%}
keyed as (
    select
        {{ input_cte }}.*,
        {% for column in key_columns -%}
        {{ "|| '|' || " if not loop.first }}coalesce(cast({{ adapter.quote(column) }} as varchar), '')
        {% endfor -%} as dedup_key
    from {{ input_cte }}
),

{#- Most keys are reported once: only the rows of keys reported more than once are ranked and
    compared (a hash aggregate over all rows, a sort over the few), which keeps this cheap at
    national scale (docs/benchmarks.md). -#}
shared_keys as (
    select {{ year_part }}dedup_key
    from keyed
    group by all
    having count(*) > 1
),

single_rows as (
    select
        keyed.*,
        keyed._row_id as kept_row_id,
        keyed._assessment_year as kept_assessment_year,
        keyed._source_file as kept_source_file,
        keyed._source_row as kept_source_row,
        true as is_kept,
        false as is_conflict,
        cast(keyed.carrier_id as varchar) as reported_by,
        cast(keyed._row_id as varchar) as source_row_ids,
        cast(1 as bigint) as rows_in_group
    from keyed
    anti join shared_keys
        on {{ on_key }}
),

shared_rows as (
    select
        keyed.*,
        md5(cast(row(
            {%- for column in compare_columns %}keyed.{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
        ) as varchar)) as compare_hash
    from keyed
    semi join shared_keys
        on {{ on_key }}
),

ranked as (
    select
        shared_rows.*,
        row_number() over by_key as dedup_rank,
        first_value(shared_rows._row_id) over by_key as kept_row_id,
        first_value(shared_rows._assessment_year) over by_key as kept_assessment_year,
        first_value(shared_rows._source_file) over by_key as kept_source_file,
        first_value(shared_rows._source_row) over by_key as kept_source_row,
        first_value(shared_rows.compare_hash) over by_key as kept_compare_hash
    from shared_rows
    window by_key as (
        partition by {{ year_part }}dedup_key
        order by
            shared_rows._assessment_year desc, shared_rows._source_file, shared_rows._sheet,
            shared_rows._source_row
    )
),

groups as (
    select
        {{ year_part }}dedup_key,
        string_agg(distinct carrier_id, ',' order by carrier_id) as reported_by,
        string_agg(_row_id, ',' order by _row_id) as source_row_ids,
        count(*) as rows_in_group
    from shared_rows
    group by all
),

flagged_shared as (
    select
        ranked.* exclude (dedup_rank, compare_hash, kept_compare_hash),
        ranked.dedup_rank = 1 as is_kept,
        ranked.compare_hash <> ranked.kept_compare_hash
            and ranked._assessment_year = ranked.kept_assessment_year as is_conflict,
        groups.reported_by,
        groups.source_row_ids,
        groups.rows_in_group
    from ranked
    inner join groups
        on {% if per_year %}ranked._assessment_year = groups._assessment_year and {% endif -%}
        ranked.dedup_key = groups.dedup_key
),

flagged as (
    select * from flagged_shared
    union all by name
    select * from single_rows
)
{%- endmacro %}
