"""A base image without a tag, or with `:latest`.

## What it does
Flags a `FROM` whose image has no tag and no digest (`FROM python`, which means
`python:latest`), or whose tag is `latest` (`FROM node:latest`). `ARG` defaults are
substituted first: `ARG TAG=latest` / `FROM node:${TAG}` is flagged, and so is
`ARG BASE=python` / `FROM ${BASE}`.

## Why is this bad?
`latest` is whatever the publisher pushed last. The same Dockerfile builds a different
image next week: a new major version of the runtime or the distribution arrives
unannounced and breaks the build or the application, and a build cannot be reproduced or
rolled back. A version tag says what you test against; a digest (`@sha256:...`) pins the
exact bytes.

## Example
    FROM python
    FROM node:latest AS assets

## Use instead
    FROM python:3.12-slim
    FROM node:22-alpine@sha256:<digest> AS assets

(the version you build and test with; `docker buildx imagetools inspect node:22-alpine`
prints the digest of a tag).

## Not flagged
- `FROM scratch`, and `FROM` of an earlier stage (`FROM builder`, names compare without
  case);
- a tag or a digest, also when it comes from an `ARG` default; a tag plus a digest;
- a reference whose name or tag still holds a variable without a default (`FROM
  node:${VERSION}`, `FROM ${IMAGE}` with `ARG VERSION`/`ARG IMAGE` and no default): its
  value is only known at build time;
- an image id (`FROM 82ad5f...`, 64 hex digits): it is pinned;
- what is not an image reference at all (`FROM REPLACE-ME`, `FROM %{image}`: templates
  that are filled in before the build).

A registry port is not a tag: `registry:5000/app` has no tag, `localhost:5000/app:1.0`
has one.

## Variables
Where the catalog is silent, dfslim reads variables as the build does. A variable that
only names the registry or the namespace (`FROM ${REGISTRY}/ubuntu`) cannot give the
image a tag: it is flagged whatever its value. A variable that no `ARG` before the first
`FROM` declares expands to nothing (`FROM alpine$TAG` without `ARG TAG` builds `alpine`):
it is flagged; an `ARG` declared inside a stage does not count, as `FROM` never sees it.
"""

from __future__ import annotations


from dfslim.api import Meta, Severity, Violation, assignments, expand, unquote
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS207",
    name="unpinned-base-image",
    category="security",
    severity=Severity.WARNING,
    scope="all",
    fix=None,
    others=("hadolint DL3006/DL3007", "trivy DS-0001"),
)


# Docker's reference grammar (distribution/reference), to skip what is not an image name
_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
REFERENCE_RE = lazy_compile(
    rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
)
VARIABLE_RE = lazy_compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
IMAGE_ID_RE = lazy_compile(r"(?:sha256:)?[0-9a-f]{64}")


def split_reference(reference: str) -> tuple[str, str | None, str | None]:
    """`(repository, tag, digest)` of an image reference; a registry port is not a tag."""
    name, at, digest = reference.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :], digest if at else None
    return name, None, digest if at else None


def check(dockerfile):
    declared = None
    for stage in dockerfile.stages:
        if stage.parent is not None:
            continue  # FROM an earlier stage
        resolved = unquote(stage.base_resolved.strip())
        missing = ()
        if "$" in resolved:
            if declared is None:
                declared = _declared_global_args(dockerfile)
            missing = tuple(dict.fromkeys(name for name in VARIABLE_RE.findall(resolved) if name not in declared))
            resolved = expand(resolved, dict.fromkeys(missing, "")) if missing else resolved
        if not resolved or resolved.lower() == "scratch":
            continue
        checked = _checked_reference(resolved)
        if checked is None or IMAGE_ID_RE.fullmatch(checked) or not REFERENCE_RE.fullmatch(checked):
            continue  # unknown until build time; an image id is pinned; a template is not an image
        repository, tag, digest = split_reference(resolved)
        if digest is not None or not repository:
            continue
        if tag is not None and tag != "latest":
            continue  # pinned (an empty tag is a build error, not this rule's business)
        yield Violation(
            stage.instruction,
            _message(stage, resolved, repository, tag, missing),
            _suggestion(dockerfile, stage, repository, tag),
            focus=stage.instruction.args_span(first_word=True),
        )


def _declared_global_args(dockerfile) -> frozenset[str]:
    """The names the ARGs before the first FROM declare, with or without a default."""
    return frozenset(
        name for instruction in dockerfile.of("ARG") if instruction.stage < 0 for name, _value in assignments("ARG", instruction.args, dockerfile.escape)
    )


def _checked_reference(resolved: str) -> str | None:
    """The reference to check against Docker's grammar: `resolved` itself, or, when only
    the registry or namespace is still a variable (`${REGISTRY}/ubuntu`), a stand-in
    registry with the literal rest; None when the name or the tag is a variable."""
    if "$" not in resolved:
        return resolved
    _head, slash, last = resolved.rpartition("/")
    if not slash or "$" in last:
        return None
    return "registry.invalid/" + last


def _message(stage, resolved: str, repository: str, tag: str | None, missing=()) -> str:
    written = unquote(stage.base)
    why = ""
    if missing:
        names = ", ".join(f"`{name}`" for name in missing)
        why = f": no `ARG` before the first `FROM` declares {names}, so {'it is' if len(missing) == 1 else 'they are'} empty"
    via = f" (`{written}` resolves to `{resolved}`{why})" if written != resolved else ""
    if tag is None:
        return f"base image `{repository}` has no tag{via}: the build uses whatever `latest` is at that moment"
    return f"base image `{repository}:latest` follows the moving `latest` tag{via}"


def _suggestion(dockerfile, stage, repository: str, tag: str | None) -> str:
    digest = (
        f"; for reproducible builds add its digest (`{repository}:<version>@sha256:<digest>`; "
        f"`docker buildx imagetools inspect {repository}:<version>` prints it)"
    )
    for name in VARIABLE_RE.findall(stage.base):
        value = dockerfile.global_args.get(name)
        if value is None:
            continue
        if value == "latest" or value.endswith(":latest"):
            pinned = value[: -len("latest")] + "<version>"
        elif value == unquote(stage.base_resolved.strip()) and tag is None:
            pinned = value + ":<version>"
        else:
            continue
        return f"pin the version you build and test with in the ARG default: `ARG {name}={pinned}`{digest}"
    return f"pin the version you build and test with: `{_from_line(stage, repository + ':<version>')}`{digest}"


def _from_line(stage, image: str) -> str:
    words = ["FROM"]
    if stage.platform is not None:
        words.append(f"--platform={stage.platform}")
    words.append(image)
    if stage.name:
        words += ["AS", stage.name]
    return " ".join(words)
