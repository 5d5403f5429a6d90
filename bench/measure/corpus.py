"""Which packages the Dockerfiles of a corpus install (apt and pip), counted per file.

Used by the generators of the package tables: they keep the packages people name plus
what those pull in, so the tables stay small. Parsing goes through dfslim itself.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from dfslim.parser import parse
from dfslim.tools import package_name, tool_call

# a plain distribution or PyPI name: no variables, paths, globs, URLs or local files
APT_NAME_RE = re.compile(r"[a-z0-9][a-z0-9+.-]+")
PIP_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
PIP_SPEC_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([<>=!~;@ ].*)?$")
PIP_INSTALL_OPTIONS_WITH_VALUE = frozenset(
    "-r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f --find-links "
    "-t --target --prefix --root --platform --python-version --implementation --abi --trusted-host "
    "--cache-dir --src --upgrade-strategy --progress-bar --log --proxy --retries --timeout --cert "
    "--client-cert --exists-action --global-option --config-settings -C".split()
)


def dockerfiles(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*.Dockerfile"))


def _commands(path: Path):
    try:
        dockerfile = parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
    except Exception:  # a corpus file dfslim cannot parse adds no names
        return
    for instruction in dockerfile.of("RUN"):
        yield from instruction.script.commands


def apt_name(text: str) -> str | None:
    name = package_name(text)
    return name if APT_NAME_RE.fullmatch(name) else None


def pip_name(text: str) -> str | None:
    """The normalised project name of a pip argument (`Flask[async]>=2` -> `flask`)."""
    text = text.strip().strip("'\"")
    match = PIP_SPEC_RE.match(text)
    if not match or text.endswith((".whl", ".tar.gz", ".zip")) or "/" in text or text in (".", ".."):
        return None
    return normalise(match.group(1))


def normalise(name: str) -> str:
    """PEP 503 normalisation: runs of `-`, `_`, `.` become one `-`, lower case."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_arguments(words) -> list[str]:
    """The requirement words of a `pip install` argv (after the subcommand)."""
    found, skip = [], False
    for word in words:
        text = word.text
        if skip:
            skip = False
            continue
        if text in PIP_INSTALL_OPTIONS_WITH_VALUE:
            skip = True
            continue
        if text.startswith("-"):
            continue
        found.append(text)
    return found


def installs(corpus: Path) -> dict[str, Counter]:
    """{'apt': Counter(name -> files naming it), 'pip': Counter(...)} over the corpus."""
    apt: Counter = Counter()
    pip: Counter = Counter()
    for path in dockerfiles(corpus):
        seen_apt, seen_pip = set(), set()
        for command in _commands(path):
            call = tool_call(command)
            if call is None or call.action != "install":
                continue
            if call.name == "apt":
                seen_apt.update(n for n in (apt_name(w.text) for w in call.packages) if n)
            elif call.name in ("pip", "uv pip"):
                words = call.words[call.index + 1 :]
                seen_pip.update(n for n in (pip_name(t) for t in pip_arguments(words)) if n)
        apt.update(seen_apt)
        pip.update(seen_pip)
    return {"apt": apt, "pip": pip}


def requirement_files(corpus: Path) -> list[Path]:
    """Requirements files that sit beside the corpus, if any (the corpus holds Dockerfiles)."""
    return sorted(p for p in corpus.rglob("requirements*.txt"))
