"""A `COPY`/`ADD` puts a secret file from the build context into the image.

## What it does
Flags a `COPY` or `ADD` from the build context that:

- names a sensitive file: `.env` (and `.env.local`, `.env.production`...), `*.pem`,
  `*.key`, `id_rsa*`, `id_ed25519*`, anything in `.ssh/` or `.aws/`, `.npmrc`,
  `.pypirc`, `.netrc`, `.git`. These fire in every stage (`.git` only in stages that
  ship), whether or not the file exists;
- copies the whole context (`COPY . .`, `COPY ./ /app`, `ADD . /app`, `COPY * ./`) when
  the context has no `.dockerignore`, or when `.env` (or, in a stage that ships, `.git`)
  exists at the context root and the `.dockerignore` does not exclude it.

## Why is this bad?
A file copied into a layer stays in the image for anyone who pulls it, even if a later
`RUN rm` deletes it: private keys, `.env` files with database passwords, registry tokens
in `.npmrc`/`.pypirc`/`.netrc`, cloud credentials in `.aws/`, and `.git`, which holds
the whole history (secrets removed long ago included) and often a token in
`.git/config`.

## Example
    COPY .env /app/.env
    COPY . /app          # and the context has no .dockerignore

## Use instead
Give configuration at run time (`docker run --env-file .env`), build-time credentials
through a secret mount, and keep the rest out with a `.dockerignore`:

    # .dockerignore
    .git
    .env
    .env.*
    !.env.example
    *.pem
    *.key

    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci

## Not flagged
- `.env.example`, `.env.sample`, `.env.template` (and `.dist`, `.default(s)`): templates;
- public material: `*.pub`, `known_hosts`, `authorized_keys`, `.aws/config`, and `.pem`/
  `.key` files whose name or destination says they are public (certificates, CA bundles,
  GPG/apt signing keys: `ca.pem`, `fullchain.pem`, `nodesource.gpg.key`, a destination
  in `/usr/share/keyrings/` or ending in `.pub`/`.asc`/`.gpg`);
- what `.dockerignore` (or `COPY --exclude=`) excludes: it never reaches the image (a
  `COPY` naming an excluded file fails the build, which `docker build` reports itself);
- `COPY --from=...` (another stage or image, not the context) and remote `ADD` sources;
- a source that holds a variable with no known value;
- `.git` copied into a builder stage (one that does not ship): version tools such as
  setuptools-scm, hatch-vcs and versioningit read it there, and only what the builder
  hands on with `COPY --from=` reaches the image. In a stage that ships it is flagged, and
  a whole-context copy into a builder is judged on `.env` alone.

## Scope
Every stage (`.git` aside): a builder's layers are in the build cache and in any image
pushed from that stage. The context is the Dockerfile's folder unless `--context` names another;
with standard input there is no context, and only the named-file checks run. Neither do
the context checks when none of the files the Dockerfile copies by name is in that folder:
the file is built from another one (a `docker/app.Dockerfile` built from the repository
root), whose `.dockerignore` dfslim has not seen. dfslim looks
only at a few names at the context root (`.env`, `.git`) and never lists or reads the
context; a `.env` in a subfolder copied by `COPY . .` is not seen.
"""

from __future__ import annotations

import re

from dfslim.api import (
    Meta, Severity, Violation, arg_span, build_context, build_graph, copy_paths, expand, resolve_path, split_words, unquote,
    workdirs,
)
from dfslim.context import Pattern, clean, compile_pattern, excluded_by
from dfslim.regex import lazy_compile

META = Meta(
    id="DFS210",
    name="sensitive-file-copied",
    category="security",
    severity=Severity.ERROR,
    scope="all",
    fix=None,
    others=("trivy DS-0031 (files)",),
)

TEMPLATE_SUFFIXES = frozenset({"example", "sample", "template", "tmpl", "tpl", "dist", "default", "defaults", "schema"})
CREDENTIAL_FILES = frozenset({".npmrc", ".pypirc", ".netrc"})
SECRET_DIRS = frozenset({".ssh", ".aws"})
PUBLIC_FILES = frozenset({"known_hosts", "authorized_keys", "config"})  # inside .ssh/.aws
# a .pem/.key whose name says it is public: certificates, CA bundles, signing keys
PUBLIC_NAME_RE = lazy_compile(
    r"pub|cert|crt|chain|bundle|trust|gpg|pgp|keyring|signing|release|archive|"
    r"(?:^|[^a-z])(?:ca|root|apt|repo|asc)(?:[^a-z]|$)"
)
PUBLIC_DESTINATION_RE = lazy_compile(
    r"\.(?:pub|asc|gpg|crt|cer)/?$|keyrings|trusted\.gpg|rpm-gpg|ca-certificates|/certs?/ca|apt/"
)
WHOLE_CONTEXT = frozenset({".", "./", "./.", "*", "./*", "/", "/."})
REMOTE_RE = lazy_compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)
ROOT_SECRETS = (".env", ".git")
GIT = "the `.git` folder (the whole history, often a token in `.git/config`)"
IGNORE_LINES = "`.git`, `.env`, `.env.*`, `!.env.example`, `*.pem`, `*.key`, `.ssh`, `.aws`, `.npmrc`"


def check(dockerfile):
    context = build_context(dockerfile)
    graph = build_graph(dockerfile)
    for instruction in dockerfile.of("COPY", "ADD"):
        if instruction.flag("from") is not None or instruction.heredocs:
            continue
        sources, destination = _sources(instruction, dockerfile.escape)
        if not sources:
            continue
        excludes = tuple(_exclude_patterns(instruction))
        stage = dockerfile.stage_of(instruction)
        shipped = graph.ships(stage)
        into = "into the image" if shipped or stage is None else f"into the layers of the builder stage `{stage.label}`"
        carried = None if shipped or stage is None else _carried_into_image(dockerfile, graph, stage, instruction, destination)
        if carried is not None:  # a shipped stage copies the builder's folder holding them
            shipped = True
            into = (f"into the image through `COPY --from={carried.flag('from')} {' '.join(carried.args.split())}` "
                    f"(line {carried.line})")
        found = _named(instruction, sources, destination, context, excludes, shipped, into)
        if found is None and context is not None:
            found = _whole_context(instruction, sources, context, excludes, shipped, into)
        if found is not None:
            message, suggestion, source = found
            yield Violation(instruction, message, suggestion, focus=arg_span(instruction, source, dockerfile.escape))


def _carried_into_image(dockerfile, graph, builder, instruction, destination):
    """The `COPY --from=<builder>` of a shipped stage whose source holds the folder this
    copy writes (`COPY . .` in WORKDIR /app, then `COPY --from=build /app /app`), else None."""
    written = resolve_path(destination, workdirs(dockerfile).get(instruction.index))
    if written is None or "<" in written:  # relative to a base image's unknown WORKDIR
        return None
    for use in graph.users_of(builder):
        if use.how != "copy" or not graph.ships(dockerfile.stages[use.user]):
            continue
        paths = copy_paths(use.instruction)
        for source in paths[0] if paths else ():
            root = resolve_path(source, "/")
            if root is not None and (written == root or written.startswith(root.rstrip("/") + "/")):
                return use.instruction
    return None


def _sources(instruction, escape="\\"):
    """The context paths a COPY/ADD reads (variables expanded) and its destination."""
    exec_form = instruction.exec_form
    if exec_form is not None:
        words = list(exec_form)
    else:
        words = [unquote(word, escape) for word in split_words(instruction.args, escape)]
    if len(words) < 2:
        return [], ""
    destination = words[-1]
    sources = []
    for word in words[:-1]:
        source = expand(word, instruction.scope)
        if "$" in source or REMOTE_RE.match(source) or source.startswith("<<"):
            continue
        sources.append(source)
    return sources, expand(destination, instruction.scope)


def _exclude_patterns(instruction):
    for value in instruction.flag_values("exclude"):
        text = clean(unquote(value))
        if len(text) > 1 and text.startswith("/"):
            text = text[1:]
        yield Pattern(text, False, compile_pattern(text))


def sensitive(source: str, destination: str = "") -> str | None:
    """Why a source path names a secret (a short noun phrase), or None."""
    path = clean(source.replace("\\", "/")).lstrip("/")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts:
        return None
    base = parts[-1]
    lower = base.lower()
    if ".git" in parts:
        return GIT
    for folder in SECRET_DIRS:
        if folder in parts[:-1] and lower not in PUBLIC_FILES and not lower.endswith(".pub"):
            return f"a file from `{folder}/`"
        if lower == folder:
            return f"the `{folder}` folder"
    if lower == ".env":
        return "a `.env` file"
    if lower.startswith(".env") and any(char in lower for char in "*?["):
        glob = compile_pattern(lower)
        if glob is not None and (glob.match(".env") or glob.match(".env.local")):
            return f"`.env` files (`{base}`)"
    if lower.startswith(".env."):
        if any(piece in TEMPLATE_SUFFIXES for piece in lower.split(".")[2:]):
            return None
        return f"a `{base}` file"
    if lower in CREDENTIAL_FILES:
        return f"a `{base}` file (it often holds a registry token)"
    if lower.startswith(("id_rsa", "id_ed25519", "id_ecdsa", "id_dsa")):
        if lower.endswith(".pub"):
            return None
        return "an SSH private key"
    if lower.endswith((".pem", ".key")):
        stem = lower.rsplit(".", 1)[0]
        if PUBLIC_NAME_RE.search(stem) or PUBLIC_DESTINATION_RE.search(destination.lower()):
            return None
        return "a private key" if lower.endswith(".key") else "a `.pem` key file"
    return None


def _named(instruction, sources, destination, context, excludes, shipped, into):
    for source in sources:
        if source in WHOLE_CONTEXT:
            continue
        why = sensitive(source, destination)
        if why is None or (why == GIT and not shipped):
            continue  # a builder reads `.git` for the version (setuptools-scm, hatch-vcs)
        if _excluded(context, source, excludes):
            continue
        keyword = instruction.keyword
        ignore_line = clean(source.replace("\\", "/")).lstrip("/")
        return (
            f"`{keyword} {source}` copies {why} {into}",
            f"do not copy `{source}`: give its values at run time (`docker run --env-file`, "
            f"mounted secrets), use `RUN --mount=type=secret,id=<name>,target=<path>` where "
            f"a build step needs it, and add `{ignore_line}` to `.dockerignore`",
            source,
        )
    return None


def _excluded(context, source, excludes) -> bool:
    path = clean(source.replace("\\", "/")).lstrip("/")
    if context is not None and not context.unknown:
        return context.is_excluded(path, excludes)
    return bool(excludes) and excluded_by(list(excludes), path)


def _whole_context(instruction, sources, context, excludes, shipped, into):
    whole = next((source for source in sources if source in WHOLE_CONTEXT), None)
    if whole is None or context.unknown:
        return None
    keyword = instruction.keyword
    if not context.has_dockerignore:
        what = "`.git`, `.env` files and keys" if shipped else "`.env` files and keys"
        ignore_lines = IGNORE_LINES if shipped else IGNORE_LINES.replace("`.git`, ", "")  # a builder may need `.git`
        return (
            f"`{keyword} {whole}` copies the whole build context, which has no "
            f"`.dockerignore`: {what} in it go {into}",
            f"add a `.dockerignore` at the root of the build context with at least these "
            f"lines: {ignore_lines}; or copy only what the image needs",
            whole,
        )
    secrets = ROOT_SECRETS if shipped else tuple(name for name in ROOT_SECRETS if name != ".git")
    leaked = [name for name in secrets if context.exists(name) and not context.is_excluded(name, excludes)]
    if not leaked:
        return None
    names = " and ".join(f"`{name}`" for name in leaked)
    lines = ", ".join(f"`{name}`" for name in leaked)
    return (
        f"`{keyword} {whole}` copies {names} from the build context {into}: "
        f"`.dockerignore` does not exclude {'them' if len(leaked) > 1 else 'it'}",
        f"add {lines} to `.dockerignore` (one a line)",
        whole,
    )
