"""carrier-assess scoring: the business rules of rules.md as pure functions over polars frames.

Interface: `engine.score_year(rulebook, year, ScoringInputs)` reads the marts as frames and
returns the result tables of `results_contract.yaml`; the rulebook comes from
`rulebook.rulebook_for_year` or `rulebook.load_rulebook`. Every rule is registered in
`registry.py` (code → article, parameter model, function). Only `rulebook.py` and
`results_contract.py` read files (the rulebook YAML, the result contract); nothing writes.
"""
