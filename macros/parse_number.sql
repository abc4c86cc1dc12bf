{#- parse_int(value): a whole number as INTEGER ('12', '1,200', '12.0'); NULL for '12.5', '十二',
    letters or anything out of INTEGER range. A sign is read; the checks reject negatives. -#}
{% macro parse_int(value, text=none) -%}
    {%- set s = "replace(replace(" ~ normalized(value, text) ~ ", ',', ''), ' ', '')" -%}
    (case when regexp_full_match({{ s }}, '[+-]?\d+(\.0+)?')
        then try_cast(try_cast({{ s }} as decimal(38, 4)) as integer) end)
{%- endmacro %}

{#- parse_decimal(value): a number as DOUBLE ('1200', '1,200.5', '.5'); an area unit written after
    it (平方米, 平米, ㎡, m2, m²) is allowed, since the header already fixes the unit. NULL for
    '12..5', letters, or any other text. -#}
{% macro parse_decimal(value, text=none) -%}
    {%- set s = "regexp_replace(replace(replace(lower(" ~ normalized(value, text) ~ "), ',', ''), ' ', ''), '(平方米|平米|㎡|m2|m²)$', '')" -%}
    (case when regexp_full_match({{ s }}, '[+-]?(\d+(\.\d+)?|\.\d+)')
        then try_cast({{ s }} as double) end)
{%- endmacro %}
