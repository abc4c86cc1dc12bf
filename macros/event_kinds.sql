{#- The five kinds of events and where each is reported, in one place: int_events_unioned (one row
    per distinct event, from its kept row) and int_events_attributed (the reported rows of the
    enterprises with several tenancy spans) both read them from here.
      kind     event_kind
      dataset  the report dataset
      rows     the model holding every reported row of the kind, kept or not (patents: the
               staged rows; int_patents_deduplicated flags them where it is read)
      key      the event's key there (event_key); date: its date (event_date) -#}
{% macro event_kinds() -%}
    {{ return([
        {'kind': 'patent_grant', 'dataset': 'patents', 'rows': 'stg_patents',
         'key': 'patent_no', 'date': 'grant_date'},
        {'kind': 'high_tech_certificate', 'dataset': 'high_tech', 'rows': 'int_high_tech_deduplicated',
         'key': 'certificate_no', 'date': 'issue_date'},
        {'kind': 'graduation', 'dataset': 'graduations', 'rows': 'int_graduations_deduplicated',
         'key': 'dedup_key', 'date': 'graduation_date'},
        {'kind': 'financing', 'dataset': 'financing', 'rows': 'int_financing_deduplicated',
         'key': 'dedup_key', 'date': 'financing_date'},
        {'kind': 'award', 'dataset': 'awards', 'rows': 'int_awards_deduplicated',
         'key': 'dedup_key', 'date': 'award_date'},
    ]) }}
{%- endmacro %}

{#- An event's identity columns (event_kind, dataset, event_key, event_date) from `relation`, a
    row of `kind` (int_events_unioned). -#}
{% macro event_identity(kind, relation) -%}
    {%- for spec in event_kinds() if spec.kind == kind -%}
        '{{ spec.kind }}' as event_kind,
        '{{ spec.dataset }}' as dataset,
        {{ relation }}.{{ spec.key }} as event_key,
        {{ relation }}.{{ spec.date }} as event_date
    {%- else -%}
        {{ exceptions.raise_compiler_error('no event kind ' ~ kind) }}
    {%- endfor -%}
{%- endmacro %}
