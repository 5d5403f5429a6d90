"""dfslim's built-in rules: one module per rule, named `dfsNNN_rule_name.py`."""
