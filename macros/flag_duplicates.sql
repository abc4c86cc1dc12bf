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
keyed as (
    select
        {{ input_cte }}.*,
        {% for column in key_columns -%}
        {{ "|| '|' || " if not loop.first }}coalesce(cast({{ adapter.quote(column) }} as varchar), '')
        {% endfor -%} as dedup_key,
        md5(cast(row(
            {%- for column in compare_columns %}{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
        ) as varchar)) as compare_hash
    from {{ input_cte }}
),

ranked as (
    select
        keyed.*,
        row_number() over by_key as dedup_rank,
        first_value(keyed._row_id) over by_key as kept_row_id,
        first_value(keyed._assessment_year) over by_key as kept_assessment_year,
        first_value(keyed._source_file) over by_key as kept_source_file,
        first_value(keyed._source_row) over by_key as kept_source_row,
        first_value(keyed.compare_hash) over by_key as kept_compare_hash
    from keyed
    window by_key as (
        partition by {{ year_part }}dedup_key
        order by
            keyed._assessment_year desc, keyed._source_file, keyed._sheet, keyed._source_row
    )
),

groups as (
    select
        {{ year_part }}dedup_key,
        string_agg(distinct carrier_id, ',' order by carrier_id) as reported_by,
        string_agg(_row_id, ',' order by _row_id) as source_row_ids,
        count(*) as rows_in_group
    from keyed
    group by all
),

flagged as (
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
)
{%- endmacro %}
