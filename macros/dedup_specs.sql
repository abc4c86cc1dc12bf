{#- The de-duplication of the datasets whose rows are many (national: 0.3-5.6 M of both years),
    made by two models each (macros/flag_duplicates.sql: duplicate_groups, then flag_rows):
      int_<dataset>_duplicate_groups  the table of the keys reported more than once;
      int_<dataset>_deduplicated      the view flagging every staging row from it, where it is
                                      read: writing every row again, flagged, cost more than
                                      flagging it in the few models that read it (national:
                                      patents first, then tenants, financing and graduations;
                                      docs/benchmarks.md, issue 21).
    The other datasets are one table each, `flag_duplicates` in one query: most are a few
    thousand rows; high-tech's view, with its window over every enterprise's certificates,
    made the attribution that reads it 3x slower (national 4.6 -> 12 s).

    grouped_datasets()      the datasets made in two models;
    dedup_spec(dataset)     the contract key, the other values compared for conflicts, and
                            whether the key is per package year (a dataset listed afresh every year);
    dedup_input(dataset)    the staging rows the two models read, as of the build's year. -#}
{% macro grouped_datasets() -%}
    {{ return(['financing', 'graduations', 'patents', 'tenants']) }}
{%- endmacro %}

{% macro dedup_spec(dataset) -%}
    {{ return({
        'financing': {
            'key_columns': ['uscc', 'financing_date', 'amount_wan', 'financing_kind', 'investor'],
            'compare_columns': ['enterprise_name', 'round'],
            'per_year': false,
        },
        'graduations': {
            'key_columns': ['carrier_id', 'uscc'],
            'compare_columns': ['enterprise_name', 'graduation_date', 'graduation_basis', 'landed_in_district', 'landed_park'],
            'per_year': false,
        },
        'patents': {
            'key_columns': ['patent_no'],
            'compare_columns': ['enterprise_name', 'uscc', 'patent_type', 'title', 'application_date', 'grant_date', 'legal_status'],
            'per_year': false,
        },
        'tenants': {
            'key_columns': ['carrier_id', 'uscc'],
            'compare_columns': ['enterprise_name', 'entry_date', 'exit_date', 'tenant_status', 'industry', 'tech_sme_reg_no', 'tech_sme_reg_date', 'revenue_wan', 'rd_expense_wan', 'tax_paid_wan', 'employees', 'talents', 'attracted_by_town', 'tech_recruit_certified', 'occupied_area_m2'],
            'per_year': true,
        },
    }[dataset]) }}
{%- endmacro %}

{#- Tenants: attracted_by_town mapped to its canonical name (int_town_names); an unknown one is
    kept as written and flagged (is_town_unknown). The others: their staging rows as they are. -#}
{% macro dedup_input(dataset) -%}
    {%- if dataset == 'tenants' %}
    select
        tenants.* replace (
            coalesce(town_names.town_name, tenants.attracted_by_town) as attracted_by_town
        ),
        tenants.attracted_by_town as town_as_written,
        town_names.town_name is null and tenants.attracted_by_town is not null
            as is_town_unknown
    from {{ ref('stg_tenants') }} as tenants
    left join {{ ref('int_town_names') }} as town_names
        on tenants.attracted_by_town = town_names.match_name
    where {{ as_of_filter('tenants._assessment_year') }}
    {%- else %}
    select * from {{ ref('stg_' ~ dataset) }}
    where {{ as_of_filter('_assessment_year') }}
    {%- endif %}
{%- endmacro %}
