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
      lookup_joins(dataset, relation, names)   the left joins that bring them to each row.
      lookup_failures(names)                   `_v_<name>._failure as _failure_<name>`, for
                      the parsed CTE; row_failures(..., looked_up=names) reads them.
      lookup_excludes(names)                   `, _failure_<name>...` for `exclude (...)`.

    A money column's amount depends on its unit too, so its key is the value with the unit in
    the header (`<column>__header_unit`) and, when the model reads one (`row_units`: financing's
    金额单位 for its amount), the unit column of the row. A column whose values are all
    different (a patent number) was cheaper looked up than parsed in the row's projection,
    which normalised the cell once per check (measured: province patents 1.9 → 1.35 CPU s), so
    every dataset looks up its columns but awards' 名次 (cast to an integer in its model). The
    four small datasets (carriers, evaluations, recognitions, subsidy claims) parsed per row
    until issue 21: national, their expressions, each normalising a cell several times, cost
    more than the joins (carriers' 16,000 rows 0.94 -> 0.17 s, subsidy claims 0.32 -> 0.08 s
    alone, the same rows).

    row_values(dataset, relation, names) parses and checks a column once per row instead, each
    expression computed once in a CTE of its own (the text, then the value, then the failure:
    the same expressions, the same rows). Where the values are (nearly) all different this
    saves the distinct values' aggregate and the join back; measured alone, national, with
    identical rows: staging patents by row for 专利号 6.44 → 6.0 s (medians of five), high-tech
    certificates by row for 统一社会信用代码 and 证书编号 1.36 → 1.23 CPU s; staging tenants by
    row for their credit codes, the same 3.0 s either way (kept looked up).
      row_value_failures(relation, names)      `<relation>._failure_<name>, ...`, for the
                      parsed CTE, which reads `from <relation>_by_row as <relation>`.
-#}
{#- The raw columns a column's lookup is keyed on: the value, then its units (money). -#}
{% macro _lookup_keys(dataset, name, row_units) -%}
    {%- set col = contract_column(dataset, name) -%}
    {%- set keys = [name] -%}
    {%- if col.type == 'money' -%}
        {%- do keys.append(name ~ '__header_unit') -%}
        {%- if name in row_units -%}{%- do keys.append(row_units[name]) -%}{%- endif -%}
    {%- endif -%}
    {{ return(keys) }}
{%- endmacro %}

{% macro parse_column(dataset, col, value, header_unit=none, row_unit=none, text=none) -%}
    {%- if col.type == 'money' -%}
        {{ parse_money(value, row_unit=row_unit, header_unit=header_unit, text=text) }}
    {%- elif col.name == 'carrier_id' -%}
        upper({{ normalized(value, text) }})
    {%- elif col.type == 'date' -%}
        {{ parse_date(value, text=text) }}
    {%- elif col.type == 'enum' -%}
        {{ enum_code(dataset, col.name, value, text=text) }}
    {%- elif col.type == 'int' -%}
        {{ parse_int(value, text=text) }}
    {%- elif col.type == 'decimal' -%}
        {{ parse_decimal(value, text=text) }}
    {%- elif col.type == 'bool' -%}
        {{ parse_bool(value, text=text) }}
    {%- elif col.type == 'uscc' -%}
        {{ normalize_uscc(value, text=text) }}
    {%- elif col.name == 'patent_no' -%}
        {{ normalize_patent_no(value, text=text) }}
    {%- elif col.name == 'certificate_no' -%}
        {{ normalize_certificate_no(value, text=text) }}
    {%- elif col.type == 'string' -%}
        {{ normalized(value, text) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error('no per-value parse for ' ~ dataset ~ '.' ~ col.name ~ ' (' ~ col.type ~ ')') }}
    {%- endif -%}
{%- endmacro %}


{% macro value_lookups(dataset, relation, names, row_units={}) -%}
{%- for name in names %}
{%- set col = contract_column(dataset, name) %}
{%- set keys = _lookup_keys(dataset, name, row_units) %}
_v_{{ name }} as (
    select
        _values.* exclude (_text),
        {{ column_check(dataset, col, '_values._value', '_values._parsed', t='_values._text') }} as _failure
    from (
        select
            _texts.*,
            {{ parse_column(dataset, col, '_texts._value',
                header_unit=('_texts._k1' if keys | length > 1 else none),
                row_unit=('_texts._k2' if keys | length > 2 else none), text='_texts._text') }} as _parsed
        from (
            select _distinct.*, {{ normalize_text('_distinct._value') }} as _text
            from (
                select distinct
                    {%- for key in keys %}
                    {{ relation }}.{{ key }} as {{ '_value' if loop.first else '_k' ~ (loop.index - 1) }}{{ "," if not loop.last }}
                    {%- endfor %}
                from {{ relation }}
            ) as _distinct
        ) as _texts
    ) as _values
){{ "," if not loop.last }}
{%- endfor %}
{%- endmacro %}


{% macro lookup_joins(dataset, relation, names, row_units={}) -%}
{%- for name in names %}
{%- set keys = _lookup_keys(dataset, name, row_units) %}
    left join _v_{{ name }}
        on {% for key in keys %}{{ relation }}.{{ key }} is not distinct from _v_{{ name }}.{{ '_value' if loop.first else '_k' ~ (loop.index - 1) }}{{ " and " if not loop.last }}{% endfor %}
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


{#- The same parse and checks once per row, for a column whose values are (nearly) all
    different (a patent number): the distinct values' aggregate and the join back would cost
    more than they save. One CTE `<relation>_by_row`: the relation's columns, then per column
    `_text_<name>`, `_parsed_<name>` and `_failure_<name>`, each expression computed once, the
    same expressions as the lookup's, so the staged rows are identical. The model reads it as
    its relation (`from <relation>_by_row as <relation>`). -#}
{% macro row_values(dataset, relation, names, row_units={}) -%}
{{ relation }}_by_row as (
    select
        _row_parsed.*
        {%- for name in names %},
        {{ column_check(dataset, contract_column(dataset, name), '_row_parsed.' ~ name,
            '_row_parsed._parsed_' ~ name, t='_row_parsed._text_' ~ name) }} as _failure_{{ name }}
        {%- endfor %}
    from (
        select
            _row_texts.*
            {%- for name in names %}
            {%- set keys = _lookup_keys(dataset, name, row_units) %},
            {{ parse_column(dataset, contract_column(dataset, name), '_row_texts.' ~ name,
                header_unit=('_row_texts.' ~ keys[1] if keys | length > 1 else none),
                row_unit=('_row_texts.' ~ keys[2] if keys | length > 2 else none),
                text='_row_texts._text_' ~ name) }} as _parsed_{{ name }}
            {%- endfor %}
        from (
            select
                {{ relation }}.*
                {%- for name in names %},
                {{ normalize_text(relation ~ '.' ~ name) }} as _text_{{ name }}
                {%- endfor %}
            from {{ relation }}
        ) as _row_texts
    ) as _row_parsed
)
{%- endmacro %}


{#- `<relation>._failure_<name>, ...`: the row_values failures, for the parsed CTE. -#}
{% macro row_value_failures(relation, names) -%}
{%- for name in names -%}
    {{ relation }}._failure_{{ name }}{{ ",\n        " if not loop.last }}
{%- endfor -%}
{%- endmacro %}
