#!/usr/bin/env python3
"""Write dfslim/data/wheel_sizes.json.gz: wheel sizes of often-installed PyPI packages.

    python bench/measure/gen_wheel_sizes.py [--corpus DIR] [--min-files 3]

Reads PyPI's JSON API (https://pypi.org/pypi/<name>/json) for the packages that pip
installs name in at least --min-files Dockerfiles of the corpus, plus the usual heavy
ones, and, following their `requires_dist` (extras left out, environment markers
evaluated for CPython 3.12 on Linux x86_64), what they depend on. For each it keeps the
latest version, the size of the file pip would download for that target (a
manylinux/any wheel; the sdist when there is no wheel) and the dependency names. The
lookups stay at a few hundred names, once per run.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import re
import statistics
import sys
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

OUT = REPO / "dfslim" / "data" / "wheel_sizes.json.gz"
CORPUS = REPO.parent / "shared" / "corpus" / "files"
HEAVY = ("numpy", "pandas", "scipy", "scikit-learn", "torch", "torchvision", "tensorflow", "matplotlib",
         "opencv-python", "pyarrow", "transformers", "django", "flask", "requests", "fastapi", "boto3")
# pip, setuptools and wheel come with the image: as a dependency they are not downloaded
# again, but named (`pip install --upgrade pip`) they are, and their wheel is the cache
SKIP = frozenset({"pip", "setuptools", "wheel"})
TARGET = {"python_version": "3.12", "python_full_version": "3.12.8", "sys_platform": "linux",
          "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
          "implementation_name": "cpython", "platform_python_implementation": "CPython"}
MARKER_ATOM_RE = re.compile(r"""(\w+)\s*(==|!=|<=|>=|<|>|~=|not in|in)\s*["']([^"']*)["']|["']([^"']*)["']\s*(==|!=|in|not in)\s*(\w+)""")
WHEEL_TAG_RE = re.compile(r"-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)\.whl$")


def _version(text: str) -> tuple:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _atom(variable: str, op: str, value: str) -> bool:
    if variable == "extra":
        return False  # requirements of extras are not installed by a plain `pip install name`
    actual = TARGET.get(variable, "")
    if variable.endswith("version") and op in ("<", "<=", ">", ">=", "==", "!=", "~="):
        left, right = _version(actual), _version(value)
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
                "==": left[: len(right)] == right, "!=": left[: len(right)] != right, "~=": left >= right}[op]
    return {"==": actual == value, "!=": actual != value, "in": actual in value, "not in": actual not in value}.get(op, True)


def marker_holds(marker: str) -> bool:
    """Evaluate a PEP 508 marker for the target; `extra == ...` is false."""
    def replace(match):
        if match.group(1):
            return str(_atom(match.group(1), match.group(2), match.group(3)))
        return str(_atom(match.group(6), {"in": "in", "not in": "not in"}.get(match.group(5), match.group(5)), match.group(4)))

    expression = MARKER_ATOM_RE.sub(replace, marker)
    if not re.fullmatch(r"[\s()]*((True|False)[\s()]*((and|or)[\s()]*)?)*", expression):
        return True  # a marker this reader does not know: keep the dependency
    return bool(eval(expression, {"__builtins__": {}}))  # only True/False/and/or/parentheses remain


def dependencies(requires_dist) -> list[str]:
    found = []
    for requirement in requires_dist or ():
        spec, _, marker = requirement.partition(";")
        if marker and not marker_holds(marker):
            continue
        name = corpus.pip_name(re.split(r"[\s(\[<>=!~;@]", spec.strip(), maxsplit=1)[0])
        if name and name not in SKIP and name not in found:
            found.append(name)
    return found


def _wheel_fits(filename: str) -> int:
    """How well a wheel suits CPython 3.12 on manylinux x86_64: 0 not at all, higher better."""
    match = WHEEL_TAG_RE.search(filename)
    if not match:
        return 0
    py, abi, plat = match.group("py"), match.group("abi"), match.group("plat")
    platform_ok = plat == "any" or ("x86_64" in plat and ("manylinux" in plat or plat.startswith("linux")))
    if not platform_ok or "musllinux" in plat:
        return 0
    if "cp312" in py.split("."):
        return 3
    if abi == "abi3" or (abi == "none" and (py.startswith("py3") or "py3" in py.split("."))):
        return 2 if plat != "any" else 1
    return 0


def pick_file(files: list[dict]) -> dict | None:
    wheels = [(f, _wheel_fits(f["filename"])) for f in files if f.get("packagetype") == "bdist_wheel"]
    wheels = [(f, score) for f, score in wheels if score]
    if wheels:
        return max(wheels, key=lambda pair: (pair[1], pair[0]["filename"]))[0]
    sdists = [f for f in files if f.get("packagetype") == "sdist"]
    return sdists[0] if sdists else None


def lookup(name: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as response:
            return json.load(response)
    except (urllib.error.HTTPError, urllib.error.URLError, TimeoutError):
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--min-files", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    named = corpus.installs(args.corpus)["pip"]
    roots = [n for n, count in named.most_common() if count >= args.min_files]
    roots += [n for n in HEAVY + tuple(sorted(SKIP)) if n not in roots]
    table, missing, queue = {}, [], list(roots)
    while queue:
        name = queue.pop(0)
        if name in table or name in missing:
            continue
        data = lookup(name)
        chosen = pick_file(data.get("urls", [])) if data else None
        if chosen is None:
            missing.append(name)
            continue
        deps = dependencies(data["info"].get("requires_dist"))
        table[name] = [data["info"]["version"], int(chosen["size"]), deps, chosen["packagetype"] == "sdist"]
        queue.extend(d for d in deps if d not in table)
        print(f"  {name} {data['info']['version']}: {chosen['size']} B ({chosen['filename']})", file=sys.stderr)
    sizes = sorted(entry[1] for entry in table.values())
    typical = int(statistics.median(sizes))
    about = {
        "what": "[latest version, bytes of the file pip downloads for CPython 3.12 on manylinux x86_64 (sdist "
                "when no wheel fits), dependency names from requires_dist (no extras, markers evaluated), "
                "from an sdist]",
        "source": "https://pypi.org/pypi/<name>/json",
        "date": datetime.date.today().isoformat(),
        "roots": f"pip installs named in at least {args.min_files} corpus Dockerfiles, plus {', '.join(HEAVY + tuple(sorted(SKIP)))}",
        "typical_bytes": typical,
        "typical_means": f"median file size of the {len(sizes)} packages in the table: the figure used for a "
                         "package the table does not have",
        "not_found": missing,
    }
    data = json.dumps({"_about": about, "packages": table}, separators=(",", ":"), sort_keys=True).encode()
    args.out.write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"wrote {args.out}: {len(table)} packages, {args.out.stat().st_size} bytes; typical {typical} B", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
