{#- Chinese patent (application) numbers.

    normalize_patent_no(value) -> the canonical form, or NULL when it is not a patent number:
      ZL 2023 1 0123456.6, ZL202310123456.6, CN202310123456.6, 202310123456.6, 2023101234566
        -> 202310123456.6  (12 digits, '.', check character 0-9 or X)
      old form (before 2003): 8 digits + check, e.g. ZL98123456.X, 981234561 -> 98123456.1
      (normalize_text first; upper-case; spaces, dots and a ZL/CN prefix dropped)
    patent_no_is_valid(no): on the canonical form: the check character verifies.
      12 digits: weights 2,3,4,5,6,7,8,9,2,3,4,5; 8 digits: weights 2..9;
      check = sum mod 11, 10 -> X.
    patent_type_from_no(no): the type the number encodes: 12-digit form, 5th digit 1/8 invention,
      2/9 utility_model, 3 design; 8-digit form, 3rd digit 1/2/3 likewise; else NULL. -#}
{% macro normalize_patent_no(value, text=none) -%}
    {#- After normalize_text the only whitespace left is ' ' (it turns every run of \s into one),
        so plain replaces drop what `[\s.·]` would, without a regex per value. -#}
    {%- set bare = "replace(replace(replace(upper(" ~ normalized(value, text) ~ "), ' ', ''), '.', ''), '·', '')" -%}
    {%- set s = "regexp_replace(" ~ bare ~ ", '^(ZL|CN)', '')" -%}
    (case
        when regexp_full_match({{ s }}, '\d{12}[0-9X]') then substr({{ s }}, 1, 12) || '.' || substr({{ s }}, 13, 1)
        when regexp_full_match({{ s }}, '\d{8}[0-9X]') then substr({{ s }}, 1, 8) || '.' || substr({{ s }}, 9, 1)
    end)
{%- endmacro %}

{% macro patent_no_is_valid(no) -%}
    {%- set long_weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5] -%}
    {%- set short_weights = [2, 3, 4, 5, 6, 7, 8, 9] -%}
    coalesce(case
        when regexp_full_match({{ no }}, '\d{12}\.[0-9X]') then substr('0123456789X', 1 + ((
            {%- for w in long_weights %}
            cast(substr({{ no }}, {{ loop.index }}, 1) as integer) * {{ w }}{{ " +" if not loop.last }}
            {%- endfor %}
            ) % 11), 1) = substr({{ no }}, 14, 1)
        when regexp_full_match({{ no }}, '\d{8}\.[0-9X]') then substr('0123456789X', 1 + ((
            {%- for w in short_weights %}
            cast(substr({{ no }}, {{ loop.index }}, 1) as integer) * {{ w }}{{ " +" if not loop.last }}
            {%- endfor %}
            ) % 11), 1) = substr({{ no }}, 10, 1)
    end, false)
{%- endmacro %}

{% macro patent_type_digit(no) -%}
    (case when length({{ no }}) = 14 then substr({{ no }}, 5, 1) when length({{ no }}) = 10 then substr({{ no }}, 3, 1) end)
{%- endmacro %}

{% macro patent_type_from_no(no) -%}
    (case
        when length({{ no }}) = 14 then
            case substr({{ no }}, 5, 1) when '1' then 'invention' when '8' then 'invention'
                when '2' then 'utility_model' when '9' then 'utility_model' when '3' then 'design' end
        when length({{ no }}) = 10 then
            case substr({{ no }}, 3, 1) when '1' then 'invention' when '2' then 'utility_model'
                when '3' then 'design' end
    end)
{%- endmacro %}
