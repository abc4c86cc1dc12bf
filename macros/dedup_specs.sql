{#- The patents' de-duplication, shared by the two models that make it (macros/flag_duplicates.sql:
    duplicate_groups, then flag_rows): int_patents_duplicate_groups, the table of the patent
    numbers reported more than once, and int_patents_deduplicated, the view flagging every row.
    The key is the contract's (one patent however often and in whichever year reported); the
    other values are compared for conflicts. -#}
{% macro patents_dedup() -%}
    {{ return({
        'key_columns': ['patent_no'],
        'compare_columns': ['enterprise_name', 'uscc', 'patent_type', 'title', 'application_date', 'grant_date', 'legal_status'],
        'per_year': false,
    }) }}
{%- endmacro %}
