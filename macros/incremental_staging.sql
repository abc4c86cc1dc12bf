{#-
    Staging is incremental by package: stg_<dataset>__checked parses each raw row once, in the
    run that ingested it, and keeps the earlier years' parsed rows as they were.

    Every raw row carries the `_run_id` of the ingest that wrote it, and ingest replaces a year's
    rows whole, so a year whose `_run_id` in raw differs from the one in the staged table (or
    that raw no longer holds) has changed:
      restage_changed_years(dataset) (the pre-hook of each __checked model, given its dataset)
                                deletes the staged rows of every such year;
      raw_rows_to_stage(source, dataset) (the import CTE of each __checked model, given its raw
                                source and dataset name)
                                selects the raw rows whose `_run_id` is not staged, i.e. the
                                changed years. Each model reads it `not materialized`
                                (pending_runs below says why).
    On the first build, a --full-refresh, or when the project's code changed since the last
    build (orchestration/transform/batch_build.py decides), everything is parsed afresh.

    The office's report-row adjustments (raw._adjustments, written by the run before dbt for
    every loaded year; orchestration/adjustments_io.py) are applied here, before cleaning:
    `set_value` replaces the cell as written (so the new value goes through the same checks),
    `exclude_row` hands the row a `_adjust_exclude` failure (check adjusted_exclude), which
    row_failures() makes its only failure. Raw keeps what was handed in. Each staged row carries
    `_adjustments_sig`, a digest of its year's adjustments of the dataset: when the office
    changes a year's adjustments, the year's staged rows no longer match and are parsed again,
    as when its package changed.
-#}
{% macro raw_rows_to_stage(raw_relation, dataset) -%}
    with

    raw_rows as not materialized (
        select * from {{ raw_relation }}
    ),

    adjustment_rows as (
        select
            adjustments._assessment_year,
            adjustments.source_file,
            coalesce(adjustments.sheet, '') as sheet,
            adjustments.source_row,
            map_from_entries(
                list({'key': adjustments.column_name, 'value': adjustments.value})
                    filter (where adjustments.kind = 'set_value')
            ) as set_values,
            first({
                'column_name': '',
                'check_name': 'adjusted_exclude',
                'value_as_written': cast(null as varchar),
                'message': '按调整 ' || adjustments.adjustment_id || ' 剔除此行：' || coalesce(adjustments.reason, '')
                    || ' / Excluded by adjustment ' || adjustments.adjustment_id || ': ' || coalesce(adjustments.reason, '')
            } order by adjustments.adjustment_id) filter (where adjustments.kind = 'exclude_row') as exclude_failure
        from {{ source('raw', '_adjustments') }} as adjustments
        where adjustments.dataset = '{{ dataset }}'
        group by all
    ),

    signatures as (
        {{ adjustment_signatures(dataset) }}
    ),

    adjusted as (
        select
            raw_rows.* replace (
                {%- for col in contract_columns(dataset) %}
                coalesce(adjustment_rows.set_values[{{ "'" ~ col.name ~ "'" }}], raw_rows.{{ col.name }}) as {{ col.name }}{{ "," if not loop.last }}
                {%- endfor %}
            ),
            adjustment_rows.exclude_failure as _adjust_exclude,
            coalesce(signatures.adjustments_sig, '') as _adjustments_sig
        from raw_rows
        left join adjustment_rows
            on raw_rows._assessment_year = adjustment_rows._assessment_year
            and raw_rows._source_file = adjustment_rows.source_file
            and coalesce(raw_rows._sheet, '') = adjustment_rows.sheet
            and raw_rows._source_row = adjustment_rows.source_row
        left join signatures
            on raw_rows._assessment_year = signatures._assessment_year
    )

    {%- if is_incremental() %},

    {#- The (year, run) pairs of raw whose rows are not staged: a row's `_adjustments_sig` is its
        year's, so whether it is staged depends on its year and run only. A semi join on the
        pairs lets DuckDB skip the other years' row groups of raw as it scans them (it pushes
        the pairs' range of years into the scan), which makes raw cheap to read again: each
        __checked model reads it `not materialized`, once per looked-up column (national
        patents 6.4 -> 5.5 s alone, half the memory: docs/benchmarks.md, issue 21). -#}
    pending_runs as (
        select raw_runs._assessment_year, raw_runs._run_id
        from (
            select distinct raw_rows._assessment_year, raw_rows._run_id from raw_rows
        ) as raw_runs
        left join signatures
            on raw_runs._assessment_year = signatures._assessment_year
        where raw_runs._run_id || '#' || coalesce(signatures.adjustments_sig, '')
            not in (select distinct staged._run_id || '#' || staged._adjustments_sig from {{ this }} as staged)
    )

    select * from adjusted
    semi join pending_runs
        on adjusted._assessment_year = pending_runs._assessment_year
        and adjusted._run_id = pending_runs._run_id
    {%- else %}

    select * from adjusted
    {%- endif %}
{%- endmacro %}


{#- (_assessment_year, adjustments_sig): a digest of each year's report-row adjustments of
    `dataset`; a year without any has none (its rows carry ''). -#}
{% macro adjustment_signatures(dataset) -%}
    select
        adjustments._assessment_year,
        md5(string_agg(
            concat_ws('|', adjustments.adjustment_id, adjustments.kind, adjustments.source_file,
                coalesce(adjustments.sheet, ''), adjustments.source_row, coalesce(adjustments.column_name, ''),
                coalesce(adjustments.value, ''), coalesce(adjustments.reason, '')),
            chr(10) order by adjustments.adjustment_id
        )) as adjustments_sig
    from {{ source('raw', '_adjustments') }} as adjustments
    where adjustments.dataset = '{{ dataset }}'
    group by adjustments._assessment_year
{%- endmacro %}


{% macro restage_changed_years(dataset) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where _run_id || '#' || _adjustments_sig not in (
        select distinct raw_rows._run_id || '#' || coalesce(signatures.adjustments_sig, '')
        from {{ source('raw', dataset) }} as raw_rows
        left join ({{ adjustment_signatures(dataset) }}) as signatures
            on raw_rows._assessment_year = signatures._assessment_year
    )
    {%- endif -%}
{%- endmacro %}
