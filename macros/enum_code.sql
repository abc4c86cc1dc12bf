{#- enum_code(dataset, column_name, value): the canonical code of an enum label, NULL when unknown.

    The label is matched after normalize_text, with every space removed and lower-cased (so
    '科技 企业孵化器', 'Ａ' and 'a' match '科技企业孵化器' and 'A'); the canonical code itself is
    accepted too. The label -> code map is the contract's, carried by the generated
    contract_columns macro, which a test keeps equal to seeds/enum_labels.csv and the contract:
    an inline CASE instead of a join, so staging stays join-free and cheap at any scale. -#}
{% macro enum_code(dataset, column_name, value, text=none) -%}
    {%- set col = contract_column(dataset, column_name) -%}
    {%- if not col.enum -%}
        {{ exceptions.raise_compiler_error(dataset ~ '.' ~ column_name ~ ' is not an enum column') }}
    {%- endif -%}
    (case replace(lower({{ normalized(value, text) }}), ' ', '')
        {%- for label, code in col.enum.items() %}
        when '{{ label | replace("'", "''") }}' then '{{ code | replace("'", "''") }}'
        {%- endfor %}
    end)
{%- endmacro %}
