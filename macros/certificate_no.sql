{#- High-tech enterprise certificate numbers (高新技术企业证书编号).

    normalize_certificate_no(value): normalize_text, spaces dropped, upper-case ('gr 2024 32 001234'
      -> 'GR202432001234').
    certificate_no_is_well_formed(no): GR + 4-digit year + 2-digit province code + 6-digit serial.
    certificate_no_is_valid(no, issue_date): well formed and the year equals issue_date's year. -#}
{% macro normalize_certificate_no(value, text=none) -%}
    nullif(upper(regexp_replace({{ normalized(value, text) }}, '\s', '', 'g')), '')
{%- endmacro %}

{% macro certificate_no_is_well_formed(no) -%}
    coalesce(regexp_full_match({{ no }}, 'GR\d{4}\d{2}\d{6}'), false)
{%- endmacro %}

{% macro certificate_no_is_valid(no, issue_date) -%}
    coalesce({{ certificate_no_is_well_formed(no) }}
        and cast(substr({{ no }}, 3, 4) as integer) = year({{ issue_date }}), false)
{%- endmacro %}
