-- The patents rows that pass every check: typed, normalised, named as docs/architecture.md says.
-- The split of stg_patents__checked is shared by every dataset: macros/staging_split.sql.
{{ passed_rows('patents') }}
