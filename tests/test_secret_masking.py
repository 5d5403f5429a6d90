"""DFS204 never lets a secret reach an output: not the message, the suggestion, the
excerpt of the line, nor any other rule's finding on the same file; and it masks only the
secret's own text, never the same letters elsewhere. Also the severities it gives."""

from __future__ import annotations

import importlib
import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from dfslim.cli import main
from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.parser import parse
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


def _build_context(folder, text: str):
    """A Dockerfile holding `text` in a build context with a `.dockerignore`."""
    path = folder / "Dockerfile"
    path.write_text(text)
    (folder / ".dockerignore").write_text(".git\n")
    return path


@pytest.fixture
def dockerfile(tmp_path):
    return _build_context(tmp_path, DOCKERFILE)


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


# the secrets `pass`, `bitnami` and `password`, and the same letters in other words that must stay
SHORT_SECRETS = """\
FROM debian:12-slim
RUN echo 'app:pass' | chpasswd
RUN /build/bitnami-user.sh --password-file /run/secrets/pass
ENV WORDPRESS_PASSWORD=bitnami
RUN /build/bitnami-user.sh
ENV MYSQL_PASSWORD=password
USER app
"""


@pytest.fixture
def short_secrets(tmp_path):
    return _build_context(tmp_path, SHORT_SECRETS)


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_only_the_secrets_own_text_is_masked(short_secrets, output_format):
    everything = run("--format", output_format, "--select", "all", str(short_secrets)).stdout
    assert "DFS204" in everything and "DFS116" in everything
    assert "app:pass" not in everything and "=bitnami" not in everything
    for mangled in ("p****word", "chp****", "b****-user", "secrets/p****", "mysql_pa****"):
        assert mangled not in everything, f"{mangled} in the {output_format} output"
    assert "chpasswd" in everything and "password" in everything and "=password" not in everything


def test_a_quote_of_the_secret_by_another_rule_is_masked(short_secrets):
    text = run("--select", "all", "--no-color", str(short_secrets)).stdout
    # DFS116 joins the two RUNs: it quotes the secret, masked, and the path that holds its letters, not
    assert "`RUN echo 'app:p****' | chpasswd && /build/bitnami-user.sh --password-file /run/secrets/pass`" in text
    assert "RUN echo 'app:p****' | chpasswd" in text  # the excerpt
    assert "ENV WORDPRESS_PASSWORD=b****" in text
    assert "ENV MYSQL_PASSWORD=pa****" in text and "id=mysql_password,env=MYSQL_PASSWORD" in text


def test_fix_texts_and_fingerprints_mask_the_secret_only():
    dockerfile = parse(SHORT_SECRETS)
    findings = lint(dockerfile, Settings(select=("all",)).rules())
    secret = next(finding for finding in findings if finding.rule == "DFS204" and finding.line == 2)
    assert secret.fingerprint_text == "RUN echo 'app:****' | chpasswd"
    assert secret.redact("echo 'app:pass' | chpasswd # pass the password") == (
        "echo 'app:p****' | chpasswd # pass the password"
    )
    assert secret.redact("WORDPRESS_PASSWORD=bitnami /build/bitnami-user.sh") == (
        "WORDPRESS_PASSWORD=b**** /build/bitnami-user.sh"
    )


def test_the_secret_rule_names_what_it_quotes_unmasked():
    """A login that is also the password is named in the message; only the `-p` value is masked."""
    dockerfile = parse("FROM debian:12-slim\nRUN useradd -l -u 100000 -p gitpod gitpod\n")
    [finding] = lint(dockerfile, Settings(select=("DFS204",)).rules())
    assert "for `gitpod`" in finding.message
    assert finding.excerpt == "RUN useradd -l -u 100000 -p g**** gitpod"


def test_a_secret_that_is_a_word_of_its_own_is_masked_where_its_command_is_quoted():
    """`-p HASH` on a continuation line: the RUN that another rule quotes (joined into one
    line) shows it masked; the same word as a user name elsewhere stays."""
    dockerfile = parse(
        "FROM debian:12-slim\nRUN useradd -m -p \\\n    s3cretHash app\nRUN echo done\nUSER s3cretHash\nRUN sudo apt-get update\n"
    )
    found = {finding.rule: finding for finding in lint(dockerfile, Settings(select=("all",)).rules())}
    assert "`RUN useradd -m -p s3**** app && echo done`" in found["DFS116"].suggestion
    assert "`USER s3cretHash` after it" in found["DFS208"].suggestion


def test_the_secret_is_masked_on_a_continuation_line_and_in_a_heredoc():
    dockerfile = parse(
        "FROM debian:12-slim\n"
        "RUN useradd -m app \\\n    && echo 'app:contpass' | chpasswd\n"
        "RUN chpasswd <<EOF\napp:heredocpw\nEOF\n"
    )
    found = {finding.line: finding for finding in lint(dockerfile, Settings(select=("DFS204",)).rules())}
    assert found[2].fingerprint_text == "RUN useradd -m app && echo 'app:****' | chpasswd"
    assert found[4].fingerprint_text == "RUN chpasswd <<EOF app:**** EOF"


def test_the_snippet_is_the_masked_line_that_holds_the_secret():
    dockerfile = parse(
        "FROM debian:12-slim\nENV A=1 \\\n    DB_PASSWORD=hunter2hunter2 \\\n    B=2\n"
        "RUN useradd -m app \\\n    && echo 'app:contpass' \\\n       | chpasswd\n"
    )
    found = {finding.line: finding for finding in lint(dockerfile, Settings(select=("DFS204",)).rules())}
    assert found[2].snippet == (3, "    DB_PASSWORD=hun**** \\")
    assert found[5].snippet == (6, "    && echo 'app:co****' \\")
    assert found[5].focus == (6, 18, 6, 26)


def _severities(name: str) -> dict[int, str]:
    path = FIXTURES / "rules" / "DFS204" / name
    report = json.loads(run("--format", "json", "--select", "DFS204", str(path)).stdout)
    return {finding["line"]: finding["severity"] for finding in report["findings"]}


def test_an_arg_without_a_literal_default_is_info_where_the_image_ships():
    assert _severities("builder_args.Dockerfile") == {9: "error", 19: "error", 24: "info", 27: "info", 37: "info"}
    severities = _severities("switches.Dockerfile")
    assert severities[24] == severities[26] == "info"  # `ARG X_API_KEY=""`, `ARG Y_API_KEY=''`
    assert {line: severity for line, severity in severities.items() if line > 26} == dict.fromkeys(
        (34, 36, 39, 42, 45, 49), "error"
    )
