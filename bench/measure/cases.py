"""The measured cases: a Dockerfile with one finding and the same file fixed.

`finding` names its base as `{base}`. The fixed file is what `dfslim lint --fix
--unsafe-fixes --select RULE` makes of it, unless the rule has no automatic fix: then
`fixed` spells the remedy its documentation suggests. Each case names the savings.json
key its measurement stands for.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable, NamedTuple


class Case(NamedTuple):
    id: str
    rule: str
    base: str
    key: str
    finding: str
    fixed: str | None = None  # None: dfslim's own fix
    context: Callable[[Path], None] | None = None  # writes extra build-context files
    packages: tuple[str, ...] = ()  # what the case installs, for the estimates
    probe: str | None = None  # a path whose size in the finding image is recorded


APT_LISTS = "/var/lib/apt/lists"
RECOMMENDS_PACKAGES = ("curl", "git", "wget", "gnupg")
RECOMMENDS_BASES = (
    "debian-bookworm", "debian-bookworm-slim", "python-bookworm-slim", "debian-bullseye-slim", "debian-trixie-slim",
)
LISTS_BASES = ("debian-bookworm", "debian-bookworm-slim", "python-bookworm-slim", "debian-bullseye-slim", "debian-trixie-slim")
COPY_FILES, COPY_FILE_BYTES = 42, 1_000_000


def _release(base: str) -> str:
    return next(word for word in ("bookworm", "bullseye", "trixie") if word in base)


def _apt_lists(base: str) -> Case:
    return Case(
        f"apt-lists-{base}", "DFS103", base, f"apt-lists:debian:{_release(base)}:{base}",
        "FROM {base}\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates\n",
        probe=APT_LISTS,
    )


def _recommends(base: str, packages: tuple[str, ...]) -> Case:
    names = " ".join(packages)
    return Case(
        f"recommends-{'-'.join(packages)}-{base}", "DFS104", base, f"apt-recommends:{'+'.join(packages)}:{base}",
        f"FROM {{base}}\nRUN apt-get update && apt-get install -y {names} && rm -rf /var/lib/apt/lists/*\n",
        packages=packages,
    )


def _build_tools(base: str, packages: tuple[str, ...]) -> Case:
    names = " ".join(packages)
    install = f"apt-get update && apt-get install -y --no-install-recommends {names}"
    # an image that runs an app (DFS112 leaves build environments alone)
    command = 'CMD ["python3", "app.py"]\n'
    return Case(
        f"build-tools-{'-'.join(packages)}-{base}", "DFS112", base, f"build-tools:{'+'.join(packages)}:{base}",
        f"FROM {{base}}\nRUN {install} && rm -rf /var/lib/apt/lists/*\n{command}",
        # DFS112 has no automatic fix; its documented remedy in one RUN is the purge
        f"FROM {{base}}\nRUN {install} && apt-get purge -y --auto-remove {names} && rm -rf /var/lib/apt/lists/*\n{command}",
        packages=packages,
    )


def _lastlog(base: str) -> Case:
    return Case(
        f"useradd-lastlog-{base}", "DFS114", base, f"lastlog:uid-100000:{base}",
        "FROM {base}\nRUN useradd -u 100000 -m app\n",
        probe="/var/log/lastlog",
    )


def write_copy_context(folder: Path) -> None:
    """42 files of 1,000,000 random bytes (incompressible, fixed seed) in data/."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    generator = random.Random(110)
    for index in range(COPY_FILES):
        (data / f"blob{index:02d}.bin").write_bytes(generator.randbytes(COPY_FILE_BYTES))


def _chown(base: str) -> Case:
    return Case(
        f"chown-after-copy-{base}", "DFS110", base, f"chown-after-copy:copy-42mb:{base}",
        "FROM {base}\nCOPY data /app/data\nRUN chown -R 1000:1000 /app\n",
        # DFS110 has no automatic fix; its suggestion is COPY --chown
        "FROM {base}\nCOPY --chown=1000:1000 data /app/data\n",
        context=write_copy_context,
    )


def _pip(requirements: tuple[str, ...]) -> Case:
    names = " ".join(requirements)
    return Case(
        f"pip-cache-{'-'.join(requirements)}", "DFS105", "python-venv-bookworm", f"pip-cache:{'+'.join(requirements)}",
        f"FROM {{base}}\nRUN pip install {names}\n",
        packages=requirements,
        probe="/root/.cache/pip",
    )


def _npm(packages: tuple[str, ...]) -> Case:
    names = " ".join(packages)
    return Case(
        f"npm-cache-{'-'.join(packages)}", "DFS108", "node-bookworm-slim", f"npm-cache:{'+'.join(packages)}",
        f"FROM {{base}}\nWORKDIR /app\nRUN npm install {names}\n",
        packages=packages,
        probe="/root/.npm",
    )


PIP_SETS = (("flask",), ("requests",), ("numpy", "pandas"), ("scikit-learn",))
NPM_SETS = (("express",),)


def all_cases() -> list[Case]:
    cases = [_apt_lists(base) for base in LISTS_BASES]
    cases += [_recommends(base, (package,)) for base in RECOMMENDS_BASES for package in RECOMMENDS_PACKAGES]
    cases.append(_recommends("debian-bookworm-slim", ("python3-pip",)))
    cases += [_build_tools(base, ("build-essential",)) for base in ("debian-bookworm-slim", "python-bookworm-slim", "debian-bullseye-slim")]
    cases += [_build_tools(base, ("gcc", "python3-dev", "libpq-dev")) for base in ("debian-bookworm-slim", "python-bookworm-slim")]
    cases += [_lastlog(base) for base in ("debian-bookworm-slim", "debian-bullseye-slim")]
    cases.append(_chown("debian-bookworm-slim"))
    cases += [_pip(requirements) for requirements in PIP_SETS]
    cases += [_npm(packages) for packages in NPM_SETS]
    return cases


def pip_requirements() -> list[str]:
    """Every requirement the pip cases install (the local index must hold their closure)."""
    return sorted({name for requirements in PIP_SETS for name in requirements})
