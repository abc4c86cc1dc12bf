{#- normalize_text(value): the text clean-up every reported value gets before anything else.

    NFKC-equivalent for what arrives in report workbooks (checked against Python's
    unicodedata.normalize('NFKC') in tests/transform/test_macros.py):
      U+FF01..U+FF5E (full-width ASCII: ！ … ～, incl. Ａ-Ｚ ａ-ｚ ０-９ （ ） ，) -> U+0021..U+007E
      U+3000 (ideographic space) and U+00A0 (no-break space)                 -> U+0020 space
    then: inner runs of whitespace (spaces, tabs, line breaks) -> one space; trim both ends;
    a space between two CJK characters removed (`樊川 镇` -> `樊川镇`, `生物 医药` -> `生物医药`:
    Chinese has no spaces between words, a stray one would make two towns or industries);
    an empty result -> NULL (an empty cell and a cell of spaces are both "missing").
    CJK here: U+3001..U+303F (、。《》【】…), U+3400..U+4DBF, U+4E00..U+9FFF, U+F900..U+FAFF and
    U+20000..U+2FA1F (cjk_class() below; tests/transform/test_macros.py holds the same class).
    RE2 has no look-around, so one pass joins every other pair of `a b c d`; a second pass joins
    the rest. Both run only when the value holds a space.
    Other characters (CJK, 【】, 《》, ￥) are left as they are.
    translate() with this long map costs ~14 µs a call and staging calls normalize_text dozens
    of times a row, so it runs only when the text holds one of the mapped characters (a regex
    test, ~1 µs); the result is the same either way. -#}
{% macro cjk_class() -%}
[\x{3001}-\x{303F}\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2FA1F}]
{%- endmacro %}

{% macro drop_cjk_spaces(text) -%}
    {%- set pair = '(' ~ cjk_class() ~ ') (' ~ cjk_class() ~ ')' -%}
    case when contains({{ text }}, ' ')
    then regexp_replace(regexp_replace({{ text }}, '{{ pair }}', '\1\2', 'g'),
        '{{ pair }}', '\1\2', 'g')
    else {{ text }} end
{%- endmacro %}

{% macro normalize_text(value) -%}
    nullif({{ drop_cjk_spaces(collapse_text(value)) }}, '')
{%- endmacro %}

{#- normalized(value, text): normalize_text(value), or `text` when the caller has computed it
    already (value_lookups.sql computes it once per distinct value, for the parse and the checks). -#}
{% macro normalized(value, text=none) -%}
    {{ text if text is not none else normalize_text(value) }}
{%- endmacro %}

{% macro collapse_text(value) -%}
    trim(regexp_replace(
        case when regexp_matches(cast({{ value }} as varchar), '[！-～　 ]')
        then translate(cast({{ value }} as varchar),
        '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　 ',
        '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~  ')
        else cast({{ value }} as varchar) end, '\s+', ' ', 'g'))
{%- endmacro %}
