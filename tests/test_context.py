"""The build context (`dfslim.context`) and the context-aware part of DFS210.

Each test builds its own context in tmp_path and lints through the CLI (`--context`, or a
Dockerfile placed in the context folder), as a user would.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from click.testing import CliRunner

from dfslim.cli import main
from dfslim.context import BuildContext, clean, excluded_by, parse_ignore


def lint_json(*args: str, input: str | None = None) -> dict:
    result = CliRunner().invoke(main, ["lint", "--select", "DFS210", "--format", "json", "--fail-level", "none", *args], input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def lines(report: dict) -> list[int]:
    return [finding["line"] for finding in report["findings"]]


def make_context(root, files=(), ignore: str | None = None, dockerfile: str | None = None):
    root.mkdir(parents=True, exist_ok=True)
    for name in files:
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x\n")
    if ignore is not None:
        (root / ".dockerignore").write_text(ignore)
    if dockerfile is not None:
        (root / "Dockerfile").write_text(dockerfile)
    return root


WHOLE = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"


# ------------------------------------------------------------------ .dockerignore matching


@pytest.mark.parametrize(
    "ignore, path, expected",
    [
        ("*\n!app/\n", ".env", True),  # an allow-list excludes what it does not allow
        ("*\n!app/\n", "app/main.py", False),
        ("*.md\n!README*.md\nREADME-secret.md\n", "README-secret.md", True),  # last match wins
        ("*.md\nREADME-secret.md\n!README*.md\n", "README-secret.md", False),
        ("*.md\n", "docs/guide.md", False),  # anchored at the root, unlike .gitignore
        ("**/*.go\n", "a/b/c.go", True),
        ("**/*.go\n", "c.go", True),  # ** matches no folder too
        ("a/**/b\n", "a/b", True),
        ("a/**\n", "a/x/y", True),
        ("node_modules\n", "node_modules/pkg/index.js", True),  # a folder excludes its content
        ("/foo/bar\n", "foo/bar", True),  # a leading / is dropped
        ("foo/bar\n", "x/foo/bar", False),
        ("./.env\n", ".env", True),  # cleaned
        (".env/\n", ".env", True),
        ("a//b/../c\n", "a/c", True),
        ("*/temp*\n", "somedir/temporary.txt", True),
        ("*/temp*\n", "temp", False),
        ("temp?\n", "tempa", True),
        ("temp?\n", "temp", False),
        ("# .env\n", ".env", False),  # a comment
        ("  .env  \n", ".env", True),  # trimmed
        ("\n\n", ".env", False),
        (".git\n", ".git/config", True),
        ("[a-c]bc\n", "bbc", True),
        ("[^a-c]bc\n", "bbc", False),
        ("[\n", "[", False),  # malformed: matches nothing
        ("\\*x\n", "*x", True),
        ("\\*x\n", "ax", False),
        (".env*\n", ".env.local", True),
        (".env\n!.env\n", ".env", False),
        ("\ufeff.env\n", ".env", True),  # a BOM
    ],
)
def test_dockerignore_semantics(ignore, path, expected):
    assert excluded_by(parse_ignore(ignore), path) is expected


def test_clean_is_go_filepath_clean():
    assert clean("./a/") == "a"
    assert clean("a/./b//c/") == "a/b/c"
    assert clean("a/../../b") == "../b"
    assert clean("/../a") == "/a"
    assert clean("") == "."


# ------------------------------------------------------------------ BuildContext


def test_exists_without_following_symlinks(tmp_path):
    root = make_context(tmp_path / "ctx", files=(".env", ".git/", "sub/file"))
    outside = make_context(tmp_path / "outside", files=("secret/.env",))
    os.symlink(outside / "secret", root / "linked")
    os.symlink(tmp_path / "missing", root / "dangling")
    context = BuildContext(str(root))
    assert context.exists(".env")
    assert context.exists("./.env")
    assert context.exists(".git")
    assert context.exists("sub/file")
    assert not context.exists("nothing")
    assert context.exists("dangling")  # a symlink is there, even when its target is not
    assert not context.exists("linked/.env")  # never through a symlinked folder
    assert not context.exists("../outside/secret/.env")  # never out of the context
    assert not context.exists("sub/../.env")
    assert not context.exists(str(root / ".env"))  # absolute paths are refused
    assert not context.exists("sub/file/x")


def test_read_text_only_of_regular_files_the_context_lets_in(tmp_path, monkeypatch):
    root = make_context(tmp_path / "ctx", files=("requirements.txt", "secret.txt", "sub/"), ignore="secret.txt\n")
    os.symlink(root / "requirements.txt", root / "linked.txt")
    context = BuildContext(str(root))
    assert context.read_text("requirements.txt") == context.read_text("./requirements.txt") == "x\n"
    assert context.read_text("secret.txt") is None  # .dockerignore keeps it out
    assert context.read_text("linked.txt") is None  # not a regular file
    assert context.read_text("sub") is None and context.read_text("missing.txt") is None
    monkeypatch.setattr("dfslim.context.MAX_TEXT_BYTES", 1)
    assert context.read_text("requirements.txt") is None  # too large to be a requirements file


def test_layer_bytes_counts_tar_headers_and_blocks(tmp_path):
    root = make_context(tmp_path / "ctx", ignore="**/*.log\n!keep.log\n")
    (root / "app" / "lib").mkdir(parents=True)
    (root / "app" / "a.py").write_bytes(b"a" * 512)  # one block
    (root / "app" / "lib" / "b.py").write_bytes(b"b" * 513)  # two blocks
    (root / "app" / "lib" / "x.log").write_bytes(b"x" * 4096)  # ignored
    (root / "keep.log").write_bytes(b"k")  # let back in by `!keep.log`
    os.symlink("a.py", root / "app" / "link")  # a header only, never followed
    context = BuildContext(str(root))
    # app/, app/lib/, a.py, b.py, link: five headers; data 1 + 2 blocks
    assert context.layer_bytes("app") == context.layer_bytes("app/") == 5 * 512 + 3 * 512
    assert context.layer_bytes("app/lib") == 2 * 512 + 2 * 512
    assert context.layer_bytes("keep.log") == 2 * 512
    everything = context.layer_bytes(".")
    # the whole context adds its own folder's header, and .dockerignore and keep.log (a
    # header and one block each), as `app` counts its own
    assert everything == 512 + context.layer_bytes("app") + 2 * (2 * 512)
    assert context.layer_bytes("app/lib/x.log") is None  # excluded
    assert context.layer_bytes("missing") is None


def test_layer_bytes_with_copy_excludes_relative_to_the_source(tmp_path, monkeypatch):
    from dfslim.context import Pattern, clean, compile_pattern

    root = make_context(tmp_path / "ctx", files=("app/a.py", "app/lib/b.py"))
    context = BuildContext(str(root))
    lib = [Pattern(clean("lib"), False, compile_pattern(clean("lib")))]
    # `COPY --exclude=lib app /app`: BuildKit matches the pattern below the source
    assert context.layer_bytes("app", lib) == 2 * 512 + 512
    assert context.layer_bytes(".", lib) == context.layer_bytes(".")  # no top-level lib
    assert context.layer_bytes("app/lib", lib, extra_root="app") is None  # the named part is excluded
    monkeypatch.setattr("dfslim.context.MAX_ENTRIES", 2)
    assert context.layer_bytes(".") is None  # too large a tree to walk


def test_ignore_file_is_read_once_per_root(tmp_path, monkeypatch):
    root = make_context(tmp_path / "ctx", ignore=".env\n")
    first = BuildContext.get(str(root))
    assert BuildContext.get(str(root)) is first
    assert first.is_excluded(".env")
    opened = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    assert BuildContext.get(str(root)).is_excluded(".env/x")
    assert opened == []  # cached: not read again
    (root / ".dockerignore").write_text("# nothing\n.git\n")
    assert not BuildContext.get(str(root)).is_excluded(".env")  # a changed file is read anew


def test_symlinked_ignore_file_outside_the_context_is_not_read(tmp_path):
    outside = make_context(tmp_path / "outside", files=("ignore",))
    (outside / "ignore").write_text("*\n")
    root = make_context(tmp_path / "ctx", files=(".env",), dockerfile=WHOLE)
    os.symlink(outside / "ignore", root / ".dockerignore")
    context = BuildContext(str(root))
    assert context.has_dockerignore and context.unknown
    # what it excludes is unknown: no whole-context finding either way
    assert lines(lint_json(str(root / "Dockerfile"))) == []


def test_no_directory_walk_on_a_large_context(tmp_path, monkeypatch):
    root = make_context(tmp_path / "ctx", files=(".env",), ignore="node_modules\n", dockerfile=WHOLE)
    for package in range(40):
        folder = root / "node_modules" / f"pkg{package}"
        folder.mkdir(parents=True)
        for index in range(75):  # 3,000 files
            (folder / f"f{index}.js").write_text("")

    def forbidden(*args, **kwargs):
        raise AssertionError("the build context must not be listed")

    monkeypatch.setattr(os, "walk", forbidden)
    monkeypatch.setattr(os, "listdir", forbidden)
    monkeypatch.setattr(os, "scandir", forbidden)
    started = time.perf_counter()
    report = lint_json(str(root / "Dockerfile"))
    assert time.perf_counter() - started < 1.0
    assert lines(report) == [3]  # .env exists and is not excluded


# ------------------------------------------------------------------ DFS210 with a context


def test_whole_context_copy_without_dockerignore(tmp_path):
    root = make_context(tmp_path / "ctx", files=("app.py",), dockerfile=WHOLE)
    report = lint_json(str(root / "Dockerfile"))
    assert lines(report) == [3]
    assert "no `.dockerignore`" in report["findings"][0]["message"]


def test_whole_context_copy_with_env_not_excluded(tmp_path):
    root = make_context(tmp_path / "ctx", files=(".env", ".git/"), ignore="node_modules\n", dockerfile=WHOLE)
    report = lint_json(str(root / "Dockerfile"))
    assert lines(report) == [3]
    assert "`.env` and `.git`" in report["findings"][0]["message"]


def test_whole_context_copy_into_a_builder_names_the_builder_and_leaves_git_to_it(tmp_path):
    builder = "FROM python:3.12 AS build\nCOPY . /src\nRUN pip wheel /src -w /w\nFROM python:3.12-slim\nCOPY --from=build /w /w\n"
    root = make_context(tmp_path / "ctx", files=("app.py",), dockerfile=builder)
    (finding,) = lint_json(str(root / "Dockerfile"))["findings"]
    assert finding["message"].endswith("`.env` files and keys in it go into the layers of the builder stage `build`")
    assert "`.git`" not in finding["suggestion"] and "`.env`" in finding["suggestion"]


@pytest.mark.parametrize(
    "ignore",
    [
        ".env\n.git\n",
        "*\n!app/\n!requirements.txt\n",  # an allow-list
        "**/.env\n.git/\n",
        "/.env\n./.git\n",
    ],
)
def test_whole_context_copy_with_secrets_excluded(tmp_path, ignore):
    root = make_context(tmp_path / "ctx", files=(".env", ".git/", "app/main.py"), ignore=ignore, dockerfile=WHOLE)
    assert lines(lint_json(str(root / "Dockerfile"))) == []


def test_whole_context_copy_with_nothing_sensitive(tmp_path):
    root = make_context(tmp_path / "ctx", files=("app.py", ".env.example"), ignore="*.pyc\n", dockerfile=WHOLE)
    assert lines(lint_json(str(root / "Dockerfile"))) == []


def test_whole_context_variants(tmp_path):
    dockerfile = (
        "FROM python:3.12-slim AS build\n"
        "COPY ./ /src\n"  # 2
        "ADD . /app\n"  # 3
        "COPY --exclude=.env . /other\n"  # 4: excluded on the COPY itself
        "COPY --from=build . /copy\n"  # 5: another stage, not the context
        "COPY src/ /src/\n"  # 6: not the whole context
        "FROM python:3.12-slim\n"
        "COPY * /app/\n"  # 8
    )
    root = make_context(tmp_path / "ctx", files=(".env", "src/app.py"), ignore="*.pyc\n", dockerfile=dockerfile)
    assert lines(lint_json(str(root / "Dockerfile"))) == [2, 3, 8]


def test_whole_context_copy_of_git_into_a_builder(tmp_path):
    dockerfile = (
        "FROM python:3.12-slim AS build\n"
        "COPY . /src\n"  # 2: a builder reads .git for its version (setuptools-scm): fine
        "RUN pip wheel --no-cache-dir -w /wheels /src\n"
        "FROM python:3.12-slim\n"
        "COPY --from=build /wheels /wheels\n"
        "COPY . /app\n"  # 6: the shipped stage gets .git
    )
    root = make_context(tmp_path / "ctx", files=(".git/", "app.py"), ignore="*.pyc\n", dockerfile=dockerfile)
    report = lint_json(str(root / "Dockerfile"))
    assert lines(report) == [6] and "`.git`" in report["findings"][0]["message"]
    # a .env is a secret in a builder too
    (root / ".env").write_text("TOKEN=x\n")
    report = lint_json(str(root / "Dockerfile"))
    assert lines(report) == [2, 6]
    assert "`.git`" not in report["findings"][0]["message"] and "`.env` and `.git`" in report["findings"][1]["message"]


def test_explicit_copy_of_an_excluded_file_is_not_flagged(tmp_path):
    dockerfile = "FROM node:22\nCOPY .npmrc package.json ./\nCOPY .env ./\nCOPY certs/server.key /etc/ssl/\n"
    root = make_context(tmp_path / "ctx", files=(".npmrc", "package.json"), ignore=".npmrc\ncerts\n", dockerfile=dockerfile)
    # .npmrc and certs/ are excluded (the COPY fails the build instead); .env is not
    assert lines(lint_json(str(root / "Dockerfile"))) == [3]


def test_explicit_copy_fires_whether_or_not_the_file_exists(tmp_path):
    root = make_context(tmp_path / "ctx", ignore="*.pyc\n", dockerfile="FROM alpine:3.20\nCOPY .env id_rsa /root/\n")
    assert lines(lint_json(str(root / "Dockerfile"))) == [2]


def test_context_option_names_another_folder(tmp_path):
    # the Dockerfile's own folder has a .env and no .dockerignore...
    here = make_context(tmp_path / "docker", files=(".env",), dockerfile=WHOLE)
    assert lines(lint_json(str(here / "Dockerfile"))) == [3]
    # ...but the build runs with another context, which excludes it
    context = make_context(tmp_path / "repo", files=(".env", ".git/"), ignore=".env\n.git\n")
    assert lines(lint_json("--context", str(context), str(here / "Dockerfile"))) == []
    # and a context with a .git it does not exclude
    leaky = make_context(tmp_path / "leaky", files=(".git/",), ignore=".env\n")
    report = lint_json("--context", str(leaky), str(here / "Dockerfile"))
    assert lines(report) == [3] and "`.git`" in report["findings"][0]["message"]


def test_dockerfile_specific_ignore_file_wins(tmp_path):
    root = make_context(tmp_path / "ctx", files=(".env",), ignore="node_modules\n")
    (root / "app.Dockerfile").write_text(WHOLE)
    assert lines(lint_json(str(root / "app.Dockerfile"))) == [3]
    (root / "app.Dockerfile.dockerignore").write_text(".env\n")
    assert lines(lint_json(str(root / "app.Dockerfile"))) == []


def test_standard_input_runs_only_the_named_checks(tmp_path, monkeypatch):
    make_context(tmp_path, files=(".env",))
    monkeypatch.chdir(tmp_path)
    report = lint_json("-", input="FROM alpine:3.20\nCOPY . .\nCOPY .env /app/\n")
    assert lines(report) == [3]


def test_a_folder_without_the_files_the_dockerfile_copies_is_not_its_context(tmp_path):
    # docker/app.Dockerfile built from the repository root: its folder holds none of the
    # files it copies by name, so what that folder lacks (a .dockerignore) says nothing
    text = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n"
    elsewhere = make_context(tmp_path / "repo" / "docker", files=("entry.sh",), dockerfile=text)
    assert lines(lint_json(str(elsewhere / "Dockerfile"))) == []
    # the repository root, named with --context, holds them: it is the context
    root = make_context(tmp_path / "repo", files=("requirements.txt",))
    assert lines(lint_json("--context", str(root), str(elsewhere / "Dockerfile"))) == [5]
    # a file that copies only the whole context cannot be told apart: checked as before
    whole = make_context(tmp_path / "whole", files=("app.py",), dockerfile=WHOLE)
    assert lines(lint_json(str(whole / "Dockerfile"))) == [3]


def test_globs_and_variables_do_not_decide_the_context(tmp_path):
    text = "FROM python:3.12-slim\nARG APP\nCOPY *.txt ${APP} ./\nCOPY . .\n"
    root = make_context(tmp_path / "ctx", files=("app.py",), dockerfile=text)
    assert lines(lint_json(str(root / "Dockerfile"))) == [4]


def test_a_builder_folder_a_shipped_stage_copies_is_in_the_image(tmp_path):
    text = ("FROM golang:1.22 AS build-env\nWORKDIR /app\nCOPY go.mod ./\nCOPY . .\nRUN go build -o server\n"
            "FROM gcr.io/distroless/base-debian12\nCOPY --from=build-env /app /app\nCMD [\"/app/server\"]\n")
    root = make_context(tmp_path / "ctx", files=("go.mod", ".git/"), dockerfile=text)
    (finding,) = lint_json(str(root / "Dockerfile"))["findings"]
    assert finding["line"] == 4
    assert "into the image through `COPY --from=build-env /app /app` (line 7)" in finding["message"]
    assert "`.git`" in finding["message"]
    # only the built binary crosses: the builder keeps its context to itself
    narrow = text.replace("COPY --from=build-env /app /app", "COPY --from=build-env /app/server /server")
    (builder,) = lint_json(str(make_context(tmp_path / "two", files=("go.mod",), dockerfile=narrow) / "Dockerfile"))["findings"]
    assert "builder stage `build-env`" in builder["message"]
