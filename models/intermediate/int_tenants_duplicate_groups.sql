-- One row per tenant reported more than once in one package year (carrier_id, uscc: a package
-- lists its tenants afresh every year): the row kept (the first file, sheet and row), who
-- reported it and in which rows, and whether any of its rows is a conflict (has_conflict).
-- int_tenants_deduplicated flags every staging row from it.
-- The shared logic: macros/flag_duplicates.sql (duplicate_groups); the key and the rows read:
-- macros/dedup_specs.sql.

{%- set spec = dedup_spec('tenants') %}

with

staged as not materialized (
    {{ dedup_input('tenants') }}
),

{{ duplicate_groups('staged', spec.key_columns, spec.compare_columns, spec.per_year, conflict_flag=true) }}

select * from groups
