"""Robustness: no input makes dfslim raise anything but a one-line `ParseError`.

Property-based (hypothesis): generated Dockerfile-like texts and mutated corpus files go
through `parse_bytes` + `lint` with every rule selected, and a handful through the CLI.
Pathological inputs (~1 MB built to trip regexes and recursion) must lint in time linear
in their size. The suite counts the generated inputs it ran and prints the number at the
end of the session; `DFSLIM_ROBUSTNESS=long` runs ten times as many examples.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfslim.cli import main
from dfslim.config import Settings
from dfslim.linter import lint
from dfslim.model import ParseError
from dfslim.parser import parse_bytes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "files"
CORPUS_FILES = sorted(CORPUS.iterdir()) if CORPUS.is_dir() else []

_LONG = os.environ.get("DFSLIM_ROBUSTNESS") == "long"
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.large_base_example]
settings.register_profile("dfslim-robustness", max_examples=250, deadline=None, suppress_health_check=_HEALTH, print_blob=True)
settings.register_profile("dfslim-robustness-long", max_examples=2500, deadline=None, suppress_health_check=_HEALTH, print_blob=True)
PROFILE = settings.get_profile("dfslim-robustness-long" if _LONG else "dfslim-robustness")

# inputs run, by kind; a finding list or a ParseError each (anything else fails the test)
RAN: Counter = Counter()
OUTCOMES: Counter = Counter()
SLOWEST: dict[str, float] = {}


class _Summary:
    """Prints the counters at the end of the session (registered by the fixture below)."""

    def pytest_terminal_summary(self, terminalreporter):
        if RAN:
            total = sum(RAN.values())
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(RAN.items()))
            terminalreporter.write_line(
                f"dfslim robustness: {total} inputs linted without an exception ({kinds}); "
                f"{OUTCOMES['findings']} gave findings lists, {OUTCOMES['parse error']} a ParseError"
            )
        if SLOWEST:
            slowest = sorted(SLOWEST.items(), key=lambda item: -item[1])
            shown = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in slowest[:8])
            terminalreporter.write_line(f"dfslim robustness: slowest big inputs (of {len(slowest)}): {shown}")


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("dfslim-robustness-summary"):
        manager.register(_Summary(), "dfslim-robustness-summary")
    yield


_RULES = None


def rules():
    global _RULES
    if _RULES is None:
        _RULES = Settings(select=("all",)).rules()
    return _RULES


def check(data: bytes, kind: str, path: str = "Dockerfile"):
    """Parse and lint; only findings or a one-line ParseError are acceptable."""
    try:
        dockerfile = parse_bytes(data, path)
    except ParseError as error:
        message = str(error)
        assert message and "\n" not in message and "\r" not in message, repr(message)
        assert error.line is None or error.line >= 1
        OUTCOMES["parse error"] += 1
        RAN[kind] += 1
        return None
    findings = lint(dockerfile, rules())
    assert isinstance(findings, list)
    last_line = dockerfile.text.count("\n") + 1
    for finding in findings:
        assert 1 <= finding.line <= finding.end_line <= last_line, (finding.rule, finding.line, finding.end_line)
        for edit in finding.edits:
            assert 0 <= edit.edit.start <= edit.edit.end <= len(dockerfile.text), finding.rule
    OUTCOMES["findings"] += 1
    RAN[kind] += 1
    return findings


def _child_check(data: bytes, path: str):
    """In the worker process: what `check` does, timed; an exception comes back as text."""
    import traceback

    started = time.perf_counter()
    try:
        try:
            dockerfile = parse_bytes(data, path)
        except ParseError as error:
            return "parse error", time.perf_counter() - started, str(error)
        findings = lint(dockerfile, rules())
        return "findings", time.perf_counter() - started, len(findings)
    except BaseException:  # noqa: BLE001 - reported to the test
        return "exception", time.perf_counter() - started, traceback.format_exc()


@pytest.fixture(scope="module")
def watchdog():
    """Lint big inputs in a forked worker, so an input that never finishes fails its test
    after `seconds` instead of hanging the suite. Returns (outcome, seconds linting)."""
    import multiprocessing

    rules()  # load the rules once, before forking
    state = {"pool": None}
    fork = "fork" in multiprocessing.get_all_start_methods()

    def run(data: bytes, kind: str, seconds: float, path: str = "Dockerfile"):
        if not fork:
            started = time.perf_counter()
            outcome = "parse error" if check(data, kind, path) is None else "findings"
            return outcome, time.perf_counter() - started
        if state["pool"] is None:
            state["pool"] = multiprocessing.get_context("fork").Pool(1, initializer=_collect_like_the_command)
        pending = state["pool"].apply_async(_child_check, (data, path))
        try:
            outcome, elapsed, detail = pending.get(seconds)
        except multiprocessing.TimeoutError:
            state["pool"].terminate()
            state["pool"] = None
            pytest.fail(f"{kind}: {len(data)} bytes not linted within {seconds:g} s")
        assert outcome != "exception", detail
        if outcome == "parse error":
            assert detail and "\n" not in detail, repr(detail)
        OUTCOMES[outcome] += 1
        RAN[kind] += 1
        return outcome, elapsed

    yield run
    if state["pool"] is not None:
        state["pool"].terminate()


def _collect_like_the_command() -> None:
    """The worker collects garbage as the `dfslim` command does (dfslim.console), and its
    collections skip the test session's own objects, which a forked worker inherits: a
    full collection walking them made an 80,000-finding input take twice as long."""
    import gc

    from dfslim.console import YOUNG_COLLECTION_THRESHOLD

    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD)


# Python's str.splitlines() line breaks other than \n and \r\n: dockerfile-parse splits the
# text with them, dfslim with "\n" only. They once crashed the parser; kept as regressions.


def avoid_known_bugs(data: bytes) -> bytes:
    return data


LINE_BREAKS = {
    "cr-only-line-ends": b"FROM alpine\rRUN echo\r",  # IndexError in parser._logical_value
    "lone-cr": b"FROM alpine\nRUN echo a\rb\n",  # AttributeError in parser._logical_value
    "u2028": "FROM alpine\nRUN echo \u2028x\n".encode(),
    "u2029": "FROM alpine\nLABEL a=\u2029x\n".encode(),
    "nel-u0085": "FROM alpine\nRUN echo \x85x\n".encode(),
    "vertical-tab": b"FROM alpine\nRUN echo \x0bx\n",
    "form-feed": b"FROM alpine\nRUN echo \x0cx\n",
    "file-separator": b"FROM alpine\nRUN echo \x1cx\n",
}


@pytest.mark.parametrize("name", sorted(LINE_BREAKS))
def test_foreign_line_breaks_do_not_crash(name):
    check(LINE_BREAKS[name], "line-breaks")


def test_foreign_line_breaks_through_the_cli(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(LINE_BREAKS["lone-cr"])
    result = CliRunner().invoke(main, ["lint", "--select", "all", "--format", "json", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2)


# ---------------------------------------------------------------------------- generated texts

KEYWORDS = (
    "FROM RUN COPY ADD ENV ARG LABEL USER WORKDIR CMD ENTRYPOINT EXPOSE VOLUME HEALTHCHECK SHELL "
    "ONBUILD STOPSIGNAL MAINTAINER"
).split()
UNKNOWN = ("FOO", "INCLUDE+", "RUNX", "ЗАПУСК", "from_", "-", "1RUN", "COPY=", "\u00a0RUN")
FLAGS = (
    "--mount=type=cache,target=/root/.cache/pip",
    "--mount=type=cache,id=apt,target=/var/cache/apt,sharing=locked",
    "--mount=type=secret,id=tok",
    "--mount=type=bind,from=builder,source=/x,target=/y",
    "--from=builder",
    "--from=0",
    "--chown=app:app",
    "--chmod=0755",
    "--link",
    "--platform=$BUILDPLATFORM",
    "--network=none",
    "--security=insecure",
    "--interval=30s",
    "--",
    "--=",
    "--mount",
    '--mount="type=cache,target=/a b"',
)
WORDS = (
    "apt-get", "update", "install", "-y", "--no-install-recommends", "rm", "-rf", "/var/lib/apt/lists/*",
    "pip", "install", "--no-cache-dir", "-r", "requirements.txt", "npm", "ci", "yarn", "apk", "add",
    "--no-cache", "curl", "-fsSL", "https://example.com/x.sh", "|", "sh", "bash", "-c", "&&", "||", ";",
    "&", "|&", "(", ")", "{", "}", "$(", "`", '"', "'", "\\", "\\\\", "$", "${", "}", "${X:-y}", "$HOME",
    "=", "==", ":", "@", "/", "//", "<<EOF", "<<-\"X\"", "<<'E'", "<<", "<<<", ">", ">>", "2>&1", "<",
    "#", "# comment", "sudo", "chmod", "777", "useradd", "-m", "app", "wget", "http://insecure/x.tgz",
    "tar", "xzf", "AS", "as", "builder", "python:3.12-slim", "ubuntu", "alpine:3.19", "scratch",
    "image@sha256:" + "a" * 64, "$BASE", "${BASE}", "[", "]", '["sh",', '"-c"]', "[]", '["/app"]', "{}",
    "key=value", 'k="v w"', "SECRET_KEY=abc123", "AWS_SECRET_ACCESS_KEY=AKIAXXXXXXXXXXXXXXXX",
    "ünïcödé", "日本語", "🐳", "\u200b", "\t", "  ", "%", "*", "?", "!", "~", "-", "--", "---",
    "x" * 40, "CMD", "RUN", "FROM", "ENV", "set", "-eux", "cd", "/tmp", "exit", "0", "true", "if", "then",
    "fi", "for", "do", "done", "case", "esac", "in", "export", "eval", "exec", "env", "SHELL", "go",
    "build", "make", "gcc", "cargo", "mvn", "gradle", "dnf", "yum", "microdnf", "zypper", "clean", "all",
)
DIRECTIVES = ("# syntax=docker/dockerfile:1", "# syntax = docker/dockerfile:1.7", "# escape=`", "# escape=\\",
              "# ESCAPE = `", "# check=skip=all", "# check=error=true", "# escape=x", "#syntax=x", "# foo=bar")


@st.composite
def instruction_lines(draw, escape: str) -> list[str]:
    """One instruction as physical lines (continuations, comments inside, heredocs)."""
    keyword = draw(st.sampled_from(KEYWORDS) | st.sampled_from(UNKNOWN))
    keyword = draw(st.sampled_from((keyword, keyword.lower(), keyword.title(), " " + keyword, "\t" + keyword)))
    if draw(st.integers(0, 9)) == 0:
        keyword = "ONBUILD " + draw(st.sampled_from(KEYWORDS))
    head = [keyword]
    head += draw(st.lists(st.sampled_from(FLAGS), max_size=3))
    words = draw(st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=14))
    if draw(st.booleans()):
        words = [draw(st.sampled_from(('["sh", "-c", "echo hi"]', "[", '["a"', '["x", 1]', '["\\u00e9"]', '[ "a" , "b" ]')))]
    # break the words into physical lines joined by the escape character
    lines, current = [], list(head)
    for word in words:
        current.append(word)
        if draw(st.integers(0, 4)) == 0:
            lines.append(" ".join(current) + draw(st.sampled_from(("", " ", "\t"))) + escape)
            current = []
            for _ in range(draw(st.integers(0, 2))):
                lines.append(draw(st.sampled_from(("", "  ", "# inside", "  # indented comment", "#", escape))))
    lines.append(" ".join(current))
    heredoc = [w for w in words if w.startswith("<<") and len(w) > 2 and w[2] not in "<"]
    for marker in heredoc[:2]:
        delimiter = marker.lstrip("<-").strip("\"'")
        body = draw(st.lists(st.sampled_from(WORDS) | st.text(max_size=10), max_size=5))
        lines += [("\t" if "-" in marker else "") + b for b in body]
        if draw(st.integers(0, 7)):  # sometimes unterminated
            lines.append(("\t" if "-" in marker else "") + delimiter)
    return lines


@st.composite
def dockerfile_texts(draw) -> bytes:
    lines = draw(st.lists(st.sampled_from(DIRECTIVES), max_size=3))
    escape = "`" if any("escape=`" in line.lower() for line in lines) else "\\"
    if draw(st.booleans()):
        lines.append(f"FROM {draw(st.sampled_from(('python:3.12', 'alpine', '$BASE AS b', 'scratch', 'x AS y', '')))}")
    for _ in range(draw(st.integers(0, 10))):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            lines.append(draw(st.sampled_from(("", "   ", "# a comment", "#", "# hadolint ignore=DL3008", "# dfslim: ignore=all"))))
        elif choice == 1:
            lines.append(draw(st.text(max_size=30)))
        else:
            lines += draw(instruction_lines(escape))
    newline = draw(st.sampled_from(("\n", "\r\n", "\r", "\n\r")))
    text = newline.join(lines) + draw(st.sampled_from(("", newline)))
    if draw(st.booleans()):
        text = "\ufeff" + text
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = data.replace(b"\n", b"\r\n")
    return data


@settings(PROFILE)
@given(dockerfile_texts())
def test_generated_dockerfiles_never_crash(data):
    check(avoid_known_bugs(data), "generated")


@settings(PROFILE)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(data):
    check(avoid_known_bugs(data), "bytes")


@settings(PROFILE)
@given(st.text(max_size=300))
def test_random_text_after_from_never_crash(text):
    check(avoid_known_bugs(("FROM alpine\n" + text).encode("utf-8", "surrogatepass")), "text")


# ---------------------------------------------------------------------------- corpus mutations

needs_corpus = pytest.mark.skipif(not CORPUS_FILES, reason=f"{CORPUS} is absent")
corpus_file = st.sampled_from(CORPUS_FILES or [Path("/nonexistent")])


@needs_corpus
@settings(PROFILE)
@given(corpus_file, st.data())
def test_corpus_mutations_never_crash(path, data):
    original = path.read_bytes()
    kind = data.draw(st.sampled_from(("truncate", "flip", "insert", "delete-line", "duplicate-line", "crlf")))
    mutated = bytearray(original)
    if kind == "truncate":
        mutated = mutated[: data.draw(st.integers(0, len(mutated)))]
    elif kind == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            if mutated:
                position = data.draw(st.integers(0, len(mutated) - 1))
                mutated[position] = data.draw(st.sampled_from(b"\\`\"'$(){}[]<>|&;#=:@/-\n\r\t \x00\xff\xc3") | st.integers(0, 255))
    elif kind == "insert":
        position = data.draw(st.integers(0, len(mutated)))
        piece = data.draw(st.sampled_from(WORDS)).encode() + data.draw(st.sampled_from((b"", b"\n", b" \\\n", b"\r\n")))
        mutated[position:position] = piece
    else:
        lines = bytes(mutated).split(b"\n")
        index = data.draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "delete-line":
            del lines[index]
        elif kind == "duplicate-line":
            lines.insert(index, lines[index] if lines else b"")
        else:
            lines = [line.rstrip(b"\r") + b"\r" for line in lines]
        mutated = bytearray(b"\n".join(lines))
    check(avoid_known_bugs(bytes(mutated)), f"corpus-{kind}", str(path))


@needs_corpus
@settings(PROFILE)
@given(corpus_file, corpus_file, st.data())
def test_spliced_corpus_files_never_crash(first, second, data):
    a, b = first.read_bytes().split(b"\n"), second.read_bytes().split(b"\n")
    i, j = data.draw(st.integers(0, len(a))), data.draw(st.integers(0, len(b)))
    check(avoid_known_bugs(b"\n".join(a[:i] + b[j:])), "corpus-splice")


@needs_corpus
def test_every_corpus_file_lints():
    for path in CORPUS_FILES[:: max(1, len(CORPUS_FILES) // 300)]:
        check(path.read_bytes(), "corpus-file", str(path))


# ---------------------------------------------------------------------------- extreme inputs


def _deep_continuation(lines: int) -> bytes:
    return b"FROM alpine\nRUN true" + b" \\\n  && echo x" * lines + b"\n"


EXTREME = {
    "nul-bytes": b"FROM alpine\nRUN echo \x00\n",
    "nul-only": b"\x00" * 1000,
    "invalid-utf8": b"FROM alpine\nRUN echo \xff\xfe\n",
    "bom-only": b"\xef\xbb\xbf",
    "empty": b"",
    "blank": b"\n\n  \r\n",
    "only-comments": b"# syntax=docker/dockerfile:1\n# hello\n",
    "no-from": b"RUN echo hi\n",
    "escape-backtick-continuation": b"# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\ `\n  # c\n\n  /s\n",
    "bad-escape": b"# escape=x\nFROM alpine\n",
    "heredoc-unterminated": b"FROM alpine\nRUN <<EOF\necho hi\n",
    "heredoc-dash-quoted": b'FROM alpine\nRUN <<-"X" bash\n\techo $HOME\n\tX\n',
    "heredoc-two": b"FROM alpine\nRUN <<A cat <<B\na\nA\nb\nB\n",
    "heredoc-copy": b"FROM alpine\nCOPY <<EOF /etc/x\nline\nEOF\n",
    "crlf-everything": b"FROM alpine\r\nRUN apt-get update \\\r\n  && apt-get install -y curl\r\n",
    "only-escape": b"FROM alpine\nRUN \\\n",
    "trailing-escape-eof": b"FROM alpine\nRUN echo \\",
    "continuation-then-comment-eof": b"FROM alpine\nRUN echo \\\n# c\n",
    "deep-continuations-10k": _deep_continuation(10_000),
    "nested-subshells-300": b"FROM alpine\nRUN " + b"( " * 300 + b"true" + b" )" * 300 + b"\n",
    "nested-command-substitution-300": b"FROM alpine\nRUN echo " + b"$(echo " * 300 + b"x" + b")" * 300 + b"\n",
    "nested-backticks-100": b"FROM alpine\nRUN echo " + b"`echo \\" * 100 + b"`x" + b"`" * 100 + b"\n",
    "nested-braces-300": b"FROM alpine\nRUN " + b"{ " * 300 + b"true; " + b"}; " * 300 + b"\n",
    "nested-param-300": b"FROM alpine\nENV A=" + b"${X:-" * 300 + b"y" + b"}" * 300 + b"\nRUN echo $A\n",
    "unbalanced-open": b"FROM alpine\nRUN " + b"$(( ( { `" * 200 + b"\n",
    "unbalanced-quotes": b"FROM alpine\nRUN echo \"'\"'\"'\"'\n",
    "unicode-mix": "\ufeffFROM ünïcödé:日本\nRUN echo 🐳 \u200b\u2060x\u00a0y\nUSER 名前\n".encode(),
    "many-stages": b"".join(b"FROM alpine AS s%d\nCOPY --from=s%d /a /b\n" % (i, max(i - 1, 0)) for i in range(2000)),
    "self-referencing-stages": b"FROM a AS a\nFROM b AS b\nFROM a AS c\nCOPY --from=c / /\n",
}


@pytest.mark.parametrize("name", sorted(EXTREME))
def test_extreme_inputs_never_crash(name):
    check(EXTREME[name], f"extreme-{name}")


def test_five_megabyte_single_line(watchdog):
    _, elapsed = watchdog(b"FROM alpine\nRUN echo " + b"a" * (5 * MEGABYTE) + b"\n", "extreme-5MB-line", 5 * LIMIT)
    SLOWEST["5MB-single-line"] = elapsed


def test_hundred_thousand_lines(watchdog):
    """100,000 lines in a few instructions: long continuations with comment and blank
    lines inside, a long heredoc, comments between instructions."""
    run = b"RUN true" + b" \\\n  && echo x" * 8_000 + b" \\\n  # inside\n\n" * 1_000 + b"  && echo end\n"
    heredoc = b"RUN <<EOF\n" + b"echo body\n" * 20_000 + b"EOF\n"
    data = b"FROM alpine\n" + run * 5 + heredoc + b"# comment\n" * 30_000
    assert data.count(b"\n") >= 100_000
    # 1.6 MB holding 40,000 shell commands: linear (measured), but more than LIMIT's MB
    _, elapsed = watchdog(data, "extreme-100k-lines", 6 * LIMIT)
    SLOWEST["100k-lines"] = elapsed


@pytest.mark.parametrize(
    "unit",
    [
        b"# hadolint ignore=DL3008\nRUN apt-get install -y curl && pip install x | tee log\n",
        b"RUN <<EOF\napt-get install -y curl\nEOF\n",
    ],
    ids=["run-lines", "run-heredocs"],
)
def test_many_instructions_lint_in_linear_time(watchdog, unit):
    times = {}
    for count in (100, 400):
        data = b"FROM alpine\n" + unit * count
        times[count] = min(watchdog(data, "scaling", 60)[1] for _ in range(2))
    # four times the instructions: four times the time when linear, sixteen when quadratic
    assert times[400] < 8 * times[100] + 0.05, times


# ---------------------------------------------------------------------------- the CLI


CLI_INPUTS = {
    "good": (b"FROM python:3.12\nRUN pip install flask\n", None),
    "crlf-bom": (b"\xef\xbb\xbfFROM alpine\r\nRUN apk add curl\r\n", None),
    "heredoc": (b"FROM alpine\nRUN <<EOF\napk add curl\nEOF\n", None),
    "nul": (b"FROM alpine\x00\n", "binary"),
    "invalid-utf8": (b"FROM \xff\n", "UTF-8"),
    "empty": (b"", "empty"),
    "no-from": (b"RUN true\n", "FROM"),
    "unterminated-heredoc": (b"FROM alpine\nRUN <<EOF\nx\n", "heredoc"),
    "bad-escape": (b"# escape=x\nFROM alpine\n", "escape"),
    "deep-continuations": (_deep_continuation(2000), None),
}


@pytest.mark.parametrize("name", sorted(CLI_INPUTS))
@pytest.mark.parametrize("output_format", ["json", "text", "sarif"])
def test_cli_never_crashes(tmp_path, name, output_format):
    data, error = CLI_INPUTS[name]
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    RAN["cli"] += 1
    result = CliRunner().invoke(main, ["lint", "--select", "all", "--format", output_format, "--no-color", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    if error:
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"dfslim: error: {path}") and error in lines[0], lines
    else:
        assert result.exit_code in (0, 1)
        assert result.stderr == ""


def test_cli_fix_never_crashes(tmp_path):
    for name, (data, _) in sorted(CLI_INPUTS.items()):
        path = tmp_path / f"{name}.Dockerfile"
        path.write_bytes(data)
        RAN["cli-fix"] += 1
        result = CliRunner().invoke(main, ["lint", "--select", "all", "--diff", "--unsafe-fixes", str(path)])
        assert result.exit_code in (0, 1, 2), (name, result.output, result.exception)
        assert "Traceback" not in result.output


# ---------------------------------------------------------------------------- linear time

MEGABYTE = 1024 * 1024
# Seconds per ~1 MB input. Measured on the 2-core development machine, each input alone:
# every input below takes at most about 3 s (password-like 2.7-3.1 s), except those in
# DENSE_RUNS.
LIMIT = 8.0
# 1 MB packed with 80,000-130,000 shell commands (or 20,000 RUNs and 80,000 findings):
# linear, but each command is parsed into objects that some 25 rules then look at.
# Alone they take 3.5-7 s; in clean-clone CI runs on the same shared 2-core machine,
# instructions-50k took 6.6 s in one and 11.7 s in the next. They get three times LIMIT:
# a quadratic slip costs minutes here (the once-quadratic inputs took 20-70 s at 100 KB).
DENSE_RUNS = frozenset({"instructions-50k", "heredoc-body-1MB", "curl-pipes", "continuations-100k"})


def _fill(pattern: bytes, size: int = MEGABYTE) -> bytes:
    return (pattern * (size // len(pattern) + 1))[:size]


def _run_line(body: bytes) -> bytes:
    return b"FROM alpine\nRUN " + body + b"\n"


PATHOLOGICAL = {
    "spaces": lambda: _run_line(b"echo" + _fill(b" ") + b"x"),
    "tabs-and-spaces": lambda: _run_line(b"echo" + _fill(b" \t") + b"x"),
    "backslashes": lambda: _run_line(b"echo " + _fill(b"\\\\")),
    "backslash-space": lambda: _run_line(b"echo " + _fill(b"\\ ")),
    "double-quotes": lambda: _run_line(b"echo " + _fill(b'"')),
    "single-quotes": lambda: _run_line(b"echo " + _fill(b"'")),
    "mixed-quotes": lambda: _run_line(b"echo " + _fill(b"\"'")),
    "open-quote": lambda: _run_line(b'echo "' + _fill(b"a ")),
    "command-substitution": lambda: _run_line(b"echo " + _fill(b"$(")),
    "backticks": lambda: _run_line(b"echo " + _fill(b"`")),
    "dollars": lambda: _run_line(b"echo " + _fill(b"$")),
    "braces": lambda: _run_line(b"echo " + _fill(b"${")),
    "heredoc-markers": lambda: _run_line(b"cat " + _fill(b"<<")),
    "heredoc-words": lambda: _run_line(b"cat " + _fill(b"<<EOF ")),
    "double-dash": lambda: _run_line(b"pip install " + _fill(b"--")),
    "flags": lambda: b"FROM alpine\nRUN " + _fill(b"--mount=type=cache ") + b"true\n",
    "flag-value-run": lambda: b"FROM alpine\nRUN --mount=" + _fill(b"=") + b" true\n",
    "equals": lambda: b"FROM alpine\nENV " + _fill(b"=") + b"\n",
    "env-pairs": lambda: b"FROM alpine\nENV " + _fill(b"A=b ") + b"\n",
    "colons": lambda: b"FROM " + _fill(b":") + b"\n",
    "ats": lambda: b"FROM " + _fill(b"@") + b"\n",
    "slashes": lambda: b"FROM alpine\nCOPY " + _fill(b"/") + b" /x\n",
    "url-slashes": lambda: b"FROM alpine\nADD https://" + _fill(b"/") + b" /x\n",
    "ampersands": lambda: _run_line(b"true " + _fill(b"&& ")),
    "pipes": lambda: _run_line(b"true " + _fill(b"| ")),
    "semicolons": lambda: _run_line(b"true" + _fill(b";")),
    "alternating-quote-escape": lambda: _run_line(b"echo " + _fill(b'\\"')),
    "alternating-word-space": lambda: _run_line(_fill(b"a ")),
    "alternating-dash-word": lambda: _run_line(b"apt-get install " + _fill(b"-y ")),
    "package-list": lambda: _run_line(b"apt-get install -y " + _fill(b"pkg=1.0 ")),
    "curl-pipes": lambda: _run_line(_fill(b"curl -fsSL http://x | sh; ")),
    "rm-paths": lambda: _run_line(b"rm -rf " + _fill(b"/var/lib/apt/lists/* ")),
    "secrets-like": lambda: b"FROM alpine\nENV " + _fill(b"AKIA") + b"\n",
    "password-like": lambda: b"FROM alpine\nENV " + _fill(b"PASSWORD=x ") + b"\n",
    "json-array": lambda: b"FROM alpine\nCMD [" + _fill(b'"a",') + b'"b"]\n',
    "json-open": lambda: b"FROM alpine\nCMD " + _fill(b"[") + b"\n",
    "continuations-100k": lambda: b"FROM alpine\nRUN true" + b" \\\n  && x" * 100_000 + b"\n",
    "continuation-only-lines-100k": lambda: b"FROM alpine\nRUN true \\\n" + b"\\\n" * 100_000 + b"  && x\n",
    "blank-in-continuation-100k": lambda: b"FROM alpine\nRUN true \\\n" + b"\n" * 100_000 + b"  && x\n",
    "comments-in-continuation-100k": lambda: b"FROM alpine\nRUN true \\\n" + b"# c\n" * 100_000 + b"  && x\n",
    "instructions-50k": lambda: b"FROM alpine\n" + b"RUN apt-get update && apt-get install -y curl\n" * 20_000,
    "heredoc-body-1MB": lambda: b"FROM alpine\nRUN <<EOF\n" + _fill(b"echo hi\n") + b"EOF\n",
    "heredocs-in-one-run": lambda: b"FROM alpine\nRUN cat" + b"".join(b" <<E%d" % i for i in range(20_000)) + b"\n" + b"".join(b"x\nE%d\n" % i for i in range(20_000)),
    "heredoc-markers-unterminated": lambda: b"FROM alpine\nRUN cat" + _fill(b" <<E") + b"\n",
    "from-1MB-tag": lambda: b"FROM alpine:" + _fill(b"a") + b"\nRUN true\n",
    "from-1MB-digest": lambda: b"FROM alpine@sha256:" + _fill(b"0") + b"\n",
    "arg-in-from": lambda: b"ARG " + _fill(b"V") + b"=1\nFROM alpine:$" + _fill(b"V") + b"\n",
    "variables": lambda: b"FROM alpine\nRUN echo " + _fill(b"$A") + b"\n",
    "label-quotes": lambda: b'FROM alpine\nLABEL a="' + _fill(b'\\"') + b'"\n',
    "escape-backtick": lambda: b"# escape=`\nFROM alpine\nRUN echo " + _fill(b"``") + b"\n",
    "comment-1MB": lambda: b"FROM alpine\n# " + _fill(b"hadolint ignore=") + b"\nRUN true\n",
    "ignore-pragma": lambda: b"FROM alpine\n# dfslim: ignore=" + _fill(b"DFS101,") + b"\nRUN true\n",
    "unicode": lambda: _run_line(b"echo " + _fill("é日🐳 ".encode()).decode("utf-8", "ignore").encode()),
    "nul-late": lambda: b"FROM alpine\n" + _fill(b"a") + b"\x00",
    # Once quadratic: a rule or the parser rescanned the earlier or later commands or
    # instructions for each one (DFS108, DFS105 and shell.env_value, DFS109, DFS204, a
    # stage's parent). Now linear, but each line or command here carries findings of
    # several rules: at 1 MB they took 5-15 s alone, so they are sized to stay near 3 s
    # (an eighth to a half of MEGABYTE). Before the fixes they took from half a minute to
    # many minutes at these sizes.
    "npm-installs": lambda: _run_line(b"true " + _fill(b"&& npm install x ", MEGABYTE // 2)),
    "pip-installs": lambda: _run_line(b"true " + _fill(b"&& pip install x ", MEGABYTE // 2)),
    "rm-runs": lambda: b"FROM alpine\n" + _fill(b"RUN rm -rf /x\n", MEGABYTE // 8),
    "arg-secrets": lambda: b"FROM alpine\n" + _fill(b"ARG TOKEN\n", MEGABYTE // 4),
    "arg-secret-defaults": lambda: b"FROM alpine\n" + _fill(b"ARG API_TOKEN=x\n", MEGABYTE // 4),
    "mkdir-rm-runs": lambda: b"FROM alpine\n" + _fill(b"RUN mkdir /a && rm -rf /a\n", MEGABYTE // 4),
    "mkdir-rm-in-one-run": lambda: _run_line(b"true" + _fill(b" && mkdir /a && rm -rf /b", MEGABYTE // 4)),
    "stages": lambda: _fill(b"FROM alpine AS s\n", MEGABYTE // 4),
    "workdirs": lambda: b"FROM alpine\n" + _fill(b"WORKDIR /x\n", MEGABYTE // 2),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_inputs_lint_in_linear_time(name, watchdog):
    data = PATHOLOGICAL[name]()
    limit = 3 * LIMIT if name in DENSE_RUNS else LIMIT
    _, elapsed = watchdog(data, "pathological", 2 * limit)
    SLOWEST[name] = elapsed
    assert elapsed < limit, f"{name} ({len(data)} bytes) took {elapsed:.1f} s"


def test_generated_inputs_were_counted():
    """Runs last in this module: the properties above did generate inputs."""
    ran = {kind: count for kind, count in RAN.items() if kind in ("generated", "bytes", "text")}
    if not ran:
        pytest.skip("the property tests were deselected")
    assert sum(ran.values()) > 0
