-- The subsidy_claims rows that pass every check: typed, normalised, named as docs/architecture.md says.
-- The split of stg_subsidy_claims__checked is shared by every dataset: macros/staging_split.sql.
{{ passed_rows('subsidy_claims') }}
