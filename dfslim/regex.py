"""Regular expressions compiled on first use.

A one-file run (a pre-commit hook) imports every rule module, and compiling their
patterns at import took about a tenth of the run, most of it for patterns the file at
hand never needs. Module-level patterns are therefore declared with `lazy_compile`,
which behaves as the compiled pattern and compiles it the first time it is used.
"""

from __future__ import annotations

import re

# what rules use of a compiled pattern; copied onto the wrapper once it is compiled, so
# that later calls cost an ordinary attribute lookup
_ATTRIBUTES = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
               "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        compiled = re.compile(*self._source)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern:
    """`re.compile(pattern, flags)`, deferred until a method or attribute is first used."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value]
