{#- parse_date(value): a reported date as DATE, or NULL when it cannot be read.

    Accepted (after normalize_text), as contract/README.md lists them:
      2024-03-05, 2024/3/5, 2024.3.5 (one- or two-digit month and day)
      2024-03-05 00:00:00 / 2024-03-05T08:30 (Excel date-time cells; the time is dropped)
      20240305
      2024年3月5日 (spaces around 年/月/日 allowed, 日 optional)
      二〇二四年三月五日, 2024年十二月三十一日 (Chinese numerals, read digit by digit in the year,
        with 十 in month and day; chinese_numeral_date)
      Excel serial numbers, 1900 date system: five digits, e.g. 45356 -> 2024-03-05
        (day 0 = 1899-12-30; a fraction is a time of day and is dropped)
    Impossible dates (2024-02-30, 2023-13-01) and years outside 1900..2099 give NULL, so the row
    is rejected as unreadable rather than silently shifted. -#}
{% macro parse_date(value, text=none) -%}
    {%- set s = normalized(value, text) -%}
    (case
        when regexp_full_match({{ s }}, '\d{5}(\.\d+)?') and cast({{ s }} as double) < 73051
            then date '1899-12-30' + cast(floor(cast({{ s }} as double)) as integer)
        when regexp_full_match({{ s }}, '(19|20)\d{6}')
            then try_cast(substr({{ s }}, 1, 4) || '-' || substr({{ s }}, 5, 2) || '-' || substr({{ s }}, 7, 2) as date)
        when regexp_full_match({{ s }}, '(19|20)\d{2} ?[-/.年] ?\d{1,2} ?[-/.月] ?\d{1,2} ?日?([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?')
            then try_cast(regexp_replace({{ s }}, '^(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2}).*$', '\1-\2-\3') as date)
        when regexp_full_match({{ s }}, '{{ chinese_date_pattern() }}')
            then try_cast(regexp_replace({{ chinese_numeral_date(s) }}, '^((?:19|20)\d{2}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日?$', '\1-\2-\3') as date)
    end)
{%- endmacro %}


{#- chinese_numeral_date(s): a date written in Chinese numerals as the same date in digits
    (二〇二四年三月五日 -> 2024年3月5日, 二〇二四年十二月三十一日 -> 2024年12月31日); any other text
    unchanged. Only text of numerals and 年/月/日 is touched. -#}
{% macro chinese_date_pattern() -%}
[〇零一二三四五六七八九0-9]{4} ?年 ?[〇一二三四五六七八九十0-9]{1,3} ?月 ?[〇一二三四五六七八九十0-9]{1,3} ?日?
{%- endmacro %}

{% macro chinese_numeral_date(s) -%}
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        translate({{ s }}, '〇零一二三四五六七八九', '00123456789'),
        '(\d)十(\d)', '\1\2', 'g'), '(\d)十', '\10', 'g'), '十(\d)', '1\1', 'g'), '十', '10', 'g')
{%- endmacro %}
