"""Where a rule's documentation is on the web: SARIF's `helpUri` and the language
server's `codeDescription` link to it.

A built-in rule's documentation is its module's docstring (what `dfslim explain` prints),
so the link is that module in the project's repository. A plugin's rules live elsewhere
and get no link.
"""

from __future__ import annotations

PROJECT_URL = "https://github.com/dfslim/dfslim"
BRANCH = "main"
BUILTIN_PACKAGE = "dfslim.rules."


def rule_url(rule) -> str | None:
    """The web page of a rule's documentation, or None for a plugin's rule."""
    if not rule.module.startswith(BUILTIN_PACKAGE):
        return None
    return f"{PROJECT_URL}/blob/{BRANCH}/rules/{rule.module[len(BUILTIN_PACKAGE):]}.py"
