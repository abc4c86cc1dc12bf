{#- The row checks of staging, as a list of failures per row.

    A failure is a STRUCT(column_name, check_name, value_as_written, message); a row passes when
    its list is empty. Each stg_<dataset>__checked model builds the list once, from the columns it
    parsed once; stg_<dataset> keeps the rows with none, stg_<dataset>__rejected unnests the rest.

    Check names (the office's data-quality list; messages are 中文 / English and name the column by
    its Chinese header):
      formula_error             the cell holds an Excel error (#REF!, #N/A, #VALUE!, ...)
      required_missing          a required value is empty
      unreadable_date           not a date in any accepted form, or an impossible date
      unreadable_amount         not an amount in any accepted form (e.g. 12..5, letters)
      unreadable_integer        not a whole number
      unreadable_number         not a number
      unreadable_yes_no         not 是/否, Y/N, yes/no, true/false, 1/0, √/×
      unknown_label             not one of the contract's labels for this column
      negative_amount           an amount below zero
      negative_area             an area below zero
      negative_number           a count or year below zero
      malformed_uscc            not 18 characters of the credit-code alphabet
      uscc_check_failed         the credit code's check character does not verify
      malformed_patent_no       not a patent number in any accepted form
      patent_no_check_failed    the patent number's check character does not verify
      patent_type_mismatch      the patent number's type digit disagrees with 专利类型
      malformed_certificate_no  not GR + year + province + serial
      certificate_year_mismatch the certificate number's year is not the issue date's year
      carrier_name_conflict     the carrier id is already reported under another name that year:
                                a check across rows, made in intermediate
                                (int_carriers_name_conflicts; the message names both)
      approximate_amount        an amount written as an estimate (约50万, 50余万, 50多万, 50万左右)
      nul_bytes, unreadable_line, repeated_header, merged_cell, other_year_file
                                found by ingest, carried in raw `_row_error` (ingest_row_error)
      adjusted_exclude          the office excluded the row (an exclude_row adjustment; a warning
                                in the data-quality list, the row counted as rejected) -#}

{#- One failure struct. `zh` and `en` are message templates in which {v} stands for the value as
    written; they are compile-time text from this project, never data. -#}
{% macro dq_failure(column_name, check_name, value_sql, zh, en, message_sql=none) -%}
    {'column_name': '{{ column_name }}', 'check_name': '{{ check_name }}',
     'value_as_written': cast({{ value_sql }} as varchar),
     'message': {{ message_sql if message_sql is not none else _dq_text(zh ~ ' / ' ~ en, value_sql) }}}
{%- endmacro %}

{% macro _dq_text(template, value_sql) -%}
    {%- set parts = [] -%}
    {%- for piece in template.split('{v}') -%}
        {%- do parts.append("'" ~ (piece | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ parts | join(" || coalesce(cast(" ~ value_sql ~ " as varchar), '') || ") }}
{%- endmacro %}

{% macro is_formula_error(value, text=none) -%}
    coalesce(regexp_full_match(upper({{ normalized(value, text) }}),
        '#(REF!|N/A|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)'), false)
{%- endmacro %}

{#- The standard checks of every contract column of `dataset`: a comma-separated list of CASE
    expressions, each NULL or one failure. `raw` is the struct of the raw row, `parsed` the
    relation holding the parsed columns (named as the contract's `staged` names). -#}
{% macro column_checks(dataset, raw='_raw', parsed='parsed', looked_up=[]) -%}
    {%- set checks = [] -%}
    {%- for col in contract_columns(dataset) -%}
        {%- if col.name in looked_up -%}
            {#- checked once per distinct value (macros/value_lookups.sql) -#}
            {%- do checks.append(parsed ~ '._failure_' ~ col.name) -%}
        {%- else -%}
            {%- do checks.append(column_check(dataset, col, raw ~ '.' ~ col.name, parsed ~ '.' ~ col.staged)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ checks | join(',\n') }}
{%- endmacro %}

{#- The standard checks of one contract column as one CASE expression (NULL or one failure):
    `r` is the cell as written, `p` its parsed value. -#}
{% macro column_check(dataset, col, r, p, t=none) -%}
        {%- set zh = col.zh -%}
        {%- set text = normalized(r, t) -%}
        {%- set branches = [] -%}
        {%- do branches.append((is_formula_error(r, t), dq_failure(col.name, 'formula_error', r,
            '【' ~ zh ~ '】单元格为公式错误值：{v}（请填写实际数值）',
            "Formula error '{v}' in " ~ zh ~ " (enter the value itself)"))) -%}
        {%- if col.required -%}
            {%- do branches.append((text ~ ' is null', dq_failure(col.name, 'required_missing', r,
                '【' ~ zh ~ '】必填项未填写',
                'Required value missing in ' ~ zh))) -%}
        {%- endif -%}
        {%- set present = text ~ ' is not null' -%}
        {%- if col.type == 'date' -%}
            {%- do branches.append((present ~ ' and ' ~ p ~ ' is null', dq_failure(col.name, 'unreadable_date', r,
                '【' ~ zh ~ '】日期无法识别：{v}（应为 2024-03-05、2024/3/5、2024年3月5日 等格式，且须为真实存在的日期）',
                "Unreadable date '{v}' in " ~ zh ~ " (expected a real date in a form such as 2024-03-05, 2024/3/5, 2024年3月5日)"))) -%}
        {%- elif col.type == 'money' -%}
            {%- do branches.append((present ~ ' and ' ~ p ~ ' is null and regexp_matches(' ~ text ~ ", '约|余|多|左右|上下|大概|大约|以上|以内|不到|近|~|～')", dq_failure(col.name, 'approximate_amount', r,
                '【' ~ zh ~ '】金额为约数：{v}（约数不是经审核的金额，请填写确切金额）',
                "Approximate amount '{v}' in " ~ zh ~ " (an estimate is not an audited figure: enter the exact amount)"))) -%}
            {%- do branches.append((present ~ ' and ' ~ p ~ ' is null', dq_failure(col.name, 'unreadable_amount', r,
                '【' ~ zh ~ '】金额无法识别：{v}（应为 1234.5、1,234.5、12.3万元、500000元、1.2亿 等格式）',
                "Unreadable amount '{v}' in " ~ zh ~ " (expected forms such as 1234.5, 1,234.5, 12.3万元, 500000元, 1.2亿)"))) -%}
            {%- do branches.append((p ~ ' < 0', dq_failure(col.name, 'negative_amount', r,
                '【' ~ zh ~ '】金额不能为负数：{v}',
                "Negative amount '{v}' in " ~ zh ~ " (amounts must be zero or more)"))) -%}
        {%- elif col.type == 'int' -%}
            {%- do branches.append((present ~ ' and ' ~ p ~ ' is null', dq_failure(col.name, 'unreadable_integer', r,
                '【' ~ zh ~ '】应为整数：{v}（如 12）',
                "Not a whole number: '{v}' in " ~ zh ~ " (expected e.g. 12)"))) -%}
            {%- do branches.append((p ~ ' < 0', dq_failure(col.name, 'negative_number', r,
                '【' ~ zh ~ '】不能为负数：{v}',
                "Negative number '{v}' in " ~ zh))) -%}
        {%- elif col.type == 'decimal' -%}
            {%- do branches.append((present ~ ' and ' ~ p ~ ' is null', dq_failure(col.name, 'unreadable_number', r,
                '【' ~ zh ~ '】数值无法识别：{v}（应为数字，如 1200 或 1,200.5）',
                "Unreadable number '{v}' in " ~ zh ~ " (expected a number such as 1200 or 1,200.5)"))) -%}
            {%- do branches.append((p ~ ' < 0', dq_failure(col.name, 'negative_area', r,
                '【' ~ zh ~ '】面积不能为负数：{v}',
                "Negative area '{v}' in " ~ zh ~ " (areas must be zero or more)"))) -%}
        {%- elif col.type == 'bool' -%}
            {%- do branches.append((present ~ ' and ' ~ p ~ ' is null', dq_failure(col.name, 'unreadable_yes_no', r,
                '【' ~ zh ~ '】是/否无法识别：{v}（应为 是/否、Y/N、√/×、1/0）',
                "Unreadable yes/no '{v}' in " ~ zh ~ " (expected 是/否, Y/N, yes/no, true/false, 1/0, √/×)"))) -%}
        {%- elif col.type == 'enum' -%}
            {%- do branches.append((present ~ ' and ' ~ p ~ ' is null', dq_failure(col.name, 'unknown_label', r,
                '【' ~ zh ~ '】取值不在可选范围内：{v}（可选：' ~ (col.labels | join('、')) ~ '）',
                "Unknown value '{v}' in " ~ zh ~ " (allowed: " ~ (col.labels | join(', ')) ~ ")"))) -%}
        {%- elif col.type == 'uscc' -%}
            {%- do branches.append((present ~ ' and not ' ~ uscc_is_well_formed(p), dq_failure(col.name, 'malformed_uscc', r,
                '【' ~ zh ~ '】统一社会信用代码格式不正确：{v}（应为18位数字或大写字母，不含 I、O、S、V、Z）',
                "Malformed unified social credit code '{v}' in " ~ zh ~ " (expected 18 digits or capital letters, without I, O, S, V, Z)"))) -%}
            {%- do branches.append((present ~ ' and not ' ~ uscc_is_valid(p), dq_failure(col.name, 'uscc_check_failed', r,
                '【' ~ zh ~ '】统一社会信用代码校验位不符：{v}（请核对是否抄错）',
                "Check character of unified social credit code '{v}' in " ~ zh ~ " does not verify (GB 32100-2015; probably a typo)"))) -%}
        {%- elif col.name == 'patent_no' -%}
            {%- do branches.append((present ~ ' and ' ~ p ~ ' is null', dq_failure(col.name, 'malformed_patent_no', r,
                '【' ~ zh ~ '】专利号格式不正确：{v}（应为12位数字加校验位，如 ZL202310123456.6 或 202310123456.6）',
                "Malformed patent number '{v}' in " ~ zh ~ " (expected 12 digits and a check character, e.g. ZL202310123456.6 or 202310123456.6)"))) -%}
            {%- do branches.append((present ~ ' and not ' ~ patent_no_is_valid(p), dq_failure(col.name, 'patent_no_check_failed', r,
                '【' ~ zh ~ '】专利号校验位不符：{v}（请核对是否抄错）',
                "Check character of patent number '{v}' in " ~ zh ~ " does not verify (probably a typo)"))) -%}
        {%- elif col.name == 'certificate_no' -%}
            {%- do branches.append((present ~ ' and not ' ~ certificate_no_is_well_formed(p), dq_failure(col.name, 'malformed_certificate_no', r,
                '【' ~ zh ~ '】证书编号格式不正确：{v}（应为 GR + 4位年份 + 2位省份代码 + 6位序号，如 GR202432001234）',
                "Malformed certificate number '{v}' in " ~ zh ~ " (expected GR + 4-digit year + 2-digit province + 6-digit serial, e.g. GR202432001234)"))) -%}
        {%- endif -%}
            case
            {%- for cond, failure in branches %}
                when {{ cond }} then {{ failure }}
            {%- endfor %}
            end
{%- endmacro %}

{#- The failures list of a row: the standard checks plus `extra` (a list of further CASE
    expressions of the model's own), NULLs dropped. `looked_up`: columns checked once per
    distinct value (value_lookups.sql), whose failure the parsed relation carries as
    `_failure_<column>`. A row the office excluded (an accepted `exclude_row` adjustment,
    macros/incremental_staging.sql) has that one failure instead: check adjusted_exclude, its
    message naming the adjustment and the reason. -#}
{% macro row_failures(dataset, extra=[], raw='_raw', parsed='parsed', looked_up=[]) -%}
    {#- A row ingest already rejected carries that one failure only: its cells are not data.
        A row the office excluded carries its adjusted_exclude failure only. -#}
    case when {{ raw }}._row_error is not null then [{{ ingest_row_error(raw) }}]
    when {{ raw }}._adjust_exclude is not null then [{{ raw }}._adjust_exclude] else
    list_filter([
        {{ column_checks(dataset, raw=raw, parsed=parsed, looked_up=looked_up) }}
        {%- for e in extra %},
        {{ e }}
        {%- endfor %}
    ], lambda failure: failure is not null) end
{%- endmacro %}


{#- The failure ingest already recorded for a row in raw `_row_error` (a JSON failure struct):
    a CSV line with NUL bytes or in an unknown encoding, a row repeating the header, a row of
    another year's file repeating a record another file reports (orchestration/ingest/
    row_errors.py and stray_year.py). NULL for every other row. -#}
{% macro ingest_row_error(raw='_raw') -%}
    case when {{ raw }}._row_error is not null then
        {'column_name': coalesce(json_extract_string({{ raw }}._row_error, '$.column_name'), '_row'),
         'check_name': json_extract_string({{ raw }}._row_error, '$.check_name'),
         'value_as_written': json_extract_string({{ raw }}._row_error, '$.value_as_written'),
         'message': json_extract_string({{ raw }}._row_error, '$.message')}
    end
{%- endmacro %}


{#- 'column:check' of each failure of a row, comma-joined ('' when the row passes): the short
    form people and unit tests read in stg_<dataset>__checked._failed_checks. -#}
{% macro failed_checks_text(failures) -%}
    array_to_string(
        list_transform({{ failures }}, lambda failure: failure.column_name || ':' || failure.check_name),
        ','
    )
{%- endmacro %}
