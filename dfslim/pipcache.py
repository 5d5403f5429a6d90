"""How much a pip download cache holds after installing given requirements.

pip keeps every file it downloads in its HTTP cache (`~/.cache/pip/http-v2`), so the
cache of an install weighs about the files of the requirements and of everything they
depend on. The sizes come from `dfslim/data/wheel_sizes.json.gz`, generated from PyPI's
JSON API by `bench/measure/gen_wheel_sizes.py` (the file pip picks for CPython 3.12 on
manylinux x86_64, and each package's `requires_dist`). A package the table does not have
counts as the table's typical (median) file, its dependencies unknown. The table is read
on first use only.
"""


from functools import lru_cache
import os
from typing import Iterable, NamedTuple

from dfslim.regex import lazy_compile

__all__ = ["CacheEstimate", "estimate", "typical_bytes", "requirement_names", "normalise"]

_DATA_FILE = "wheel_sizes.json.gz"
_SEPARATORS = lazy_compile(r"[-_.]+")
_NAME = lazy_compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class CacheEstimate(NamedTuple):
    bytes: int  # files of the known packages plus the typical figure per unknown one
    packages: tuple[str, ...]  # the known packages counted (requirements and dependencies)
    unknown: tuple[str, ...]  # requirements the table does not have


@lru_cache(maxsize=1)
def _table() -> dict:
    import json
    import zlib

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", _DATA_FILE)
    with open(path, "rb") as handle:  # zlib reads the gzip stream (31) without the gzip module's import
        return json.loads(zlib.decompress(handle.read(), 31))


def normalise(name: str) -> str:
    """PEP 503 name: `Flask_Login` -> `flask-login`."""
    return _SEPARATORS.sub("-", name).lower()


def typical_bytes() -> int:
    """The figure used for a package the table does not have (the table's median file)."""
    return int(_table()["_about"]["typical_bytes"])


def estimate(requirements: Iterable[str], installed: Iterable[str] = ()) -> CacheEstimate:
    """The cache of `pip install REQUIREMENTS` (names, normalised or not), each package
    of the dependency closure counted once; what is `installed` already (normalised
    names) is not downloaded, nor followed."""
    packages = _table()["packages"]
    seen: list[str] = []
    unknown: list[str] = []
    skipped = set(installed)
    queue = [normalise(name) for name in requirements]
    while queue:
        name = queue.pop(0)
        if name in seen or name in unknown or name in skipped:
            continue
        entry = packages.get(name)
        if entry is None:
            unknown.append(name)
            continue
        seen.append(name)
        queue.extend(entry[2])
    total = sum(packages[name][1] for name in seen) + typical_bytes() * len(unknown)
    return CacheEstimate(total, tuple(seen), tuple(unknown))


def requirement_names(text: str) -> list[str]:
    """The project names of a requirements file's text; options (`-r`, `-c`, `--hash`...),
    comments, URLs and local paths are left out."""
    names = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")) or "://" in line.split(";", 1)[0] or line.startswith((".", "/")):
            continue
        match = _NAME.match(line)
        if match:
            name = normalise(match.group(1))
            if name not in names:
                names.append(name)
    return names
