"""dfslim's size estimates against real builds (dfslim/data/measurements.json, made by
bench/measure/measure.py), and savings.json against what bench/measure/gen_savings.py
derives from them: a figure edited by hand, or an estimate that drifts from what the
builds weigh, fails here. The rules themselves are run on each case's Dockerfile (with
its build context) and their `savings_bytes` checked against what the build measured.

Tolerance: 15% of the measured bytes (25% for pip caches, whose index pages and HTTP
metadata come on top of the wheels), and never less than 0.3 MB: below that a layer's
dpkg and log bookkeeping is as large as the difference itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dfslim import packages, pipcache, savings
from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "dfslim" / "data"
MEASUREMENTS = json.loads((DATA / "measurements.json").read_text(encoding="utf-8"))
CASES = MEASUREMENTS["cases"]
TOLERANCE, PIP_TOLERANCE, FLOOR = 0.15, 0.25, 300_000
# harness base -> (family, release) of dfslim.packages' base lists, and whether it is -slim
BASE_FAMILY = {
    "debian-bookworm": ("debian", "bookworm", False), "debian-bookworm-slim": ("debian", "bookworm", True),
    "python-bookworm-slim": ("python-slim", "bookworm", True), "debian-bullseye-slim": ("debian", "bullseye", True),
    "debian-trixie-slim": ("debian", "trixie", True),
}


def _cases(rule):
    """The cases of `rule` (None: all)."""
    return [pytest.param(case, id=case["id"]) for case in CASES if rule in (None, case["rule"])]


def _close(estimate, measured, tolerance=TOLERANCE):
    assert estimate is not None
    assert abs(estimate - measured) <= max(tolerance * measured, FLOOR), (estimate, measured)


def _release(case):
    return BASE_FAMILY[case["base"]][1]


def _base(case):
    family, release, _slim = BASE_FAMILY[case["base"]]
    return packages.base_packages(family, release)


def _layer(case) -> dict:
    """How the case's base shapes a layer: -slim or not, and its debconf database."""
    family, release, slim = BASE_FAMILY[case["base"]]
    return {"slim": slim, "debconf_bytes": packages.base_debconf_bytes(family, release)}


# ---------------------------------------------------------------- provenance

def test_measurements_carry_their_provenance():
    assert MEASUREMENTS["date"] and MEASUREMENTS["wall_seconds"] > 0
    for tool in ("mmdebstrap", "buildah", "podman", "dfslim"):
        assert MEASUREMENTS["tools"][tool]
    for name, base in MEASUREMENTS["bases"].items():
        assert base["stands_for"] and base["layers"] and base["packages"], name


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_each_case_is_a_built_pair(case):
    assert case["base"] in MEASUREMENTS["bases"]
    for variant in ("finding", "fixed"):
        layers = case[variant]["layers"]
        assert layers and case[variant]["bytes"] == sum(layer["bytes"] for layer in layers)
    assert case["measured_bytes"] == case["finding"]["bytes"] - case["fixed"]["bytes"]
    assert case["dockerfile"] != case["dockerfile_fixed"]


def _harness(name):
    sys.path.insert(0, str(REPO / "bench" / "measure"))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def test_savings_json_is_what_the_generator_derives():
    gen_savings = _harness("gen_savings")
    current = json.loads((DATA / "savings.json").read_text(encoding="utf-8"))
    assert gen_savings.derive(current, MEASUREMENTS) == current, "run bench/measure/gen_savings.py"


def test_every_measured_key_is_a_figure():
    for case in CASES:
        assert savings.figure(case["key"]) == max(case["measured_bytes"], 0), case["key"]


# ---------------------------------------------------------------- estimates

@pytest.mark.parametrize("case", _cases("DFS103"))
def test_apt_lists(case):
    image = MEASUREMENTS["bases"][case["base"]]["stands_for"]
    _close(savings.apt_lists_bytes(image), case["measured_bytes"])


@pytest.mark.parametrize("case", _cases("DFS104"))
def test_recommends_from_the_package_index(case):
    # the layer: files (less documentation on -slim), ca-certificates' bundle, and the
    # debconf database that configuring ca-certificates rewrites
    estimate = packages.recommends_bytes(case["packages"], _release(case), _base(case), **_layer(case))
    _close(estimate, case["measured_bytes"])


@pytest.mark.parametrize("case", _cases("DFS104") + _cases("DFS112"))
def test_index_resolves_the_packages_apt_installed(case):
    recommends = case["rule"] == "DFS104"  # the DFS112 cases install with --no-install-recommends
    resolved = packages.closure(case["packages"], _release(case), recommends, _base(case))
    assert resolved == set(case["installed"])


@pytest.mark.parametrize("case", _cases("DFS112"))
def test_build_tools_from_the_package_index(case):
    estimate = packages.closure_bytes(case["packages"], _release(case), False, _base(case), **_layer(case))
    _close(estimate, case["measured_bytes"])


@pytest.mark.parametrize("case", _cases("DFS114"))
def test_lastlog_by_release(case):
    release = _release(case)
    written = case["probe"]["bytes"] or 0
    if written == 0:  # shadow no longer writes lastlog: no saving to claim
        assert case["measured_bytes"] < FLOOR
        assert savings.figure(f"lastlog:uid-100000:debian:{release}") == max(case["measured_bytes"], 0)
    else:
        # glibc's 292-byte lastlog record per uid; faillog adds its own record per uid on top
        _close(savings.ratio("lastlog:per-uid") * (100000 + 1), case["measured_bytes"])
        assert savings.ratio(f"lastlog:per-uid:debian:{release}") * (100000 + 1) == pytest.approx(case["measured_bytes"], rel=0.001)


@pytest.mark.parametrize("case", _cases("DFS110"))
def test_chown_after_copy_from_the_copied_bytes(case):
    copied = case["fixed"]["bytes"]
    _close(savings.ratio("chown-after-copy:per-copied-byte") * copied, case["measured_bytes"])


@pytest.mark.parametrize("case", _cases("DFS105"))
def test_pip_cache_from_wheel_sizes(case):
    _close(pipcache.estimate(case["packages"]).bytes, case["measured_bytes"], PIP_TOLERANCE)


@pytest.mark.parametrize("case", _cases("DFS105"))
def test_the_cache_is_what_the_fix_removes(case):
    # the layer difference is the cache directory itself, within bookkeeping
    _close(case["probe"]["bytes"], case["measured_bytes"])


@pytest.mark.parametrize("case", _cases("DFS108"))
def test_npm_cache_clean_removes_most_of_the_npm_folder(case):
    # `npm cache clean --force` empties _cacache but keeps /root/.npm/_logs; the probe also
    # counts the folders' own 4 KiB entries, which a layer tarball does not store
    assert 0.5 * case["probe"]["bytes"] < case["measured_bytes"] <= case["probe"]["bytes"]


# ---------------------------------------------------------------- the rules' own estimates


def _rule_estimate(case, folder):
    """The saving the case's rule reports on the case's Dockerfile, built from the
    harness's build context for it."""
    definition = {each.id: each for each in _harness("cases").all_cases()}[case["id"]]
    if definition.context is not None:
        definition.context(folder)
    dockerfile = parse(case["dockerfile"], str(folder / "Dockerfile"))._replace(context_dir=str(folder))
    found = [f for f in lint(dockerfile, Settings(select=(case["rule"],)).rules()) if f.rule == case["rule"]]
    assert len(found) == 1, [f.rule for f in found]
    return found[0].savings_bytes


@pytest.mark.parametrize("case", _cases(None))
def test_each_rule_estimates_what_the_build_measured(case, tmp_path):
    tolerance = PIP_TOLERANCE if case["rule"] == "DFS105" else TOLERANCE
    # (a case whose fix saves nothing is held to the floor: no finding claims a saving
    # the build shows does not exist)
    _close(_rule_estimate(case, tmp_path), max(case["measured_bytes"], 0), tolerance)
