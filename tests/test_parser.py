"""The parser: spans, continuations, heredocs, directives, stages, scopes."""

from __future__ import annotations

import pytest

from dfslim.graph import ships
from dfslim.model import ParseError
from dfslim.parser import expand, parse, parse_bytes


def keywords(dockerfile):
    return [(i.keyword, i.line, i.end_line) for i in dockerfile.instructions]


def test_continuation_with_comment_and_blank_lines_inside():
    text = (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update \\\n"
        "    # a comment inside the continuation\n"
        "\n"
        "    && apt-get install -y curl\n"
        "CMD [\"bash\"]\n"
    )
    df = parse(text)
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 5), ("CMD", 6, 6)]
    run = df.instructions[1]
    assert run.value == "apt-get update     && apt-get install -y curl"
    assert [c.argv for c in run.script] == [("apt-get", "update"), ("apt-get", "install", "-y", "curl")]
    assert df.comments == ()  # the comment belongs to the instruction


def test_spans_map_back_to_the_source():
    text = "FROM alpine:3.20\nRUN apk add \\\n      curl && \\\n    echo done\n"
    df = parse(text)
    run = df.instructions[1]
    assert (run.line, run.column, run.end_line, run.end_column) == (2, 1, 4, 14)
    words = {w.text: w for c in run.script for w in c.words}
    assert text[words["curl"].start : words["curl"].end] == "curl"
    assert df.position(words["curl"].start) == (3, 7)
    assert text[words["done"].start : words["done"].end] == "done"


def test_args_span_is_the_arguments_in_the_source():
    text = "FROM --platform=$BUILDPLATFORM python:3.12 AS build\nUSER \\\n    root  \nCMD [\"a\"]\nCMD\n"
    df = parse(text)
    from_, user, cmd, empty = df.instructions
    start, end = from_.args_span()
    assert text[start:end] == "python:3.12 AS build"
    start, end = from_.args_span(first_word=True)
    assert text[start:end] == "python:3.12"
    start, end = user.args_span()
    assert text[start:end] == "root" and df.position(start) == (3, 5)
    assert text[slice(*cmd.args_span())] == '["a"]'
    assert empty.args_span() is None


def test_escape_directive_backtick():
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n    C:\\\nCMD [\"cmd\"]\n"
    df = parse(text)
    assert df.escape == "`"
    assert keywords(df)[1] == ("RUN", 3, 4)
    assert df.instructions[1].value == "dir     C:\\"


def test_directives_are_not_comments_and_only_count_at_the_top():
    text = "# syntax=docker/dockerfile:1.7\n# check=skip=JSONArgsRecommended\n# escape=`\nFROM x:1\n# escape=\\\nRUN a `\n  b\n"
    df = parse(text)
    assert df.directives == {"syntax": "docker/dockerfile:1.7", "check": "skip=JSONArgsRecommended", "escape": "`"}
    assert [c.text for c in df.comments] == ["escape=\\"]
    assert df.instructions[1].end_line == 7


def test_lowercase_keywords_crlf_and_bom():
    data = "\ufeffFROM python:3.12-slim\r\nrun pip install \\\r\n  flask\r\n".encode()
    df = parse_bytes(data)
    assert df.bom
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 3)]
    run = df.instructions[1]
    assert run.value == "pip install   flask"
    assert run.end_column == len("  flask") + 1  # the \r is not part of the span
    assert df.text[run.start : run.end] == "run pip install \\\r\n  flask"


def test_heredoc_body_is_folded_and_run_as_script():
    text = (
        "FROM debian:bookworm-slim\n"
        "RUN <<EOF\n"
        "apt-get update\n"
        "apt-get install -y curl \\\n"
        "  jq\n"
        "EOF\n"
        "COPY <<-\"CONF\" /etc/app.conf\n"
        "\tkey=$value\n"
        "\tCONF\n"
        "USER app\n"
    )
    df = parse(text)
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 6), ("COPY", 7, 9), ("USER", 10, 10)]
    run, copy = df.instructions[1], df.instructions[2]
    assert run.heredocs[0].delimiter == "EOF"
    assert [c.argv for c in run.script] == [("apt-get", "update"), ("apt-get", "install", "-y", "curl", "jq")]
    assert all(c.heredoc for c in run.script)
    assert copy.heredocs[0].strip_tabs and copy.heredocs[0].quoted
    assert copy.heredocs[0].body == "\tkey=$value\n"


def test_several_heredocs_and_heredoc_as_input():
    text = "FROM alpine:3\nRUN <<A <<B\necho a\nA\necho b\nB\nRUN cat <<EOF > /etc/motd\nrm -rf /\nEOF\n"
    df = parse(text)
    first, second = df.instructions[1], df.instructions[2]
    assert [h.delimiter for h in first.heredocs] == ["A", "B"]
    assert [c.argv for c in first.script] == [("echo", "a"), ("echo", "b")]
    # a heredoc fed to `cat` is data, not commands
    assert [c.argv for c in second.script] == [("cat",)]
    assert second.end_line == 9


def test_python_heredoc_body_is_not_shell():
    df = parse("FROM python:3.12\nRUN python3 <<EOF\nimport os\nos.system('apt-get install x')\nEOF\n")
    assert [c.argv for c in df.instructions[1].script] == [("python3",)]


def test_here_string_is_not_a_heredoc():
    df = parse("FROM alpine:3\nRUN cat <<< 'hello'\nUSER app\n")
    assert keywords(df) == [("FROM", 1, 1), ("RUN", 2, 2), ("USER", 3, 3)]


def test_unterminated_heredoc_is_an_error_with_its_line():
    with pytest.raises(ParseError) as error:
        parse("FROM alpine:3\nRUN <<EOF\necho hi\n")
    assert error.value.line == 2
    assert "unterminated heredoc" in error.value.message


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01binary", "binary"),
        (b"FROM x\nRUN echo \xff\xfe\n", "UTF-8"),
        (b"# just a comment\nRUN echo hi\n", "no FROM"),
    ],
)
def test_bad_input(data, message):
    with pytest.raises(ParseError) as error:
        parse_bytes(data)
    assert message in error.value.message


def test_non_utf8_error_names_the_line():
    with pytest.raises(ParseError) as error:
        parse_bytes(b"FROM x\nRUN echo \xff\n")
    assert error.value.line == 2


def test_stages_names_parents_and_shipping():
    text = (
        "ARG PY=3.12\n"
        "ARG DISTRO\n"
        "FROM python:${PY}-slim AS Base\n"
        "FROM golang:1.22 AS builder\n"
        "FROM base AS final\n"
        "COPY --from=builder /out /app\n"
        "FROM ${IMAGE:-debian}:${DISTRO:-bookworm}-slim AS unused\n"
    )
    df = parse(text)
    base, builder, final, unused = df.stages
    assert base.base_resolved == "python:3.12-slim"
    assert final.parent == 0 and final.name == "final"
    assert unused.base_resolved == "debian:bookworm-slim"
    # `final` is a leaf (no later stage uses it): a target of its own, as is the last stage
    assert [ships(df, s) for s in df.stages] == [True, False, True, True]
    df = parse(text.rsplit("FROM ${IMAGE", 1)[0])
    assert [ships(df, s) for s in df.stages] == [True, False, True]
    assert df.find_stage("BASE") is df.stages[0]
    assert df.lineage(df.stages[2]) == [df.stages[0], df.stages[2]]


def test_platform_flag_and_stage_label():
    df = parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM scratch\n")
    assert df.stages[0].platform == "$BUILDPLATFORM"
    assert df.stages[0].base == "golang:1.22"
    assert [s.label for s in df.stages] == ["build", "1"]


def test_env_and_arg_scopes():
    text = (
        "ARG VERSION=1.0\n"
        "FROM alpine:3 AS one\n"
        "ARG VERSION\n"
        "ENV A=1 B=\"two words\" C=${A}x\n"
        "ENV LEGACY some value here\n"
        "RUN echo\n"
        "FROM one\n"
        "RUN echo\n"
        "FROM alpine:3\n"
        "RUN echo\n"
    )
    df = parse(text)
    first_run = df.instructions[5]
    assert dict(first_run.scope) == {"VERSION": "1.0", "A": "1", "B": "two words", "C": "1x", "LEGACY": "some value here"}
    assert df.instructions[7].scope["B"] == "two words"  # inherited from the parent stage
    assert dict(df.instructions[9].scope) == {}  # unrelated stage: nothing crosses
    assert df.instructions[2].scope == {}  # scope is what is known *before* the instruction


def test_flags_are_parsed_with_positions():
    text = "FROM x:1\nCOPY --chown=app:app --chmod=0755 --link src/ /app/\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    df = parse(text)
    copy, run = df.instructions[1], df.instructions[2]
    assert copy.flag("chown") == "app:app" and copy.flag("link") == ""
    assert copy.args == "src/ /app/"
    assert text[copy.flags[1].start : copy.flags[1].end] == "--chmod=0755"
    assert run.flag_values("mount") == ["type=cache,target=/root/.cache/pip"]
    assert [c.argv for c in run.script] == [("pip", "install", "x")]


def test_exec_form():
    df = parse('FROM x:1\nCMD [ "python", "app.py" ]\nCMD [\'python\', \'app.py\']\nRUN ["sh", "-c", "apt-get update && apt-get install -y x"]\n')
    assert df.instructions[1].exec_form == ("python", "app.py")
    assert df.instructions[2].exec_form is None  # single quotes are not JSON
    assert [c.argv for c in df.instructions[3].script] == [("apt-get", "update"), ("apt-get", "install", "-y", "x")]


def test_hash_inside_an_instruction_is_not_a_comment():
    df = parse("FROM x:1\nRUN echo hi # && apt-get install -y x\n")
    assert df.comments == ()
    assert [c.argv for c in df.instructions[1].script] == [("echo", "hi")]  # a shell comment


def test_bare_keyword_at_end_of_file_without_newline():
    df = parse("FROM x:1\nUSER")
    assert keywords(df) == [("FROM", 1, 1), ("USER", 2, 2)]


def test_lone_continuation_line_joins_the_next():
    df = parse("FROM x:1\n \\\nRUN echo hi\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN"]


@pytest.mark.parametrize(
    "text, scope, expected",
    [
        ("$A", {"A": "1"}, "1"),
        ("${A}-x", {"A": "1"}, "1-x"),
        ("${B:-def}", {}, "def"),
        ("${B:-def}", {"B": ""}, "def"),
        ("${B-def}", {"B": ""}, ""),
        ("${A:+alt}", {"A": "1"}, "alt"),
        ("${A:+alt}", {}, ""),
        ("$UNKNOWN", {}, "$UNKNOWN"),
        ("\\$A", {"A": "1"}, "$A"),
    ],
)
def test_expand(text, scope, expected):
    assert expand(text, scope) == expected


def test_backslash_is_plain_text_under_backtick_escape():
    df = parse('# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nENV DATA_PATH="C:\\database" OTHER=a`"b\nRUN dir\n')
    assert dict(df.instructions[-1].scope) == {"DATA_PATH": "C:\\database", "OTHER": 'a"b'}


def test_quoted_base_image_is_unquoted():
    df = parse('FROM "gcr.io/distroless/static:nonroot" AS app\n')
    assert df.stages[0].base_resolved == "gcr.io/distroless/static:nonroot"


def test_memo_computes_once_per_dockerfile():
    calls = []

    def instruction_count(dockerfile):
        calls.append(dockerfile)
        return len(dockerfile.instructions)

    first, second = parse("FROM alpine\nRUN true\n"), parse("FROM alpine\n")
    assert first.memo(instruction_count) == 2 and first.memo(instruction_count) == 2
    assert second.memo(instruction_count) == 1
    assert calls == [first, second]
    assert first._replace(context_dir="/ctx").memo(instruction_count) == 2  # a new object: its own cache
    assert len(calls) == 3
