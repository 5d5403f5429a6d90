"""The README stays true: its rule table matches the rules, its quick start exists."""

from __future__ import annotations

import re
from pathlib import Path

from dfslim.registry import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"
TABLE_RE = re.compile(r"<!-- rules-table:start -->\n(.*?)\n?<!-- rules-table:end -->", re.DOTALL)


def test_rule_table_is_current():
    text = README.read_text(encoding="utf-8")
    match = TABLE_RE.search(text)
    assert match, "README lacks the rules-table markers"
    if match.group(1).strip() != markdown_table():
        message = "README rule table is stale: run `python tests/test_readme.py` to regenerate it"
        raise AssertionError(message)


def update() -> None:
    text = README.read_text(encoding="utf-8")
    new = TABLE_RE.sub(lambda _m: f"<!-- rules-table:start -->\n{markdown_table()}\n<!-- rules-table:end -->", text)
    README.write_text(new, encoding="utf-8")


def test_quick_start_commands_are_the_ones_ci_runs():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", text, re.DOTALL)
    assert len(blocks) >= 2
    install_and_lint, install_and_test = blocks[0], blocks[1]
    assert "dfslim lint" in install_and_lint and "examples/Dockerfile" in install_and_lint
    assert "pip install -e '.[test]'" in install_and_test and install_and_test.endswith("pytest")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[test]'" in ci and ci.rstrip().endswith("pytest")


def test_pre_commit_example_pins_a_commit_of_this_repository():
    import shutil
    import subprocess

    text = README.read_text(encoding="utf-8")
    (rev,) = re.findall(r"^    rev: (\S+)", text, re.MULTILINE)
    assert re.fullmatch(r"[0-9a-f]{40}", rev), "pin a full commit: there is no release tag"
    if not shutil.which("git") or not (README.parent / ".git").exists():
        return  # not a git checkout: nothing to look the commit up in
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=README.parent, capture_output=True, text=True).stdout.strip()
    found = subprocess.run(["git", "cat-file", "-e", f"{rev}^{{commit}}"], cwd=README.parent, capture_output=True)
    assert found.returncode == 0 or shallow == "true", f"README pins {rev}, which is not a commit of this repository"
    hooks = subprocess.run(["git", "show", f"{rev}:.pre-commit-hooks.yaml"], cwd=README.parent, capture_output=True, text=True)
    assert found.returncode != 0 or "- id: dfslim\n" in hooks.stdout  # the hook the example names exists there


if __name__ == "__main__":
    update()
