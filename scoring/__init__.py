"""carrier-assess scoring: the business rules as pure functions over polars frames.

Nothing in this package reads or writes files or databases; the rulebook arrives as data.
"""
