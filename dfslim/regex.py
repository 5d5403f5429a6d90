"""Regular expressions compiled on first use, from programs compiled ahead of time.

A one-file run (a pre-commit hook) imports every rule module, and compiling their
patterns at import took about a tenth of the run, most of it for patterns the file at
hand never needs. Module-level patterns are therefore declared with `lazy_compile`,
which behaves as the compiled pattern and compiles it the first time it is used.

Compiling a pattern is mostly Python code in `re` (parsing it, and turning it into the
regular expression engine's program): about half of what a one-file lint does after its
imports. `dfslim/data/regex-programs.marshal` holds those programs for every declared
pattern, made by `python -m dfslim.regex_programs` for the engine of one Python version (its
`_sre.MAGIC`). When the running engine is that one, a pattern is built from its program
directly; otherwise, or for a pattern not in the table, `re.compile` compiles it as usual.
`tests/test_regex.py` checks that the table is complete and that every program is the one
`re` would make.
"""

from __future__ import annotations

import array
import os
import re

try:
    import _sre
except ImportError:  # another Python implementation: compile as usual
    _sre = None

# what rules use of a compiled pattern; copied onto the wrapper once it is compiled, so
# that later calls cost an ordinary attribute lookup
_ATTRIBUTES = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
               "pattern", "flags", "groups", "groupindex")
PROGRAMS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "regex-programs.marshal")

CODE_TYPE = "I"  # the program's words, stored packed: a table of lists of ints loads slowly
DECLARED: list[tuple[str, int]] = []  # every (pattern, flags) declared with lazy_compile, in order
_programs: dict | None = None


class LazyPattern:
    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        compiled = compile_pattern(*self._source)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern:
    """`re.compile(pattern, flags)`, deferred until a method or attribute is first used."""
    DECLARED.append((pattern, int(flags)))
    return LazyPattern(pattern, flags)  # type: ignore[return-value]


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern:
    """`re.compile(pattern, flags)`, from its ahead-of-time program when there is one."""
    stored = _table().get((pattern, int(flags)))
    if stored is not None:
        final_flags, code, groups, groupindex, indexgroup = stored
        try:
            program = array.array(CODE_TYPE)
            program.frombytes(code)
            return _sre.compile(pattern, final_flags, program.tolist(), groups, groupindex, indexgroup)
        except (TypeError, ValueError, RuntimeError):  # an engine that reads programs otherwise
            pass
    return re.compile(pattern, flags)


def _table() -> dict:
    global _programs
    if _programs is None:
        _programs = {}
        if _sre is not None:
            import marshal

            try:
                with open(PROGRAMS_FILE, "rb") as handle:
                    stored = marshal.load(handle)
                same_engine = (stored.get("magic"), stored.get("codesize")) == (_sre.MAGIC, _sre.CODESIZE)
                if same_engine and array.array(CODE_TYPE).itemsize == _sre.CODESIZE:
                    _programs = stored["programs"]
            except (OSError, ValueError, EOFError, TypeError, AttributeError):
                pass
    return _programs


def program(pattern: str, flags: int = 0) -> tuple:
    """The arguments after the pattern that `_sre.compile` takes for it, as `re` computes
    them: the flags, the program (packed as bytes), the group count, the group index and
    its inverse."""
    from re import _compiler, _parser

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), array.array(CODE_TYPE, code).tobytes(), parsed.state.groups - 1, groupindex, tuple(indexgroup))
