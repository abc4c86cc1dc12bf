{#- parse_date(value): a reported date as DATE, or NULL when it cannot be read.

    Accepted (after normalize_text), as contract/README.md lists them:
      2024-03-05, 2024/3/5, 2024.3.5 (one- or two-digit month and day)
      2024-03-05 00:00:00 / 2024-03-05T08:30 (Excel date-time cells; the time is dropped)
      20240305
      2024年3月5日 (spaces around 年/月/日 allowed, 日 optional)
      Excel serial numbers, 1900 date system: five digits, e.g. 45356 -> 2024-03-05
        (day 0 = 1899-12-30; a fraction is a time of day and is dropped)
    Impossible dates (2024-02-30, 2023-13-01) and years outside 1900..2099 give NULL, so the row
    is rejected as unreadable rather than silently shifted. -#}
{% macro parse_date(value) -%}
    {%- set s = normalize_text(value) -%}
    (case
        when regexp_full_match({{ s }}, '\d{5}(\.\d+)?') and cast({{ s }} as double) < 73051
            then date '1899-12-30' + cast(floor(cast({{ s }} as double)) as integer)
        when regexp_full_match({{ s }}, '(19|20)\d{6}')
            then try_cast(substr({{ s }}, 1, 4) || '-' || substr({{ s }}, 5, 2) || '-' || substr({{ s }}, 7, 2) as date)
        when regexp_full_match({{ s }}, '(19|20)\d{2} ?[-/.年] ?\d{1,2} ?[-/.月] ?\d{1,2} ?日?([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?')
            then try_cast(regexp_replace({{ s }}, '^(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2}).*$', '\1-\2-\3') as date)
    end)
{%- endmacro %}
