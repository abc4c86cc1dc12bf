{#- Unified social credit codes (统一社会信用代码), GB 32100-2015.

    normalize_uscc(value): normalize_text, drop spaces and hyphens (- — – _), upper-case.
    uscc_is_valid(code): on a normalized code: 18 characters of the alphabet
      0123456789ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z), and the 18th is the check character:
      value(c) = position in that alphabet (0..30); weights of positions 1..17:
      1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28; check = 31 - (sum mod 31), 31 -> 0.
    uscc_is_well_formed(code): only the length and alphabet part (to tell a clerk which is wrong). -#}
{% macro normalize_uscc(value, text=none) -%}
    nullif(upper(regexp_replace({{ normalized(value, text) }}, '[\s\-—–_]', '', 'g')), '')
{%- endmacro %}

{% macro uscc_is_well_formed(code) -%}
    coalesce(regexp_full_match({{ code }}, '[0-9A-HJ-NPQRTUWXY]{18}'), false)
{%- endmacro %}

{% macro uscc_is_valid(code) -%}
    {%- set alphabet = "'0123456789ABCDEFGHJKLMNPQRTUWXY'" -%}
    {%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
    coalesce({{ uscc_is_well_formed(code) }} and substr({{ alphabet }}, 1 + (31 - ((
        {%- for w in weights %}
        (strpos({{ alphabet }}, substr({{ code }}, {{ loop.index }}, 1)) - 1) * {{ w }}{{ " +" if not loop.last }}
        {%- endfor %}
    ) % 31)) % 31, 1) = substr({{ code }}, 18, 1), false)
{%- endmacro %}
