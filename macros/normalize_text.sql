{#- normalize_text(value): the text clean-up every reported value gets before anything else.

    NFKC-equivalent for what arrives in report workbooks (checked against Python's
    unicodedata.normalize('NFKC') in tests/transform/test_macros.py):
      U+FF01..U+FF5E (full-width ASCII: ！ … ～, incl. Ａ-Ｚ ａ-ｚ ０-９ （ ） ，) -> U+0021..U+007E
      U+3000 (ideographic space) and U+00A0 (no-break space)                 -> U+0020 space
    then: inner runs of whitespace (spaces, tabs, line breaks) -> one space; trim both ends;
    an empty result -> NULL (an empty cell and a cell of spaces are both "missing").
    Other characters (CJK, 【】, 《》, ￥) are left as they are. -#}
{% macro normalize_text(value) -%}
    nullif(trim(regexp_replace(translate(cast({{ value }} as varchar),
        '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　 ',
        '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~  '), '\s+', ' ', 'g')), '')
{%- endmacro %}
