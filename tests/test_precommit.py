"""The pre-commit hooks, run by the real pre-commit against a copy of this working tree.

`pre-commit try-repo` clones a repository's committed HEAD, so the test copies the package
(as it is on disk, uncommitted work included) into a temporary git repository, commits it
there, and runs the hook in another temporary repository holding Dockerfiles. pre-commit
installs dfslim into a fresh virtualenv from that copy (pip, through the configured index).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HOOKS = REPO / ".pre-commit-hooks.yaml"
BAD = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nUSER app\n"
CLEAN = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nUSER app\n"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def hooks() -> dict:
    import yaml  # comes with pre-commit

    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text())}


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=dfslim tests", "-c", "user.email=tests@dfslim.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    )


def picked(hook: dict, path: str) -> bool:
    """Whether pre-commit runs the hook on `path`."""
    return bool(re.search(hook["files"], path)) and not re.search(hook.get("exclude", "^$"), path)


NAMES = [
    ("Dockerfile", True), ("docker/Dockerfile", True), ("Dockerfile.dev", True),
    ("api.Dockerfile", True), ("api.dockerfile", True), ("Containerfile", True),
    ("build/Containerfile.prod", True), ("app.Containerfile", True), ("app.containerfile", True),
    ("api.Dockerfile.dev", True), ("x.Dockerfile.j2", False), ("Dockerfile.dockerignore", False),
    ("app.Dockerfile.dockerignore", False), ("docs/Dockerfile.md", False), ("Dockerfile.orig", False),
    ("Dockerfile.YAML", False), ("Dockerfiles/README.md", False), ("notDockerfile", False),
    ("docs/dockerfile.md", False), ("Dockerfile.d/notes", False), ("main.py", False),
]


@pytest.mark.parametrize("path, matched", NAMES)
def test_hook_files_pattern(path, matched):
    """What a folder search lints: discovery's names, less those that only look like one."""
    for hook in hooks().values():
        assert picked(hook, path) is matched, (hook["id"], path)


@pytest.mark.parametrize("path, matched", NAMES)
def test_hooks_pick_what_a_folder_search_picks(path, matched):
    from dfslim.discovery import is_dockerfile_name

    assert is_dockerfile_name(path.rsplit("/", 1)[-1]) is matched


def test_hook_exclude_lists_the_suffixes_discovery_skips():
    from dfslim.discovery import NOT_DOCKERFILE_SUFFIXES

    for hook in hooks().values():
        assert hook["exclude"] == "(?i)\\.(" + "|".join(NOT_DOCKERFILE_SUFFIXES) + ")$"


def test_files_pattern_covers_identify_dockerfile_type():
    from identify.identify import tags_from_filename

    pattern = hooks()["dfslim"]["files"]
    for name in ("Dockerfile", "Containerfile", "Dockerfile.xenial", "a.Dockerfile", "a.Containerfile", "Containerfile.b"):
        assert "dockerfile" in tags_from_filename(name)
        assert re.search(pattern, name), name


def test_hook_definitions():
    found = hooks()
    assert set(found) == {"dfslim", "dfslim-fix"}
    assert found["dfslim"]["entry"].startswith("dfslim lint")
    assert found["dfslim-fix"]["entry"].startswith("dfslim lint --fix")
    assert all(hook["language"] == "python" for hook in found.values())


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """This working tree's package, committed in a temporary repository."""
    copy = tmp_path_factory.mktemp("dfslim-hook-repo")
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, copy / name)
    if not (copy / "README.md").exists():
        (copy / "README.md").write_text("# dfslim\n")
    for folder in ("dfslim", "rules"):
        shutil.copytree(REPO / folder, copy / folder, ignore=IGNORED)
    git("init", "-q", cwd=copy)
    git("add", "-A", cwd=copy)
    git("commit", "-q", "-m", "dfslim under test", cwd=copy)
    return copy


@pytest.mark.slow
def test_precommit_try_repo(hook_repo, tmp_path):
    project = tmp_path / "project"
    (project / "clean").mkdir(parents=True)
    (project / "Dockerfile").write_text(BAD)
    (project / "clean" / "Dockerfile").write_text(CLEAN)
    (project / "notes.txt").write_text("RUN apt-get install curl\n")
    # the configuration is found from each file's folder, as on the command line
    (project / ".dfslim.toml").write_text('select = ["DFS103"]\n')
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    env = {key: value for key, value in os.environ.items() if key not in ("GITHUB_ACTIONS", "PRE_COMMIT", "VIRTUAL_ENV")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")

    def try_repo(hook: str, *files: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--color", "never", "--verbose", "--files", *files]
        return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)

    bad = try_repo("dfslim", "Dockerfile")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "Dockerfile:2:1: warning DFS103 apt-lists-kept: apt package lists stay in the image" in bad.stdout

    clean = try_repo("dfslim", "clean/Dockerfile", "notes.txt")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout and "1 file linted, 0 findings" in clean.stdout

    skipped = try_repo("dfslim", "notes.txt")
    assert skipped.returncode == 0 and "no files to check" in skipped.stdout

    help_text = subprocess.run([sys.executable, "-m", "dfslim", "lint", "--help"], capture_output=True, text=True).stdout
    if "--fix" in help_text:  # the fix hook, once `lint --fix` exists
        fixed = try_repo("dfslim-fix", "Dockerfile")
        assert "rm -rf /var/lib/apt/lists/*" in (project / "Dockerfile").read_text(), fixed.stdout + fixed.stderr
