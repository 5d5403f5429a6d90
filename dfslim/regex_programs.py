"""Regenerates `dfslim/data/regex-programs.marshal`, the ahead-of-time programs of every
pattern the core and the rules declare with `dfslim.regex.lazy_compile`:
`python -m dfslim.regex_programs`. Run it after adding or changing such a pattern
(`tests/test_regex.py` says when)."""

import _sre
import importlib
import marshal
import os
import pkgutil

import dfslim
import dfslim.rules
from dfslim import regex


def declared_patterns() -> list[tuple[str, int]]:
    """Every pattern the core and the rules declare with `lazy_compile` (importing them all)."""
    for package in (dfslim, dfslim.rules):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.startswith(("dfslim.lsp", "dfslim.__main__")):
                continue  # optional extras; their patterns are not on a lint run's path
            importlib.import_module(info.name)
    return list(dict.fromkeys(regex.DECLARED))


def write_programs(path: str = regex.PROGRAMS_FILE) -> int:
    """Write the programs of every declared pattern for the running engine; their number."""
    programs = {source: regex.program(*source) for source in declared_patterns()}
    stored = {"magic": _sre.MAGIC, "codesize": _sre.CODESIZE, "programs": programs}
    temporary = path + ".tmp"
    with open(temporary, "wb") as handle:
        marshal.dump(stored, handle)
    os.replace(temporary, path)
    return len(programs)


if __name__ == "__main__":
    print(f"{write_programs()} patterns written to {regex.PROGRAMS_FILE}")
