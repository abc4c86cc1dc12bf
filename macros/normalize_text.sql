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
    test, ~1 µs); the result is the same either way.
    Most cells hold none of the characters any step changes (collapse_gate(): whitespace, the
    space separators DuckDB's trim() removes, the mapped full-width ones): such a cell is
    returned as it is after one regex test, without the replace, trim and CJK passes (national
    staging of patents' titles 0.56 -> 0.32 s, their numbers 0.53 -> 0.39 s; the same text for
    every code point, tests/transform/test_macros.py). -#}
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

{#- The characters some step of collapse_text_always() changes: RE2's \s (tab, line feed, form
    feed, carriage return, space), the Unicode space separators (Zs) that DuckDB's trim()
    strips (U+00A0, U+1680, U+2000..U+200A, U+202F, U+205F, U+3000) and the full-width forms
    U+FF01..U+FF5E. Text holding none of them comes out of collapse_text_always() unchanged. -#}
{% macro collapse_gate() -%}
[\t\n\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}\x{FF01}-\x{FF5E}]
{%- endmacro %}

{% macro collapse_text(value) -%}
    case when regexp_matches(cast({{ value }} as varchar), '{{ collapse_gate() }}')
    then {{ collapse_text_always(value) }}
    else cast({{ value }} as varchar) end
{%- endmacro %}

{#- The full-width map, whitespace runs and trim, for text that holds a collapse_gate() character. -#}
{% macro collapse_text_always(value) -%}
    trim(regexp_replace(
        case when regexp_matches(cast({{ value }} as varchar), '[！-～　 ]')
        then translate(cast({{ value }} as varchar),
        '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　 ',
        '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~  ')
        else cast({{ value }} as varchar) end, '\s+', ' ', 'g'))
{%- endmacro %}
