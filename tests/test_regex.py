"""The ahead-of-time regex programs (dfslim/regex.py): complete, and the same programs
`re` would compile, so a pattern behaves identically whichever way it was built."""

from __future__ import annotations

import re

import pytest

from dfslim import regex, regex_programs


def _table_for_this_engine() -> dict:
    table = regex._table()
    if not table:
        pytest.skip("the stored programs were made for another regular expression engine")
    return table


def test_every_declared_pattern_has_a_stored_program():
    table = _table_for_this_engine()
    missing = [source for source in regex_programs.declared_patterns() if source not in table]
    assert not missing, f"run `python -m dfslim.regex_programs` to store programs for {missing[:5]}"


def test_stored_programs_are_the_ones_re_compiles():
    table = _table_for_this_engine()
    stale = [source for source in regex_programs.declared_patterns() if table.get(source) != regex.program(*source)]
    assert not stale, f"run `python -m dfslim.regex_programs`; stale programs for {stale[:5]}"


def test_a_pattern_from_its_program_matches_like_re_compile():
    _table_for_this_engine()
    for pattern, flags in regex_programs.declared_patterns():
        built = regex.compile_pattern(pattern, flags)
        fresh = re.compile(pattern, flags)
        # Pattern equality compares the pattern, the flags and the engine program itself
        assert built == fresh and (built.groups, built.groupindex) == (fresh.groups, fresh.groupindex)
    sample = regex.compile_pattern(r"(?P<name>[a-z]+)-(\d+)")
    assert sample.fullmatch("pip-3").group("name") == "pip"


def test_unknown_patterns_and_other_engines_fall_back_to_re_compile(monkeypatch):
    assert regex.compile_pattern(r"not-declared-\w+").fullmatch("not-declared-anywhere")
    monkeypatch.setattr(regex, "_programs", {})
    lazy = regex.LazyPattern(r"a(b+)c")
    assert lazy.search("xabbbc").group(1) == "bbb"
    assert lazy.pattern == r"a(b+)c"
