{#-
    The de-duplication every int_<dataset>_deduplicated model shares, as CTEs ending in
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
    The caller writes `with <input_cte> as not materialized (...), {{ flag_duplicates(...) }}`.

    The same in two steps, for a dataset whose rows are too many and too wide to write again
    flagged (patents: 5.6 M national rows of both years, ~5 s of the build only to write them):
      duplicate_groups(...)  CTEs ending in `groups`: one row per key reported more than once
                             (its kept row, reporters, rows), the table `int_<dataset>_duplicate_groups`;
      flag_rows(input_cte, groups_relation, ...)  `flagged` again, each row joined to that table,
                             the view `int_<dataset>_deduplicated` (its readers flag the rows they
                             read as they read them: docs/benchmarks.md, issue 21).
    flag_duplicates is duplicate_groups and flag_rows in one query: the same rows either way.
    duplicate_groups(..., conflict_flag=true) adds `has_conflict` to each group: whether any of
    its rows is a conflict (is_conflict), so that a reader of the conflicts looks only at the
    rows of those groups (int_duplicate_rows: the national patents have none, and joining all
    5.6 M rows to their groups to find that out took ~1 s of data_quality_issues; issue 21).

    `not materialized`, on the caller's input CTE and on `keyed`: both are read several times
    (shared_keys, file_order, ranked_groups, flagged), and DuckDB would otherwise materialise
    them whole, every column of every row, before the first read. At national scale that copy
    (1.2 GB of patents) pushed the groups' aggregate over the memory cap into spilling; reading
    the table again costs less (int_patents_deduplicated 12.2 s -> 9.9 s, no spill:
    docs/benchmarks.md, issue 21). The result is the same: the CTEs are deterministic.
-#}
{% macro flag_duplicates(input_cte, key_columns, compare_columns, per_year) -%}
{{ _keyed(input_cte, key_columns, compare_columns) }}
{{ _groups(per_year) }},
{{ _flagged(per_year) }}
{%- endmacro %}


{% macro duplicate_groups(input_cte, key_columns, compare_columns, per_year, conflict_flag=false) -%}
{{ _keyed(input_cte, key_columns, compare_columns) }}
{{ _groups(per_year, conflict_flag) }}
{%- endmacro %}

{% macro flag_rows(input_cte, groups_relation, key_columns, compare_columns, per_year) -%}
{{ _keyed(input_cte, key_columns, compare_columns) }}
groups as (
    select * from {{ groups_relation }}
),

{{ _flagged(per_year) }}
{%- endmacro %}


{% macro _keyed(input_cte, key_columns, compare_columns) -%}
keyed as not materialized (
    select
        {{ input_cte }}.*,
        {% for column in key_columns -%}
        {{ "|| '|' || " if not loop.first }}coalesce(cast({{ adapter.quote(column) }} as varchar), '')
        {% endfor -%} as dedup_key,
        hash(
            {%- for column in compare_columns %}{{ input_cte }}.{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
        ) as compare_hash
    from {{ input_cte }}
),
{%- endmacro %}


{% macro _groups(per_year, conflict_flag=false) -%}
{%- set year_part = '_assessment_year, ' if per_year else '' -%}
{#- The row's place in the order that picks the kept row (file_order below). -#}
{%- set row_rank = 'file_order.file_rank * 4294967296 + keyed._source_row' -%}
{#- Most keys are reported once: only the rows of keys reported more than once are grouped and
    compared (docs/benchmarks.md, national scale). -#}
shared_keys as (
    select {{ year_part }}dedup_key, count(*) as group_rows
    from keyed
    group by all
    having count(*) > 1
),

{#- The order that picks the kept row, (year descending, file, sheet, row), as one integer per
    row: the rank of the row's (year, file, sheet) among the few the input holds, times 2^32,
    plus its row. The groups' aggregate then compares integers, not structs of strings. -#}
file_order as (
    select
        files._assessment_year,
        files._source_file,
        files._sheet,
        row_number() over (
            order by files._assessment_year desc, files._source_file, files._sheet
        ) as file_rank
    from (select distinct _assessment_year, _source_file, _sheet from keyed) as files
),

{#- One hash aggregate per shared key, no window, no string aggregate over the common case:
    the kept row is the one of the smallest rank (arg_min), the last one the largest (arg_max);
    a group of two rows (nearly all) is those two, so its lists are built from them, and only
    the rows of larger groups are gathered into lists (`filter`). The lists are sorted per key,
    as before (docs/benchmarks.md, issue 21). -#}
ranked_groups as (
    select
        {{ 'keyed._assessment_year, ' if per_year else '' }}keyed.dedup_key,
        arg_min(
            {'row_id': keyed._row_id, 'year': keyed._assessment_year, 'file': keyed._source_file,
             'row': keyed._source_row, 'hash': keyed.compare_hash, 'carrier_id': keyed.carrier_id},
            {{ row_rank }}
        ) as kept,
        arg_max(
            {'row_id': keyed._row_id, 'carrier_id': keyed.carrier_id},
            {{ row_rank }}
        ) as last,
        list(keyed._row_id) filter (where shared_keys.group_rows > 2) as row_ids,
        list(keyed.carrier_id) filter (where shared_keys.group_rows > 2) as carrier_ids,
        any_value(shared_keys.group_rows) as rows_in_group
        {%- if conflict_flag %},
        {#- The kept row is of the group's latest year (file_order), and a conflict is a row of
            that year whose hash differs from the kept row's: the group has one when the rows of
            its latest year hold more than one hash, i.e. when their smallest and largest hash
            differ. (year, hash) as one integer, year in the high 64 bits: the smallest of
            (9999 - year, hash) is the latest year's smallest hash, the largest of (year, hash)
            its largest. -#}
        min(((9999 - keyed._assessment_year)::uhugeint << 64) + keyed.compare_hash) as latest_year_low,
        max((keyed._assessment_year::uhugeint << 64) + keyed.compare_hash) as latest_year_high
        {%- endif %}
    from keyed
    inner join shared_keys
        on {{ _same_key('keyed', 'shared_keys', per_year) }}
    inner join file_order
        on keyed._assessment_year = file_order._assessment_year
        and keyed._source_file = file_order._source_file
        and keyed._sheet is not distinct from file_order._sheet
    group by all
),

groups as (
    select
        {{ year_part }}dedup_key,
        kept.row_id as kept_row_id,
        kept.year as kept_assessment_year,
        kept.file as kept_source_file,
        kept.row as kept_source_row,
        kept.hash as kept_hash,
        nullif(array_to_string(list_sort(list_distinct(
            case when rows_in_group = 2 then [kept.carrier_id, last.carrier_id] else carrier_ids end
        )), ','), '') as reported_by,
        array_to_string(list_sort(
            case when rows_in_group = 2 then [kept.row_id, last.row_id] else row_ids end
        ), ',') as source_row_ids,
        rows_in_group
        {%- if conflict_flag %},
        (latest_year_low & {{ 2 ** 64 - 1 }}::uhugeint) <> (latest_year_high & {{ 2 ** 64 - 1 }}::uhugeint)
            as has_conflict
        {%- endif %}
    from ranked_groups
)
{%- endmacro %}


{% macro _flagged(per_year) -%}
{#- Every row once, its group's values joined on (a row of a key reported once has no group
    and is its own kept row): one pass over the rows instead of an anti join, a semi join and
    a union of the two halves (issue 21). -#}
flagged as (
    select
        keyed.* exclude (compare_hash),
        {{ _single_or('keyed._row_id', 'groups.kept_row_id') }} as kept_row_id,
        {{ _single_or('keyed._assessment_year', 'groups.kept_assessment_year') }} as kept_assessment_year,
        {{ _single_or('keyed._source_file', 'groups.kept_source_file') }} as kept_source_file,
        {{ _single_or('keyed._source_row', 'groups.kept_source_row') }} as kept_source_row,
        {{ _single_or('true', 'keyed._row_id = groups.kept_row_id') }} as is_kept,
        {{ _single_or('false', 'keyed.compare_hash <> groups.kept_hash
            and keyed._assessment_year = groups.kept_assessment_year') }} as is_conflict,
        {{ _single_or('cast(keyed.carrier_id as varchar)', 'groups.reported_by') }} as reported_by,
        {{ _single_or('cast(keyed._row_id as varchar)', 'groups.source_row_ids') }} as source_row_ids,
        {{ _single_or('cast(1 as bigint)', 'groups.rows_in_group') }} as rows_in_group
    from keyed
    left join groups
        on {{ _same_key('keyed', 'groups', per_year) }}
)
{%- endmacro %}


{#- A flag of a row: `single` when its key is reported once (no group), else `shared`. -#}
{% macro _single_or(single, shared) -%}
    case when groups.dedup_key is null then {{ single }} else {{ shared }} end
{%- endmacro %}


{#- The join condition "same key" between two relations (the year too when per_year). -#}
{% macro _same_key(left, right, per_year) -%}
    {% if per_year %}{{ left }}._assessment_year = {{ right }}._assessment_year and {% endif -%}
    {{ left }}.dedup_key = {{ right }}.dedup_key
{%- endmacro %}
