"""dfslim's own image (`Dockerfile` at the root) and its GitHub Action (`action.yml`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dfslim.context import BuildContext

REPO = Path(__file__).resolve().parents[1]


def test_the_image_dockerfile_is_clean_with_every_rule():
    done = subprocess.run([sys.executable, "-m", "dfslim", "lint", "--select", "all", "--fail-level", "info", "--format", "json", str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"findings": []' in done.stdout


def test_the_image_is_multi_stage_non_root_and_starts_dfslim():
    from dfslim.parser import parse

    dockerfile = parse((REPO / "Dockerfile").read_text(encoding="utf-8"), "Dockerfile")
    assert len(dockerfile.stages) == 2
    final = dockerfile.final_stage
    users = [i.args.strip() for i in final.instructions if i.keyword == "USER"]
    assert users and not users[-1].startswith(("0", "root"))
    entrypoint = [i for i in final.instructions if i.keyword == "ENTRYPOINT"][-1]
    assert entrypoint.exec_form == ("dfslim",)
    assert dockerfile.global_args["PYTHON_IMAGE"] == "python:3.12-alpine"


def test_the_build_context_holds_what_the_image_copies_and_little_else():
    context = BuildContext(str(REPO))
    for kept in ("pyproject.toml", "README.md", "dfslim/cli.py", "rules/dfs103_apt_lists_kept.py"):
        assert not context.is_excluded(kept), kept
    for left_out in (".git", ".venv", "tests/test_cli.py", "bench/bench.py", "dfslim/__pycache__/cli.cpython-311.pyc"):
        assert context.is_excluded(left_out), left_out


def action() -> dict:
    import yaml  # comes with pre-commit

    return yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def test_action_inputs_and_defaults():
    found = action()
    assert found["runs"]["using"] == "composite"
    inputs = found["inputs"]
    assert {"paths", "fail-level", "format", "output", "args"} <= set(inputs)
    assert inputs["format"]["default"] == "github" and inputs["paths"]["default"] == "."
    # inputs reach the scripts through the environment, never pasted into them
    for step in found["runs"]["steps"]:
        assert "${{" not in step.get("run", "")


@pytest.mark.slow
def test_action_steps_install_from_the_checkout_and_lint(tmp_path):
    """The action's two shell steps, run as a runner runs them: GITHUB_ACTION_PATH is the
    checkout (a copy of this working tree), the inputs in the environment."""
    checkout = tmp_path / "action"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md", "action.yml"):
        shutil.copy2(REPO / name, checkout / name)
    for folder in ("dfslim", "rules"):
        shutil.copytree(REPO / folder, checkout / folder, ignore=shutil.ignore_patterns("__pycache__"))
    project = tmp_path / "project"
    (project / "docker").mkdir(parents=True)
    (project / "docker" / "Dockerfile").write_text("FROM debian:12-slim\nRUN apt-get update && apt-get install -y curl\nUSER app\n")
    (project / "docker" / "Dockerfile.dockerignore").write_text("*\n")
    runner = tmp_path / "runner"
    runner.mkdir()
    install, lint = [step for step in action()["runs"]["steps"] if "run" in step]
    base = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "VIRTUAL_ENV"))}
    base.update(GITHUB_ACTION_PATH=str(checkout), RUNNER_TEMP=str(runner))
    done = subprocess.run(["bash", "-e", "-c", install["run"]], env={**base, "DFSLIM_PYTHON": sys.executable}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr

    def step(**inputs):
        env = {**base, "DFSLIM_PATHS": ".", "DFSLIM_FAIL_LEVEL": "warning", "DFSLIM_FORMAT": "github", "DFSLIM_OUTPUT": "", "DFSLIM_ARGS": "", **inputs}
        return subprocess.run(["bash", "-e", "-c", lint["run"]], env=env, cwd=project, capture_output=True, text=True, timeout=120)

    annotated = step()
    assert annotated.returncode == 1, annotated.stderr
    assert annotated.stdout.startswith("::warning file=docker/Dockerfile,line=2,")
    assert step(DFSLIM_ARGS="--select DFS103 --fail-level error").returncode == 0
    sarif = step(DFSLIM_FORMAT="sarif", DFSLIM_OUTPUT="dfslim.sarif", DFSLIM_FAIL_LEVEL="none", DFSLIM_PATHS="docker\nDockerfile-missing")
    assert sarif.returncode == 2 and "Dockerfile-missing: no such file or folder" in sarif.stderr
    assert '"ruleId": "DFS103"' in (project / "dfslim.sarif").read_text()
