"""The build graph: which stages use which, which are targets, which ship."""

from __future__ import annotations

from dfslim.graph import build_graph, non_shipping, ships
from dfslim.parser import parse

MULTI = """\
FROM python:3.12-slim AS base
FROM base AS test
RUN pytest
FROM golang:1.22 AS build
RUN go build -o /out/tool .
FROM base AS api
COPY --from=build /out/tool /usr/local/bin/tool
FROM base AS worker
RUN --mount=type=bind,from=build,source=/out,target=/mnt true
FROM base AS dev_server
"""


def labels(stages):
    return [stage.label for stage in stages]


def test_targets_are_the_last_stage_and_leaves_that_are_not_dev_or_test():
    df = parse(MULTI)
    graph = build_graph(df)
    assert labels(df.stages[i] for i in graph.targets) == ["api", "worker", "dev_server"]
    assert labels(graph.builders) == ["test", "build"]
    assert [ships(df, stage) for stage in df.stages] == [True, False, False, True, True, True]
    assert labels(graph.targets_of(df.stages[0])) == ["api", "worker", "dev_server"]
    assert labels(graph.targets_of(df.find_stage("build"))) == []


def test_uses_from_copy_and_mount():
    df = parse(MULTI)
    uses = {(df.stages[u.user].label, df.stages[u.used].label, u.how) for u in build_graph(df).uses}
    assert ("api", "build", "copy") in uses
    assert ("worker", "build", "mount") in uses
    assert ("test", "base", "from") in uses


def test_targets_asked_for_replace_the_inferred_ones():
    df = parse(MULTI)._replace(targets=("api",))
    graph = build_graph(df)
    assert labels(df.stages[i] for i in graph.targets) == ["api"]
    assert [ships(df, stage) for stage in df.stages] == [True, False, False, True, False, False]
    unknown = build_graph(parse(MULTI)._replace(targets=("nope",)))
    assert unknown.unknown_targets == ("nope",)
    assert labels(parse(MULTI).stages[i] for i in unknown.targets) == ["api", "worker", "dev_server"]


def test_stage_used_only_by_a_test_leaf_is_a_builder():
    df = parse("FROM node:20 AS deps\nFROM deps AS unit-test\nFROM nginx:1.27 AS web\n")
    assert [ships(df, stage) for stage in df.stages] == [False, False, True]


def test_non_shipping_names():
    for name in ("test", "tests", "unit-test", "dev_server", "api.debug", "CI", "docs", "lint"):
        assert non_shipping(name), name
    for name in ("api", "latest", "production", "builder", "testdata", None):
        assert not non_shipping(name), name


def test_a_variable_from_may_name_several_stages():
    df = parse(
        "FROM debian:bookworm-slim AS base\n"
        "FROM base AS base-amd64\n"
        "FROM base AS base-arm64\n"
        "FROM base-$TARGETARCH AS final\n"
        "FROM ${IMAGE} AS other\n"
    )
    graph = build_graph(df)
    assert labels(df.stages[i] for i in graph.targets) == ["final", "other"]
    assert [ships(df, stage) for stage in df.stages] == [True, True, True, True, True]
    assert labels(graph.targets_of(df.find_stage("base-arm64"))) == ["final"]
    assert {(df.stages[u.used].label, u.maybe) for u in graph.used_by(df.find_stage("final"))} == {("base-amd64", True), ("base-arm64", True)}


def test_development_dockerfiles_by_name_or_folder():
    from dfslim.purpose import dev_dockerfile

    for path in ("Dockerfile.dev", "app/dev.Dockerfile", "docker/development/Dockerfile", "compose/local/django/Dockerfile",
                 ".devcontainer/Dockerfile", "devcontainer.Dockerfile", "backend/Dockerfile-test", ".ci/Dockerfile.cypress"):
        assert dev_dockerfile(path), path
    for path in ("Dockerfile", "-", "", "services/api/Dockerfile", "Dockerfile.prod", "tests/fixtures/rules/DFS117/a.Dockerfile"):
        assert not dev_dockerfile(path), path


def test_development_images_by_target_name_or_command():
    from dfslim.purpose import dev_image

    df = parse("FROM node:22 AS base\nRUN npm ci\nFROM base AS lint\nCMD [\"npm\", \"run\", \"lint\"]\n")
    assert dev_image(df, df.stages[0])  # only the last stage `lint` holds it
    for command in ('["npm", "run", "dev"]', '["/bin/bash"]', "sleep infinity", '["uvicorn", "app:app", "--reload"]', '["yarn", "test"]'):
        df = parse(f"FROM node:22\nRUN npm ci\nCMD {command}\n")
        assert dev_image(df, df.stages[0]), command
    for command in ('["npm", "start"]', '["node", "server.js"]', '["sh", "/start.sh"]', "gunicorn app:app"):
        df = parse(f"FROM node:22\nRUN npm ci\nCMD {command}\n")
        assert not dev_image(df, df.stages[0]), command
    df = parse("FROM node:22 AS base\nRUN npm ci\nFROM base AS api\nCMD [\"node\", \"s.js\"]\nFROM base AS dev\nCMD [\"npm\", \"run\", \"dev\"]\nFROM base\n")
    assert not dev_image(df, df.stages[0])  # `api` and the last stage ship it


def test_a_files_own_name_can_mark_it_as_a_development_or_debug_image():
    from dfslim.purpose import dev_dockerfile as non_shipping_file

    marked = ["Dockerfile.dev", "docker/Dockerfile-debug", "test.Dockerfile", "Containerfile_local", ".devcontainer/Dockerfile",
              "compose/local/django/Dockerfile", "C:\\src\\Dockerfile.test"]
    shipped = ["Dockerfile", "Dockerfile.prod", "compose/production/django/Dockerfile", "/home/me/dev/app/Dockerfile",
               "ci/release-image/Dockerfile", "-"]
    assert [path for path in marked if not non_shipping_file(path)] == []
    assert [path for path in shipped if non_shipping_file(path)] == []


def test_what_a_target_runs_and_whether_it_is_a_build_environment():
    from dfslim.purpose import build_environment, image_command

    df = parse(
        'FROM python:3.12-slim AS api\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["tini", "--", "gunicorn", "app:app"]\n'
        'FROM api AS shell\nCMD ["bash"]\n'
        'FROM python:3.12-slim AS worker\nCMD sh -c "celery -A app worker"\n'
        "FROM ubuntu:24.04 AS toolbox\n"
        "FROM python:3.12-slim AS repl\nCMD [\"python3\"]\n"
    )
    api, shell, worker, toolbox, repl = df.stages
    assert image_command(df, api) == ["gunicorn", "app:app"]  # the CMD behind the entrypoint script, without tini
    assert image_command(df, worker) == ["celery", "-A", "app", "worker"]
    assert image_command(df, toolbox) is None
    assert [build_environment(df, stage) for stage in df.stages] == [False, True, False, True, True]
