"""Publish: the year's results, made public in one step, and the office's files.

Reads the scored result frames (`orchestration.score.YearScoring`), the audit's findings and
the warehouse's marts; writes the `results.*` tables, the Parquet files, the published copy of
the warehouse and the office's files (workbook, HTML report, data-quality report, details
workbook, templates) into a new version folder that one link swap makes current
(`tables.publish_year`). Nothing here decides a score: the office files only present the
result tables, with the labels of `scoring/results_contract.yaml`.

Modules: `tables` (the result tables, versions and the swap), `year_files` (a year's Parquet
and office files into its version folder); the office files'
shared parts `office_tables` (which tables and columns they read), `labels` (headers and code
labels), `formatting` (how a value reads), `office_summary` (facts, grade counts, order) and
`atomic`; the workbook `workbook` (assembly; a national year's written by `workbook_worker`,
a process of its own), `workbook_sheets`, `workbook_detail`,
`workbook_cells` and `workbook_office` (print setup and office formats); the HTML report
`html_report` (assembly), `html_carriers`, `html_sections`, `html_tables` and `charts`; their
parts `receipt`, `adjustments`, `decision`, `history_note`; `details_workbook`, `dq_report` and
`dq_pages` (the data-quality report), `whatif_report`, `template` and `adjustments_template`
(the blank workbooks the office hands out).
"""
