"""The Dockerfiles of the articles dfslim grew from (`../shared/seeds/`), linted with the
findings a reader of those articles expects. The Dockerfiles are read from the seed
texts at test time; seed 000 describes its image in prose, so its Dockerfile is the
plainest one matching that description."""

from __future__ import annotations

import re

import pytest

from conftest import SHARED
from dfslim.config import Settings
from dfslim.graph import ships
from dfslim.linter import lint
from dfslim.parser import parse

SEEDS = SHARED / "seeds"
BLOCK_RE = re.compile(r"```dockerfile\n(.*?)```", re.DOTALL)

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seeds are not beside this checkout")


def seed_dockerfiles(number: str) -> list[str]:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return BLOCK_RE.findall(path.read_text(encoding="utf-8"))


def findings(text: str):
    return lint(parse(text, "Dockerfile"), Settings().rules())


def rules_by_line(found) -> dict[int, set[str]]:
    table: dict[int, set[str]] = {}
    for finding in found:
        table.setdefault(finding.line, set()).add(finding.rule)
    return table


def test_seed_001_fat_base_suggests_slim():
    fat, slim, multi = seed_dockerfiles("001")
    found = findings(fat)
    (dfs101,) = [f for f in found if f.rule == "DFS101"]
    assert dfs101.line == 1
    assert "FROM python:3.12-slim" in dfs101.suggestion
    assert dfs101.fix is not None and not dfs101.fix.safe
    assert {"DFS103", "DFS104"} <= rules_by_line(found)[4]  # apt lists kept, recommends
    assert "DFS201" in rules_by_line(found)[1]  # runs as root


def test_seed_001_slim_has_no_size_finding_but_root():
    _fat, slim, _multi = seed_dockerfiles("001")
    found = findings(slim)
    assert [f.rule for f in found if f.category == "size"] == []


def test_seed_001_multistage_builder_has_no_size_finding():
    _fat, _slim, multi = seed_dockerfiles("001")
    dockerfile = parse(multi)
    found = lint(dockerfile, Settings().rules())
    builder = dockerfile.stages[0]
    assert builder.name == "builder" and not ships(dockerfile, builder)
    assert [f for f in found if f.category == "size" and f.stage == "builder"] == []


def test_seed_002_before_and_after():
    before, after = seed_dockerfiles("002")
    found = findings(before)
    by_rule = {f.rule for f in found}
    assert "DFS101" in by_rule  # python:3.9 -> python:3.9-slim
    (dfs101,) = [f for f in found if f.rule == "DFS101"]
    assert "python:3.9-slim" in dfs101.suggestion
    after_found = findings(after)
    assert "DFS101" not in {f.rule for f in after_found}
    assert "DFS201" not in {f.rule for f in after_found}  # the new file runs as a non-root user


# Seed 000 shows no Dockerfile: its image is a Flask app on `python:3.11` installed with pip.
SEED_000_BEFORE = """FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE 5000
CMD ["python", "app.py"]
"""

# Measured sizes from ../shared/seeds/README.md: (before, after) in bytes, MB = 10^6.
MEASURED = {
    "000": (1.02e9, 146e6),
    "001": (1.13e9, 133e6),
    "002": (1.36e9, 471e6),
}


def estimated_saving(text: str) -> int:
    return sum(f.savings_bytes or 0 for f in findings(text))


@pytest.mark.parametrize("seed", sorted(MEASURED))
def test_estimated_saving_is_within_a_quarter_of_the_measured_one(seed):
    before = SEED_000_BEFORE if seed == "000" else seed_dockerfiles(seed)[0]
    measured = MEASURED[seed][0] - MEASURED[seed][1]
    estimate = estimated_saving(before)
    assert abs(estimate - measured) <= 0.25 * measured, f"estimate {estimate / 1e6:.0f} MB vs measured {measured / 1e6:.0f} MB"


def test_the_fixed_seeds_have_little_left_to_save():
    _fat, slim, multi = seed_dockerfiles("001")
    assert estimated_saving(slim) < 50e6 and estimated_saving(multi) < 50e6
