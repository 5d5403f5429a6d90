"""`--target`, the `targets` setting and `dfslim stages`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dfslim.cli import main

MULTI = """\
FROM python:3.12-slim AS base
FROM base AS api
RUN pip install flask
FROM base AS worker
RUN pip install celery
FROM golang:1.22 AS tools
RUN go build ./...
FROM base AS unit-test
RUN pip install pytest
FROM base AS web
RUN pip install gunicorn
COPY --from=tools /go/bin/ /usr/local/bin/
"""


def lint(tmp_path, *args, config: str | None = None):
    (tmp_path / "Dockerfile").write_text(MULTI)
    if config is not None:
        (tmp_path / ".dfslim.toml").write_text(config)
    result = CliRunner().invoke(main, ["lint", "--format", "json", "--fail-level", "none", "--select", "DFS105", *args, str(tmp_path / "Dockerfile")])
    return result, json.loads(result.stdout)


def test_every_target_is_linted_and_named(tmp_path):
    result, report = lint(tmp_path)
    found = {(f["line"], tuple(f["targets"])) for f in report["findings"]}
    assert found == {(3, ("api",)), (5, ("worker",)), (11, ("web",))}
    messages = {f["line"]: f["message"] for f in report["findings"]}
    assert messages[3].endswith("(in target api)") and "in target" not in messages[11]


def test_target_option_replaces_the_inferred_targets(tmp_path):
    result, report = lint(tmp_path, "--target", "worker", "--target", "web")
    assert {f["line"] for f in report["findings"]} == {5, 11}


def test_targets_setting(tmp_path):
    result, report = lint(tmp_path, config='targets = ["api"]\n')
    assert {f["line"] for f in report["findings"]} == {3}
    result, report = lint(tmp_path, "--target", "worker", config='targets = ["api"]\n')
    assert {f["line"] for f in report["findings"]} == {5}  # the command line wins


def test_unknown_target_warns_and_lints_the_inferred_ones(tmp_path):
    result, report = lint(tmp_path, "--target", "nope")
    assert "no stage named nope" in result.stderr
    assert {f["line"] for f in report["findings"]} == {3, 5, 11}


def test_stages_listing(tmp_path):
    (tmp_path / "Dockerfile").write_text(MULTI)
    result = CliRunner().invoke(main, ["stages", str(tmp_path / "Dockerfile")])
    assert result.exit_code == 0, result.output
    assert "targets: api, worker, web" in result.stdout
    assert "tools: FROM golang:1.22  -> builder (does not ship)" in result.stdout
    assert "unit-test: FROM base  -> builder (does not ship)" in result.stdout
    result = CliRunner().invoke(main, ["stages", "--format", "json", str(tmp_path / "Dockerfile")])
    records = {record["name"]: record for record in json.loads(result.stdout)[0]["stages"]}
    assert records["base"]["ships"] and records["base"]["targets"] == ["api", "worker", "web"]
    assert not records["tools"]["ships"]


def test_stages_of_a_bad_file(tmp_path):
    (tmp_path / "Dockerfile").write_text("RUN echo no from\n")
    result = CliRunner().invoke(main, ["stages", str(tmp_path / "Dockerfile")])
    assert result.exit_code == 2 and "no FROM" in result.stderr
