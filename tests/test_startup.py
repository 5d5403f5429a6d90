"""Start-up discipline: a one-file lint loads only what it uses (a pre-commit hook pays
for every import on every commit). `bench/bench.py` measures the time; these tests keep
the causes from coming back."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from dfslim.regex import LazyPattern, lazy_compile

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "Dockerfile"

PROBE = """
import json, re, sys
from dfslim.cli import main
from dfslim.registry import all_rules
def compiled(value, depth=0):
    if isinstance(value, re.Pattern):
        return True
    if depth < 3 and isinstance(value, (tuple, list, frozenset, set)):
        return any(compiled(item, depth + 1) for item in value)
    if depth < 3 and isinstance(value, dict):
        return any(compiled(item, depth + 1) for item in value.values())
    return False
all_rules()  # patterns compiled by importing dfslim and its rules, before any lint
eager = sorted(
    f"{name}.{attribute}"
    for name, module in list(sys.modules.items()) if name.startswith("dfslim")
    for attribute, value in vars(module).items() if compiled(value)
)
try:
    main(["lint", "--format", "json", sys.argv[1]])
except SystemExit:
    pass
print(json.dumps({"modules": sorted(sys.modules), "eager": eager}), file=sys.stderr)
"""


def _probe() -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, str(EXAMPLE)], capture_output=True, text=True)
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_a_one_file_lint_loads_only_what_it_uses():
    probe = _probe()
    loaded = set(probe["modules"])
    assert any(name.startswith("dfslim.rules.") for name in loaded)  # the probe did lint
    unused = {"dataclasses", "importlib.metadata", "dfslim.fixer", "difflib", "multiprocessing", "concurrent.futures", "pygls", "lsprotocol", "subprocess"}
    assert not unused & loaded
    assert not {name for name in loaded if name.startswith("dfslim.measure")}  # lint never builds
    assert {name for name in loaded if name.startswith("dfslim.reporters.")} == {"dfslim.reporters.json"}


def test_module_level_patterns_compile_on_first_use():
    assert _probe()["eager"] == []


def test_lazy_pattern_behaves_as_the_compiled_pattern():
    pattern = lazy_compile(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    assert isinstance(pattern, LazyPattern) and "_source" in vars(pattern) and "match" not in vars(pattern)
    assert pattern.match("ABC-12").group("word") == "ABC"
    assert "match" in vars(pattern)  # compiled once, methods bound on the wrapper
    assert pattern.sub(r"\2", "x-1 y-2") == "1 2"
    assert pattern.pattern == r"(?P<word>[a-z]+)-(\d+)" and pattern.flags & re.IGNORECASE
    assert pattern.groups == 2 and pattern.groupindex == {"word": 1}
    assert [m.group(0) for m in pattern.finditer("a-1 b-2")] == ["a-1", "b-2"]
    assert pattern.fullmatch("a-1") and not pattern.search("nothing")
