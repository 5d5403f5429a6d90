"""Tests for dfslim.images and its data files dfslim/data/base_images.json and default_users.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfslim.images import ImageInfo, default_user, entrypoint_steps_down, family_of, lookup, size_to_bytes

DATA_PATH = Path(__file__).resolve().parents[1] / "dfslim" / "data" / "base_images.json"
DATA = json.loads(DATA_PATH.read_text(encoding="utf-8"))
FAMILIES = DATA["families"]
SOURCES = DATA["sources"]
USERS = json.loads((DATA_PATH.parent / "default_users.json").read_text(encoding="utf-8"))
USER_SOURCES = USERS["sources"]
KINDS = {"runtime", "build-tool", "os", "minimal"}
SHELLS = {"bash", "busybox", "none", None}


def info(ref: str) -> ImageInfo:
    got = lookup(ref)
    assert got is not None, ref
    return got


# --------------------------------------------------------------------------- behaviour


def test_python_default_tag_is_full_with_slim_sibling():
    got = info("python:3.12")
    assert got.family == "python"
    assert got.kind == "runtime"
    assert got.version == "3.12"
    assert got.variant == ""
    assert got.is_full
    assert got.smaller == "python:3.12-slim"
    assert got.default_user == "root"
    assert got.shell == "bash"


def test_python_distro_tag_keeps_the_distro_release():
    got = info("python:3.12-bookworm")
    assert got.variant == "bookworm"
    assert got.is_full
    assert got.smaller == "python:3.12-slim-bookworm"


def test_python_patch_version_and_variant_split():
    got = info("python:3.12.4-slim-bookworm")
    assert (got.version, got.variant, got.is_full, got.smaller) == ("3.12.4", "slim-bookworm", False, None)


@pytest.mark.parametrize("ref", ["python:3.12-slim", "python:3.12-alpine", "python:3.12-alpine3.20",
                                 "python:3.12-slim-bookworm", "python:slim"])
def test_small_python_variants_are_not_full(ref):
    got = info(ref)
    assert not got.is_full
    assert got.smaller is None


def test_python_alpine_uses_busybox_shell():
    assert info("python:3.12-alpine").shell == "busybox"


@pytest.mark.parametrize("ref", ["python", "python:latest"])
def test_untagged_python_means_latest(ref):
    got = info(ref)
    assert got.version is None
    assert got.is_full
    assert got.smaller == "python:slim"
    assert got.size_bytes is None  # moving alias: never sized


@pytest.mark.parametrize("ref, smaller", [
    ("docker.io/library/python:3.11", "docker.io/library/python:3.11-slim"),
    ("docker.io/python:3.11", "docker.io/python:3.11-slim"),
    ("index.docker.io/library/python:3.11", "index.docker.io/library/python:3.11-slim"),
    ("library/python:3.11", "library/python:3.11-slim"),
])
def test_docker_hub_prefixes_are_recognised_and_kept(ref, smaller):
    got = info(ref)
    assert got.family == "python"
    assert got.reference == ref
    assert got.smaller == smaller


@pytest.mark.parametrize("ref", [
    "registry.example.com/python:3.12",
    "registry.example.com/team/python-base:1",
    "myorg/python:3.12",
    "ghcr.io/library/python:3.12",
    "localhost:5000/python:3.12",
    "quay.io/python:3.12",
])
def test_other_registries_and_namespaces_are_not_official(ref):
    assert lookup(ref) is None
    assert family_of(ref) is None


@pytest.mark.parametrize("ref, smaller", [
    ("node:20", "node:20-slim"),
    ("node:20-bookworm", "node:20-bookworm-slim"),
    ("node:20-bullseye", "node:20-bullseye-slim"),
    ("node:lts", "node:lts-slim"),
    ("node", "node:slim"),
])
def test_node_full_variants(ref, smaller):
    got = info(ref)
    assert got.is_full
    assert got.smaller == smaller


@pytest.mark.parametrize("ref", ["node:20-slim", "node:20-bookworm-slim", "node:20-alpine3.20", "node:lts-alpine"])
def test_node_small_variants(ref):
    assert not info(ref).is_full


def test_node_alpine_version_suffix_grammar():
    got = info("node:20-alpine3.20")
    assert (got.version, got.variant) == ("20", "alpine3.20")


@pytest.mark.parametrize("ref, smaller", [
    ("eclipse-temurin:17", "eclipse-temurin:17-jre"),
    ("eclipse-temurin:17-jdk", "eclipse-temurin:17-jre"),
    ("eclipse-temurin:17-jdk-jammy", "eclipse-temurin:17-jre-jammy"),
    ("eclipse-temurin:17-jammy", "eclipse-temurin:17-jre-jammy"),
    ("eclipse-temurin:17-jdk-alpine", "eclipse-temurin:17-jre-alpine"),
    ("eclipse-temurin:21-jdk-ubi9-minimal", "eclipse-temurin:21-jre-ubi9-minimal"),
])
def test_temurin_jdk_suggests_jre_of_same_os(ref, smaller):
    got = info(ref)
    assert got.is_full
    assert got.smaller == smaller


@pytest.mark.parametrize("ref", ["eclipse-temurin:17-jre", "eclipse-temurin:17-jre-alpine",
                                 "eclipse-temurin:17.0.12_7-jre-alpine"])
def test_temurin_jre_is_not_full(ref):
    got = info(ref)
    assert not got.is_full
    assert got.smaller is None


def test_temurin_sizes_come_from_data():
    got = info("eclipse-temurin:17-jdk")
    assert got.size_bytes == 448_020_000
    assert got.smaller_size_bytes == 294_400_000


def test_debian_release_to_slim():
    got = info("debian:bookworm")
    assert got.kind == "os"
    assert got.version == "bookworm"
    assert got.is_full
    assert got.smaller == "debian:bookworm-slim"
    assert got.size_bytes == 116_570_000
    assert got.smaller_size_bytes == 74_830_000


@pytest.mark.parametrize("ref, version, variant, smaller", [
    ("debian:bookworm-slim", "bookworm", "slim", None),
    ("debian:12", "12", "", "debian:12-slim"),
    ("debian:bookworm-20250520", "bookworm-20250520", "", "debian:bookworm-20250520-slim"),
    ("debian", None, "", "debian:stable-slim"),
    ("debian:rc-buggy", "rc-buggy", "", None),
])
def test_debian_grammar(ref, version, variant, smaller):
    got = info(ref)
    assert (got.version, got.variant, got.smaller) == (version, variant, smaller)


@pytest.mark.parametrize("ref, smaller", [
    ("buildpack-deps:bookworm", "debian:bookworm-slim"),
    ("buildpack-deps:bookworm-curl", "debian:bookworm-slim"),
    ("buildpack-deps:jammy-scm", "ubuntu:jammy"),
    ("docker.io/library/buildpack-deps:bullseye", "docker.io/library/debian:bullseye-slim"),
])
def test_buildpack_deps_suggests_same_release_base(ref, smaller):
    got = info(ref)
    assert got.kind == "build-tool"
    assert got.smaller == smaller


@pytest.mark.parametrize("ref", ["golang:1.22", "golang:1.22-alpine", "golang:alpine", "rust:1.82",
                                 "gcc:14", "maven:3.9.6-eclipse-temurin-17", "gradle:8.7.0-jdk17-jammy",
                                 "mcr.microsoft.com/dotnet/sdk:8.0", "buildpack-deps:bookworm"])
def test_build_tools(ref):
    assert info(ref).kind == "build-tool"


def test_golang_has_no_same_distro_sibling():
    got = info("golang:1.22")
    assert got.kind == "build-tool"
    assert not got.is_full
    assert got.smaller is None


def test_rust_full_has_slim_sibling():
    assert info("rust:1.82-bookworm").smaller == "rust:1.82-slim-bookworm"


def test_dotnet_sdk_suggests_aspnet_same_tag():
    got = info("mcr.microsoft.com/dotnet/sdk:8.0-bookworm-slim-amd64")
    assert got.family == "mcr.microsoft.com/dotnet/sdk"
    assert got.smaller == "mcr.microsoft.com/dotnet/aspnet:8.0-bookworm-slim-amd64"
    assert info("mcr.microsoft.com/dotnet/core/sdk:3.1").smaller == "mcr.microsoft.com/dotnet/core/aspnet:3.1"


def test_dotnet_chiseled_is_non_root_without_shell():
    got = info("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled")
    assert got.default_user not in (None, "root")
    assert got.shell == "none"


@pytest.mark.parametrize("ref", [
    "gcr.io/distroless/static:nonroot",
    "gcr.io/distroless/static-debian12:nonroot",
    "gcr.io/distroless/base-debian12:debug-nonroot",
    "gcr.io/distroless/python3-debian12:nonroot",
    "gcr.io/distroless/java17-debian12:nonroot",
])
def test_distroless_nonroot_is_non_root(ref):
    got = info(ref)
    assert got.kind == "minimal"
    assert got.default_user not in (None, "root")


@pytest.mark.parametrize("ref, shell", [
    ("gcr.io/distroless/static", "none"),
    ("gcr.io/distroless/cc-debian12:latest", "none"),
    ("gcr.io/distroless/base:debug", "busybox"),
])
def test_distroless_defaults_to_root(ref, shell):
    got = info(ref)
    assert got.default_user == "root"
    assert got.shell == shell


def test_distroless_unknown_image_is_none():
    assert lookup("gcr.io/distroless/not-an-image:nonroot") is None


def test_chainguard_is_non_root():
    got = info("cgr.dev/chainguard/python:latest-dev")
    assert got.kind == "minimal"
    assert got.default_user not in (None, "root")
    assert got.variant == "dev"


def test_scratch():
    got = info("scratch")
    assert (got.family, got.kind, got.shell) == ("scratch", "minimal", "none")


@pytest.mark.parametrize("ref", [
    "python:3.12-bookworm@sha256:" + "a" * 64,
    "docker.io/library/python:3.12-bookworm@sha256:" + "0123456789abcdef" * 4,
])
def test_digest_is_kept_out_of_the_suggestion(ref):
    got = info(ref)
    assert got.reference == ref
    assert got.smaller is not None and "@" not in got.smaller
    assert got.smaller.endswith("python:3.12-slim-bookworm")


def test_digest_without_tag_means_latest():
    got = info("python@sha256:" + "b" * 64)
    assert got.version is None
    assert got.smaller == "python:slim"


@pytest.mark.parametrize("ref", [
    "python:${PYTHON_VERSION}", "python:$V-slim", "${BASE_IMAGE}", "$repo:1.0", "python:3.12-nosuchvariant",
    "notanofficialimage:1", "python:", "python@sha256:", "python@sha256:xyz", "", "   ", "python:3.12 AS build",
    "python/:3", "/python", "python::3", "python:-slim", "python:.x",
])
def test_unknown_or_unsubstituted_is_none(ref):
    assert lookup(ref) is None


def test_name_is_case_insensitive():
    got = info("PYTHON:3.12")
    assert got.family == "python"
    assert got.is_full


def test_family_of():
    assert family_of("docker.io/library/python:3.12") == "python"
    assert family_of("python:whatever-tag") == "python"
    assert family_of("gcr.io/distroless/static") == "gcr.io/distroless"
    assert family_of("mcr.microsoft.com/dotnet/aspnet:8.0") == "mcr.microsoft.com/dotnet/aspnet"
    assert family_of("myorg/python") is None


def test_sizes_for_python_come_from_repo_info():
    got = info("python:3.12")
    assert got.size_bytes == 1_110_000_000
    assert got.smaller_size_bytes == 119_200_000
    assert info("python:3.12.4").size_bytes == 1_110_000_000  # same minor version


def test_unknown_size_is_none_not_a_guess():
    got = info("python:3.7")
    assert got.size_bytes is None
    assert got.smaller_size_bytes is None


# --------------------------------------------------------------------------- never raises

_REF_ALPHABET = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789.-_/:@$ {}ABZ"))
_PIECES = st.sampled_from([
    "python", "node", "debian", "docker.io/", "library/", "gcr.io/distroless/", "cgr.dev/chainguard/",
    "mcr.microsoft.com/dotnet/sdk", "static", ":", "@sha256:", "-", "slim", "bookworm", "alpine", "3.12", "1",
    "latest", "nonroot", "jdk", "jre", "eclipse-temurin", "$", "{", "}", "..", "//", "a" * 64, "amd64",
])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_lookup_never_raises_on_any_text(text):
    got = lookup(text)
    assert got is None or isinstance(got, ImageInfo)
    fam = family_of(text)
    assert fam is None or isinstance(fam, str)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(_REF_ALPHABET, max_size=6)), max_size=8).map("".join))
def test_lookup_never_raises_on_reference_like_text(text):
    got = lookup(text)
    if got is not None:
        assert got.kind in KINDS
        assert got.shell in SHELLS
        assert "$" not in text
        if got.smaller is not None:
            assert "@" not in got.smaller
            assert got.is_full
            assert lookup(got.smaller) is not None


def test_lookup_tolerates_non_strings():
    for value in (None, 3, b"python:3.12", ["python"], object()):
        assert lookup(value) is None  # type: ignore[arg-type]
        assert family_of(value) is None  # type: ignore[arg-type]


# --------------------------------------------------------------------------- data integrity


def _all_figures():
    for name, fam in FAMILIES.items():
        for fig in fam.get("sizes", []):
            yield name, fig


def test_about_states_units_and_update_procedure():
    about = DATA["_about"]
    assert "MB = 10^6" in about
    assert "How to update" in about


def test_every_figure_names_an_existing_source():
    figures = list(_all_figures())
    assert len(figures) >= 40
    for name, fig in figures:
        assert fig.get("source"), (name, fig)
        assert fig["source"] in SOURCES, (name, fig)


def test_no_figure_without_a_size_that_parses():
    for name, fig in _all_figures():
        assert isinstance(fig.get("size"), str), (name, fig)
        assert size_to_bytes(fig["size"]) is not None, (name, fig)


def test_every_source_is_cited_and_complete():
    used = {fig["source"] for _, fig in _all_figures()}
    assert used == set(SOURCES)
    for sid, src in SOURCES.items():
        for field in ("title", "url", "date", "measured", "measure", "platform"):
            assert src.get(field), (sid, field)
        assert src["measure"] in {"uncompressed", "compressed", "unstated"}, sid


def test_every_figure_tag_follows_the_family_grammar():
    for name, fig in _all_figures():
        fam = FAMILIES[name]
        match = fam["match"]
        if "hub" in match:
            prefix = match["hub"]
        elif "namespace" in match:
            prefix = f"{match['registry']}/{match['namespace']}/{fig['path']}"
        else:
            prefix = f"{match['registry']}/{fig.get('path', match['paths'][0])}"
        for tag in filter(None, (fig["tag"], fig.get("resolved"))):
            assert lookup(f"{prefix}:{tag}") is not None, (name, tag)


def test_families_are_well_formed():
    for name, fam in FAMILIES.items():
        assert fam["kind"] in KINDS, name
        assert fam.get("shell") in SHELLS, name
        assert fam["variants"], name
        for key, var in fam["variants"].items():
            assert isinstance(var["full"], bool), (name, key)
            assert var.get("shell", fam.get("shell")) in SHELLS, (name, key)
            if var["full"]:
                assert var.get("smaller"), (name, key)


def test_size_to_bytes_units():
    assert size_to_bytes("1.11 GB") == 1_110_000_000
    assert size_to_bytes("74.83 MB") == 74_830_000
    assert size_to_bytes("2 MiB") == 2 * 1024 * 1024
    assert size_to_bytes("4.45 MB") == 4_450_000
    assert size_to_bytes("12 parsecs") is None
    assert size_to_bytes("MB") is None


CORPUS_TOP = ["python", "alpine", "debian", "node", "ubuntu", "golang", "buildpack-deps", "nginx",
              "eclipse-temurin", "php", "maven", "busybox", "postgres", "erlang", "ruby", "rust", "openjdk"]


@pytest.mark.parametrize("family", CORPUS_TOP)
def test_most_used_corpus_families_are_covered(family):
    assert family_of(f"{family}:latest") == family
    assert lookup(family) is not None


# --------------------------------------------------------------------------- default users


@pytest.mark.parametrize("ref, user", [
    ("ubuntu:22.04", "root"),
    ("ubuntu:24.04", "root"),
    ("nvidia/cuda:12.1.0-runtime-ubuntu22.04", "root"),
    ("nvidia/cuda:12.8.0-cudnn-devel-ubuntu24.04", "root"),
    ("pytorch/pytorch:2.6.0-cuda11.8-cudnn9-runtime", "root"),
    ("oven/bun:1.2.5-slim", "root"),
    ("node:20", "root"),
    ("node:22-alpine", "root"),
    ("python:3.12-slim", "root"),
    ("debian:bookworm-slim", "root"),
    ("alpine", "root"),
    ("scratch", "root"),
    ("gcr.io/distroless/python3-debian12:nonroot", "65532"),
    ("gcr.io/distroless/static-debian13:nonroot-amd64", "65532"),
    ("gcr.io/distroless/base-debian12:debug-nonroot", "65532"),
    ("gcr.io/distroless/static:debug", "root"),
    ("gcr.io/distroless/cc-debian12", "root"),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled", "1654"),
    ("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra", "1654"),
    ("mcr.microsoft.com/dotnet/runtime:8.0-azurelinux3.0-distroless", "1654"),
    ("mcr.microsoft.com/dotnet/runtime-deps:7.0-cbl-mariner2.0-distroless", "app"),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-bookworm-slim-amd64", "root"),
    ("mcr.microsoft.com/dotnet/sdk:8.0", "root"),
    ("jupyter/base-notebook", "1000"),
    ("quay.io/jupyter/scipy-notebook:2026-07-28", "1000"),
    ("mambaorg/micromamba:2.6.1", "mambauser"),
    ("nginxinc/nginx-unprivileged:1.29.3-alpine3.22-otel", "101"),
    ("docker:29-dind-rootless", "rootless"),
    ("docker:29-dind", "root"),
    ("spark:3.5.0-scala2.12-java11-ubuntu", "spark"),
    ("mariadb:11.4-ubi", "mysql"),
    ("mariadb:11.4", "root"),
    ("varnish", "varnish"),
    ("varnish:stable", "root"),
    ("varnish:6.0.18-1", "root"),
    ("elasticsearch:8.11.1", "1000:0"),
    ("docker.elastic.co/elasticsearch/elasticsearch:6.8.1", "root"),
    ("docker.elastic.co/kibana/kibana:6.8.1", "kibana"),
    ("grafana/grafana", "472"),
    ("prom/prometheus:v2.4.2", "nobody"),
    ("selenium/standalone-chrome", "1200"),
    ("jenkins/jenkins:lts", "jenkins"),
    ("oracle/database:19.3.0-ee", "oracle"),
    ("oracle/database:18.4.0-xe", "root"),
    ("golang:1.9-nanoserver", "ContainerUser"),
    ("cgr.dev/chainguard/python:latest-dev", "65532"),
])
def test_default_user_of_real_references(ref, user):
    assert default_user(ref) == user


@pytest.mark.parametrize("ref", [
    "docker.io/library/ubuntu:22.04",
    "index.docker.io/library/ubuntu:22.04",
    "library/ubuntu:22.04",
    "docker.io/ubuntu:22.04",
    "UBUNTU:22.04",
    "mirror.gcr.io/library/ubuntu:24.04",
    "mirror.gcr.io/ubuntu",
    "arm64v8/ubuntu:noble",
    "ubuntu:22.04@sha256:" + "ab" * 32,
])
def test_default_user_normalises_docker_hub_names(ref):
    assert default_user(ref) == "root"


@pytest.mark.parametrize("ref", [
    "myorg/ubuntu:22.04",                       # a user namespace is not the official image
    "registry.example.com/ubuntu:22.04",        # nor is another registry
    "ghcr.io/some/app:1.0",
    "python:${PYTHON_VERSION}-slim",
    "$BASE_IMAGE",
    "golang:1.26-windowsservercore-ltsc2022",   # Windows accounts are not modelled
    "mcr.microsoft.com/windows/servercore:ltsc2022",
    "prom/prometheus:v1.4.1",                   # releases the sources do not cover
    "grafana/grafana:5.2.4",
    "ghcr.io/jitsi/base:stable-10008",
    "",
])
def test_default_user_is_none_without_sourced_data(ref):
    assert default_user(ref) is None


def test_default_user_tolerates_non_strings():
    for value in (None, 3, b"ubuntu", ["ubuntu"], object()):
        assert default_user(value) is None  # type: ignore[arg-type]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(_REF_ALPHABET, max_size=6)), max_size=8).map("".join))
def test_default_user_never_raises(text):
    got = default_user(text)
    assert got is None or (isinstance(got, str) and got)


def test_lookup_reports_the_same_default_user():
    for ref in ("python:3.12", "gcr.io/distroless/static-debian12:nonroot", "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled"):
        assert info(ref).default_user == default_user(ref)


def _family_sample(fam: dict) -> str:
    match = fam["match"]
    if "hub" in match:
        return match["hub"]
    if match.get("scratch"):
        return "scratch"
    if "namespace" in match:
        image = "python" if "*" in match["images"] else "static"
        return f"{match['registry']}/{match['namespace']}/{image}:latest"
    return f"{match['registry']}/{match['paths'][0]}:8.0"


def test_every_modelled_family_has_a_default_user():
    for name, fam in FAMILIES.items():
        ref = _family_sample(fam)
        assert info(ref).default_user is not None, (name, ref)


def _user_entries():
    for key, entry in USERS["images"].items():
        yield key, entry
        for rule in entry.get("tags", ()):
            yield key, rule


def _source_ids(entry: dict) -> list:
    found = entry.get("source")
    return [found] if isinstance(found, str) else list(found or ())


def test_every_default_user_names_an_existing_source():
    for key, entry in USERS["images"].items():
        assert _source_ids(entry), key
    for key, entry in _user_entries():
        if entry.get("user") is not None:
            assert _source_ids(entry), (key, entry)
        for sid in _source_ids(entry):
            assert sid in USER_SOURCES, (key, sid)


def test_every_user_source_is_used_and_complete():
    used = {sid for _, entry in _user_entries() for sid in _source_ids(entry)}
    used |= {USERS["docker_hub_mirrors"]["source"], USERS["architecture_namespaces"]["source"]}
    assert used == set(USER_SOURCES)
    for sid, src in USER_SOURCES.items():
        for field in ("title", "url", "date", "states"):
            assert src.get(field), (sid, field)
        assert src["url"].startswith("https://"), sid


def test_root_is_spelled_root():
    # rules compare against "root"; a uid 0 written as "0" or "0:0" would slip through
    for key, entry in _user_entries():
        user = entry.get("user")
        assert user is None or (user and not user.startswith(("0", "root:"))), (key, user)


def test_users_about_states_the_update_procedure():
    assert "How to update" in USERS["_about"]
    assert "Never fill in a user by guess" in USERS["_about"]


# the bases the catalog names for DFS201 (../shared/RULES.md), and the most used ones
DFS201_BASES = ["ubuntu", "nvidia/cuda:12.1.0-base-ubuntu22.04", "pytorch/pytorch", "oven/bun", "python", "alpine",
                "debian", "node", "golang", "buildpack-deps", "nginx", "eclipse-temurin", "php", "busybox",
                "oraclelinux:9", "maven", "postgres", "amazonlinux:2", "ruby", "erlang", "rust", "bash"]


@pytest.mark.parametrize("ref", DFS201_BASES)
def test_dfs201_bases_are_known(ref):
    assert default_user(ref) is not None


@pytest.mark.parametrize("ref, user", [
    ("postgres:16", "postgres"),
    ("docker.io/library/postgres:16-alpine", "postgres"),
    ("mysql:8.4", "mysql"),
    ("mariadb:11", "mysql"),
    ("mongo:7", "mongodb"),
    ("redis:7-alpine", "redis"),
    ("rabbitmq:3-management", "rabbitmq"),
])
def test_entrypoints_that_step_down_name_their_service_user(ref, user):
    assert default_user(ref) == "root"
    assert entrypoint_steps_down(ref) == user


@pytest.mark.parametrize("ref", [
    "python:3.12", "ubuntu:24.04", "scratch", "mariadb:11-ubi", "mongo:7-nanoserver",
    "registry.example.com/team/postgres:16", "${BASE}", "",
])
def test_other_images_do_not_step_down(ref):
    assert entrypoint_steps_down(ref) is None


def test_every_step_down_is_stated_by_its_source():
    for key, entry in USERS["images"].items():
        if "steps_down" in entry:
            for sid in _source_ids(entry):
                assert f"steps down to `{entry['steps_down']}`" in USER_SOURCES[sid]["states"], (key, sid)
