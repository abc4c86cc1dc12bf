"""carrier-assess orchestration: the command line, the order of the steps, and all I/O."""
