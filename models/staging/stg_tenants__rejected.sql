-- One row per (raw tenants row, failing check): the data-quality list's staging part.
-- Shared by every dataset: macros/staging_split.sql.
{{ rejected_rows('tenants') }}
