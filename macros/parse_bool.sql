{#- parse_bool(value): 是/否, Y/N, yes/no, true/false, 1/0, √/× (any case, full- or half-width)
    as BOOLEAN; anything else NULL (rejected as unreadable when a value was written). -#}
{% macro parse_bool(value, text=none) -%}
    (case replace(lower({{ normalized(value, text) }}), ' ', '')
        when '是' then true when 'y' then true when 'yes' then true when 'true' then true
        when '1' then true when '√' then true when '✓' then true
        when '否' then false when 'n' then false when 'no' then false when 'false' then false
        when '0' then false when '×' then false when '✗' then false
    end)
{%- endmacro %}
