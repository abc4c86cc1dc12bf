{#- row_id(dataset): the id of a raw row, `<dataset>:<year>:<file>:<sheet>:<row>`: unique across
    every loaded year (the same file name comes back each year), readable by a person. -#}
{% macro row_id(dataset, relation='source') -%}
    '{{ dataset }}:' || {{ relation }}._assessment_year || ':' || {{ relation }}._source_file
        || ':' || coalesce({{ relation }}._sheet, '') || ':' || {{ relation }}._source_row
{%- endmacro %}
