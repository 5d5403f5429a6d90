"""DFS204 never lets a secret reach an output: not the message, the suggestion, the
excerpt of the line, nor any other rule's finding on the same file."""

from __future__ import annotations

import importlib
import json

import pytest
from click.testing import CliRunner

from dfslim.cli import main
from dfslim.reporters import FORMATS

AWS_KEY = "AKIA2E0A8F3B244C9986"
GITHUB_TOKEN = "ghp_0123456789abcdefghijABCDEFGHIJ012345"
PASSWORD = "Tr0ub4dor&3horse"
URL_PASSWORD = "hunter2hunter2"
SECRETS = (AWS_KEY, GITHUB_TOKEN, PASSWORD, URL_PASSWORD)

DOCKERFILE = f"""\
FROM python:3.12-slim
LABEL org.example.key="{AWS_KEY}"
ENV AWS_ACCESS_KEY_ID={AWS_KEY} \\
    DB_PASSWORD="{PASSWORD}"
ARG GITHUB_TOKEN={GITHUB_TOKEN}
ENV DATABASE_URL=postgres://app:{URL_PASSWORD}@db:5432/app
ARG NPM_TOKEN
RUN echo "{GITHUB_TOKEN}" > /root/.token
CMD ["python", "app.py"]
"""


@pytest.fixture
def dockerfile(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE)
    (tmp_path / ".dockerignore").write_text(".git\n")
    return path


def run(*args):
    result = CliRunner().invoke(main, ["lint", "--fail-level", "none", *args])
    assert result.exit_code == 0, result.output
    return result


# text and json at least, and every other format the reporters offer
OUTPUT_FORMATS = sorted(set(FORMATS) | {"text", "json"})


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
@pytest.mark.parametrize("select", [("--select", "DFS204"), ()], ids=["DFS204", "default-rules"])
def test_secrets_never_appear_in_outputs(dockerfile, output_format, select):
    result = run("--format", output_format, *select, str(dockerfile))
    everything = result.stdout + result.stderr
    assert "DFS204" in everything
    for secret in SECRETS:
        assert secret not in everything, f"{secret[:4]}... leaked in the {output_format} output"
        assert secret[4:] not in everything


def test_findings_and_severities(dockerfile):
    report = json.loads(run("--format", "json", "--select", "DFS204", str(dockerfile)).stdout)
    found = {finding["line"]: finding["severity"] for finding in report["findings"]}
    assert found == {2: "error", 3: "error", 5: "error", 6: "error", 7: "info", 8: "error"}


def test_text_excerpt_is_masked(dockerfile):
    text = run("--select", "DFS204", "--no-color", str(dockerfile)).stdout
    assert 'LABEL org.example.key="AKIA****"' in text
    assert "ARG GITHUB_TOKEN=ghp_****" in text
    assert "`AKIA****`" in text  # the message names the kind of key, masked


def test_the_secret_rule_searches_a_file_once_per_lint(monkeypatch):
    from dfslim.linter import lint
    from dfslim.parser import parse
    from dfslim.registry import all_rules

    module = importlib.import_module("dfslim.rules.dfs204_secret_in_image")
    searched = []
    real = module._find
    monkeypatch.setattr(module, "_find", lambda dockerfile: searched.append(dockerfile) or real(dockerfile))
    dockerfile = parse("FROM alpine\nENV API_TOKEN=" + "s3cr3tV4lue" * 3 + "\nRUN echo $API_TOKEN\n")
    findings = lint(dockerfile, all_rules())
    assert [finding.rule for finding in findings if finding.rule == "DFS204"] == ["DFS204"]
    assert searched == [dockerfile]  # check() and secret_spans() share one search
