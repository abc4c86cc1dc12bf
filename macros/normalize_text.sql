{#- normalize_text(value): the text clean-up every reported value gets before anything else.

    NFKC-equivalent for what arrives in report workbooks (checked against Python's
    unicodedata.normalize('NFKC') in tests/transform/test_macros.py):
      U+FF01..U+FF5E (full-width ASCII: ！ … ～, incl. Ａ-Ｚ ａ-ｚ ０-９ （ ） ，) -> U+0021..U+007E
      U+3000 (ideographic space) and U+00A0 (no-break space)                 -> U+0020 space
    then: inner runs of whitespace (spaces, tabs, line breaks) -> one space; trim both ends;
    an empty result -> NULL (an empty cell and a cell of spaces are both "missing").
    Other characters (CJK, 【】, 《》, ￥) are left as they are.
    translate() with this long map costs ~14 µs a call and staging calls normalize_text dozens
    of times a row, so it runs only when the text holds one of the mapped characters (a regex
    test, ~1 µs); the result is the same either way. -#}
{% macro normalize_text(value) -%}
    nullif(trim(regexp_replace(
        case when regexp_matches(cast({{ value }} as varchar), '[！-～　 ]')
        then translate(cast({{ value }} as varchar),
        '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　 ',
        '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~  ')
        else cast({{ value }} as varchar) end, '\s+', ' ', 'g')), '')
{%- endmacro %}
