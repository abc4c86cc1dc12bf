"""Every use of a library's private API, one module per library, each checked at start-up
against the versions it was written for (see each module's docstring)."""
