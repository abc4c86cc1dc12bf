{#-
    Parse once per distinct value, not once per row (docs/benchmarks.md, issue 21).

    Most report columns repeat their values across rows: a national package's 2.9 million
    patent rows hold ~16,000 distinct application dates, 4 patent types, a few thousand
    carrier ids. A column's parsed value and its standard checks (staging_checks.sql
    `column_check`) depend only on the cell as written, so a __checked model can compute them
    once per distinct value of the year's raw rows and join them back on the value
    (`is not distinct from`: an empty cell is one value too). The results are the same
    expressions of the same values, so the staged rows are identical.

      value_lookups(dataset, relation, names)  one CTE `_v_<name>` per column: `_value` (the
                      cell as written), `_parsed` (parse_column), `_failure` (the column's
                      failure struct or NULL). Write it as CTEs after the raw import CTE.
      lookup_joins(relation, names)            the left joins that bring them to each row.
      lookup_failures(names)                   `_v_<name>._failure as _failure_<name>`, for
                      the parsed CTE; row_failures(..., looked_up=names) reads them.
      lookup_excludes(names)                   `, _failure_<name>...` for `exclude (...)`.

    Money columns stay per row (their unit may come from another column of the row), and so do
    columns whose values are all different (a patent number): a lookup would only add a join.
-#}
{% macro parse_column(dataset, col, value) -%}
    {%- if col.name == 'carrier_id' -%}
        upper({{ normalize_text(value) }})
    {%- elif col.type == 'date' -%}
        {{ parse_date(value) }}
    {%- elif col.type == 'enum' -%}
        {{ enum_code(dataset, col.name, value) }}
    {%- elif col.type == 'int' -%}
        {{ parse_int(value) }}
    {%- elif col.type == 'decimal' -%}
        {{ parse_decimal(value) }}
    {%- elif col.type == 'bool' -%}
        {{ parse_bool(value) }}
    {%- elif col.type == 'uscc' -%}
        {{ normalize_uscc(value) }}
    {%- elif col.name == 'patent_no' -%}
        {{ normalize_patent_no(value) }}
    {%- elif col.name == 'certificate_no' -%}
        {{ normalize_certificate_no(value) }}
    {%- elif col.type == 'string' -%}
        {{ normalize_text(value) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error('no per-value parse for ' ~ dataset ~ '.' ~ col.name ~ ' (' ~ col.type ~ ')') }}
    {%- endif -%}
{%- endmacro %}


{% macro value_lookups(dataset, relation, names) -%}
{%- for name in names %}
{%- set col = contract_column(dataset, name) %}
_v_{{ name }} as (
    select
        _values._value,
        _values._parsed,
        {{ column_check(dataset, col, '_values._value', '_values._parsed') }} as _failure
    from (
        select
            _distinct._value,
            {{ parse_column(dataset, col, '_distinct._value') }} as _parsed
        from (select distinct {{ relation }}.{{ name }} as _value from {{ relation }}) as _distinct
    ) as _values
){{ "," if not loop.last }}
{%- endfor %}
{%- endmacro %}


{% macro lookup_joins(relation, names) -%}
{%- for name in names %}
    left join _v_{{ name }} on {{ relation }}.{{ name }} is not distinct from _v_{{ name }}._value
{%- endfor %}
{%- endmacro %}


{% macro lookup_failures(names) -%}
{%- for name in names -%}
    _v_{{ name }}._failure as _failure_{{ name }}{{ ",\n        " if not loop.last }}
{%- endfor -%}
{%- endmacro %}


{% macro lookup_excludes(names) -%}
{%- for name in names %}, _failure_{{ name }}{% endfor -%}
{%- endmacro %}
