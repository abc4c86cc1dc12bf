{#- parse_money(value, row_unit=none, header_unit=none): an amount as DECIMAL(18,4) in 万元.

    Accepted numbers (after normalize_text; thousands commas and spaces dropped; ¥/￥ allowed):
      1234.5, 1,234.5, -3 (a sign is read, and a negative amount is rejected by the checks)
    Unit, the first that is given:
      1. written in the value itself: 万 / 万元 (x1), 元 (x0.0001), 亿 / 亿元 (x10000)
      2. `row_unit`: a column of the same row naming the unit (financing's 金额单位: 万元/元/亿元,
         or the codes 10k_cny/cny/100m_cny); an unknown unit there is ignored here (the enum
         check rejects it)
      3. `header_unit`: the unit in the column header's brackets (raw `<col>__header_unit`)
      4. 万元
    So '1.2亿元' under a 元 header is 12000 万元: the row's own unit wins.
    Anything else (12..5, 12万5, letters, 1.2.3) gives NULL: rejected as unreadable. -#}
{% macro parse_money(value, row_unit=none, header_unit=none, text=none) -%}
    {%- set s = "replace(replace(replace(" ~ normalized(value, text) ~ ", ',', ''), ' ', ''), '，', '')" -%}
    {%- set pattern = "'^[¥￥]?([+-]?\\d+(?:\\.\\d+)?)(万元|万|亿元|亿|元)?$'" -%}
    {%- set num = "regexp_extract(" ~ s ~ ", " ~ pattern ~ ", 1)" -%}
    {%- set unit_in_value = "nullif(regexp_extract(" ~ s ~ ", " ~ pattern ~ ", 2), '')" -%}
    {%- set unit_in_row = money_unit_factor(row_unit) if row_unit is not none else "null" -%}
    {%- set unit_in_header = money_unit_factor(header_unit) if header_unit is not none else "null" -%}
    try_cast(
        try_cast(nullif({{ num }}, '') as decimal(38, 10))
        * coalesce({{ money_unit_factor(unit_in_value, already_clean=true) }}, {{ unit_in_row }}, {{ unit_in_header }}, 1.0::decimal(38, 10))
        as decimal(18, 4))
{%- endmacro %}

{#- The factor from a unit to 万元 as DECIMAL(38,10), NULL for an unknown or empty unit. -#}
{% macro money_unit_factor(unit, already_clean=false) -%}
    {%- set u = unit if already_clean else "replace(lower(" ~ normalize_text(unit) ~ "), ' ', '')" -%}
    (case
        when {{ u }} in ('万', '万元', '10k_cny') then 1.0::decimal(38, 10)
        when {{ u }} in ('元', 'cny') then 0.0001::decimal(38, 10)
        when {{ u }} in ('亿', '亿元', '100m_cny') then 10000.0::decimal(38, 10)
    end)
{%- endmacro %}
