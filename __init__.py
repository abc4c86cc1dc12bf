"""`carrier_assess_project`: the dbt project (dbt_project.yml, profiles.yml, models/, macros/,
seeds/) and the quality suites (expectations/) of this repository, installed as package data.

Nothing to import: `orchestration.config` finds the files through `importlib.resources`, so an
installed `carrier-assess` (editable or not) runs from any folder. pyproject.toml maps this
package to the repository root and lists what it ships.
"""
