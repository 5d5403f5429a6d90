#!/usr/bin/env python3
"""Build pairs of Dockerfiles (with a finding, and fixed) and record what each layer weighs.

    python bench/measure/measure.py [--work DIR] [--only SUBSTRING] [--out FILE]

Run as root on a Debian or Ubuntu machine with mmdebstrap, buildah and podman
(`apt-get install mmdebstrap buildah podman`); it checks for them first. It makes the
base root filesystems with mmdebstrap, imports them with `podman import`, builds each
case twice with `buildah bud --layers --isolation chroot` on vfs storage of its own
(under --work), reads the layer sizes from `podman history --format json`, removes the
images after each case and writes the results with their provenance to
dfslim/data/measurements.json. Never part of the test suite: it needs root, the network
and about half an hour.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import bases as base_defs  # noqa: E402
import cases as case_defs  # noqa: E402
from pyindex import LocalIndex, make_certificates  # noqa: E402

TOOLS = {"mmdebstrap": "mmdebstrap", "buildah": "buildah", "podman": "podman", "openssl": "openssl"}
INDEX_PORT = 39443
MACHINE_CA = Path("/etc/ssl/certs/ca-certificates.crt")
DEFAULT_OUT = REPO / "dfslim" / "data" / "measurements.json"
IMAGE_PREFIX = "localhost/dfslim-measure"


def missing_tools() -> list[str]:
    """The tools that are not installed, each with the package that brings it."""
    return [f"{tool} (apt-get install {package})" for tool, package in TOOLS.items() if shutil.which(tool) is None]


class Store:
    """podman and buildah on a vfs image store of the harness's own."""

    def __init__(self, work: Path, log):
        self.root, self.runroot = work / "storage", work / "runroot"
        self.log = log

    def _global(self) -> list[str]:
        return ["--root", str(self.root), "--runroot", str(self.runroot), "--storage-driver", "vfs"]

    def run(self, tool: str, *args: str, cwd: Path | None = None) -> str:
        command = [tool, *self._global(), *args]
        self.log.write("$ " + " ".join(command) + "\n")
        self.log.flush()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        self.log.write(done.stdout[-20000:] + done.stderr[-20000:])
        if done.returncode:
            raise RuntimeError(f"{tool} {args[0]} failed (exit {done.returncode}): {done.stderr.strip()[-400:]}")
        return done.stdout

    def import_tarball(self, tarball: Path, image: str, env: tuple[str, ...]) -> None:
        changes = [arg for value in env for arg in ("--change", f"ENV {value}")]
        changes += ["--change", 'CMD ["bash"]']
        self.run("podman", "import", *changes, str(tarball), image)

    def build(self, dockerfile: str, context: Path, image: str) -> None:
        (context / "Dockerfile").write_text(dockerfile, encoding="utf-8")
        self.run("buildah", "bud", "--layers", "--isolation", "chroot", "--pull=never", "--network", "host",
                 "-f", str(context / "Dockerfile"), "-t", image, str(context))

    def history(self, image: str) -> list[dict]:
        """The image's layers, oldest first: {created_by, bytes}."""
        entries = json.loads(self.run("podman", "history", "--format", "json", image))
        return [{"created_by": e.get("CreatedBy") or e.get("createdBy") or "", "bytes": int(e.get("size", 0))}
                for e in reversed(entries)]

    def exists(self, image: str) -> bool:
        try:
            self.run("podman", "image", "exists", image)
            return True
        except RuntimeError:
            return False

    def mounted(self, image: str) -> Path:
        return Path(self.run("podman", "image", "mount", image).strip())

    def unmount(self, image: str) -> None:
        self.run("podman", "image", "unmount", image)

    def remove(self, *images: str) -> None:
        for image in images:
            if self.exists(image):
                self.run("podman", "rmi", "-f", image)
        self.run("podman", "image", "prune", "-f")


def tree_bytes(path: Path) -> int | None:
    """Apparent size of a file or folder (what a layer tarball stores), None if absent."""
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, dirs, files in os.walk(path):
        for name in files + dirs:
            total += os.lstat(os.path.join(root, name)).st_size
    return total


def dpkg_status(root: Path) -> dict[str, str]:
    """{package: version} of the installed packages of a mounted image."""
    found, name, version, installed = {}, None, None, False
    status = root / "var/lib/dpkg/status"
    if not status.exists():
        return found
    for line in status.read_text(encoding="utf-8", errors="replace").splitlines() + [""]:
        if not line:
            if name and installed:
                found[name] = version
            name, version, installed = None, None, False
        elif line.startswith("Package: "):
            name = line[9:].strip()
        elif line.startswith("Version: "):
            version = line[9:].strip()
        elif line.startswith("Status: "):
            installed = line.endswith(" installed")
    return found


def debconf_bytes(root: Path) -> int:
    """Bytes of the debconf database files that configuring a package which asks debconf
    rewrites (templates.dat and config.dat; each rewrite also keeps the previous file as
    *-old)."""
    folder = root / "var/cache/debconf"
    return sum((folder / name).stat().st_size for name in ("templates.dat", "config.dat") if (folder / name).exists())


def python_distributions(root: Path) -> dict[str, str]:
    found = {}
    for meta in root.glob("opt/venv/lib/python3*/site-packages/*.dist-info"):
        name, _, version = meta.name[: -len(".dist-info")].partition("-")
        found[name.lower().replace("_", "-")] = version
    return found


def node_packages(root: Path) -> dict[str, str]:
    lock = root / "app/package-lock.json"
    if not lock.exists():
        return {}
    packages = json.loads(lock.read_text(encoding="utf-8")).get("packages", {})
    return {path.split("node_modules/")[-1]: info.get("version", "") for path, info in packages.items() if path}


def dfslim_finding(text: str, rule: str, work: Path) -> tuple[int | None, str | None, bool]:
    """(savings_bytes dfslim reports today, the fixed text, whether it reports `rule` at
    all) for `rule` in `text`."""
    dfslim = Path(sys.executable).with_name("dfslim")
    command = [str(dfslim) if dfslim.exists() else "dfslim"]
    path = work / "lint" / "Dockerfile"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    report = subprocess.run(command + ["lint", "--format", "json", "--select", rule, "--fail-level", "none", str(path)],
                            capture_output=True, text=True, cwd=path.parent)
    findings = [f for f in json.loads(report.stdout)["findings"] if f["rule"] == rule]
    if not findings:
        return None, None, False
    estimate = findings[0].get("savings_bytes")
    subprocess.run(command + ["lint", "--fix", "--unsafe-fixes", "--select", rule, "--fail-level", "none", str(path)],
                   capture_output=True, text=True, cwd=path.parent)
    fixed = path.read_text(encoding="utf-8")
    return estimate, (fixed if fixed != text else None), True


def image_of(name: str) -> str:
    return f"{IMAGE_PREFIX}/{name}:base"


def tool_versions() -> dict[str, str]:
    versions = {}
    for tool in ("mmdebstrap", "buildah", "podman"):
        done = subprocess.run([tool, "--version"], capture_output=True, text=True)
        versions[tool] = done.stdout.strip().splitlines()[0] if done.stdout else "unknown"
    import dfslim

    versions["dfslim"] = dfslim.__version__
    versions["kernel"] = platform.release()
    versions["machine"] = platform.machine()
    return versions


class Harness:
    def __init__(self, work: Path, only: str | None):
        self.work = work
        self.only = only
        work.mkdir(parents=True, exist_ok=True)
        self.log = open(work / "harness.log", "a", encoding="utf-8")
        self.store = Store(work, self.log)
        self.bases: dict[str, dict] = {}
        self.failed: list[str] = []
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[{elapsed / 60:5.1f} min] {text}", flush=True)
        self.log.write(f"## {text}\n")

    # ---------------------------------------------------------------- bases

    def rootfs(self, base) -> None:
        tarball = self.work / "rootfs" / f"{base.name}.tar"
        tarball.parent.mkdir(exist_ok=True)
        started = time.monotonic()
        if not tarball.exists():
            self.say(f"mmdebstrap {base.name} ({base.suite}{', slim' if base.slim else ''})")
            command = base_defs.mmdebstrap_command(base, str(tarball) + ".part")
            self.log.write("$ " + " ".join(command) + "\n")
            done = subprocess.run(command, capture_output=True, text=True)
            self.log.write(done.stdout + done.stderr)
            if done.returncode:
                raise RuntimeError(f"mmdebstrap {base.name} failed: {done.stderr.strip()[-400:]}")
            os.replace(str(tarball) + ".part", tarball)
        image = image_of(base.name)
        if not self.store.exists(image):
            self.store.import_tarball(tarball, image, base.env)
        self.bases[base.name] = self._describe(image, base.lint_image, f"mmdebstrap {base.suite}", started)

    def derived(self, base, index_url: str, ca: Path) -> None:
        started = time.monotonic()
        image = image_of(base.name)
        if not self.store.exists(image):
            self.say(f"build {base.name} from {base.parent}")
            context = Path(tempfile.mkdtemp(dir=self.work))
            shutil.copy(ca, context / "local-ca.crt")
            shutil.copy(MACHINE_CA, context / "machine-ca.crt")
            text = base.dockerfile.format(parent=image_of(base.parent), index=index_url)
            self.store.build(text, context, image)
            shutil.rmtree(context)
        self.bases[base.name] = self._describe(image, base.lint_image, f"built from {base.parent}", started)

    def _describe(self, image: str, lint_image: str, how: str, started: float) -> dict:
        layers = self.store.history(image)
        root = self.store.mounted(image)
        try:
            packages = dpkg_status(root)
            os_release = (root / "etc/os-release").read_text(encoding="utf-8") if (root / "etc/os-release").exists() else ""
            python = python_distributions(root)
            debconf = debconf_bytes(root)
        finally:
            self.store.unmount(image)
        pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)', os_release, re.M)
        return {
            "stands_for": lint_image, "how": how, "os": pretty.group(1) if pretty else None,
            "layers": layers, "bytes": sum(layer["bytes"] for layer in layers),
            "packages": packages, "python_distributions": python or None, "debconf_bytes": debconf,
            "seconds": round(time.monotonic() - started, 1),
        }

    # ---------------------------------------------------------------- cases

    def case(self, case, number: int, total: int) -> dict:
        base = self.bases[case.base]
        lint_text = case.finding.format(base=base["stands_for"])
        estimate, fixed_by_dfslim, reported = dfslim_finding(lint_text, case.rule, self.work)
        fixed_lint = case.fixed.format(base=base["stands_for"]) if case.fixed else fixed_by_dfslim
        if fixed_lint is None:
            raise RuntimeError(f"{case.id}: dfslim has no fix for {case.rule} and the case gives none")
        local = image_of(case.base)
        texts = {"finding": case.finding.format(base=local), "fixed": fixed_lint.replace(base["stands_for"], local, 1)}
        result = {
            "id": case.id, "rule": case.rule, "base": case.base, "key": case.key,
            "packages": list(case.packages), "dockerfile": lint_text, "dockerfile_fixed": fixed_lint,
            "fix": "dfslim" if case.fixed is None else "documented remedy",
            "dfslim_reports": reported, "estimate_bytes_at_run": estimate,
        }
        context = Path(tempfile.mkdtemp(dir=self.work))
        try:
            if case.context:
                case.context(context)
            for variant in ("finding", "fixed"):
                self.say(f"[{number}/{total}] {case.id}: {variant}")
                started = time.monotonic()
                image = f"{IMAGE_PREFIX}/case:{variant}"
                self.store.build(texts[variant], context, image)
                layers = self.store.history(image)[len(base["layers"]):]
                result[variant] = {"layers": layers, "bytes": sum(layer["bytes"] for layer in layers),
                                   "seconds": round(time.monotonic() - started, 1)}
                if variant == "finding":
                    result.update(self._inspect(image, case, base))
            result["measured_bytes"] = result["finding"]["bytes"] - result["fixed"]["bytes"]
        finally:
            self.store.remove(f"{IMAGE_PREFIX}/case:finding", f"{IMAGE_PREFIX}/case:fixed")
            shutil.rmtree(context, ignore_errors=True)
        shown = f"{estimate / 1e6:.1f} MB" if estimate is not None else "none"
        self.say(f"[{number}/{total}] {case.id}: measured {result['measured_bytes'] / 1e6:.2f} MB, dfslim says {shown}")
        return result

    def _inspect(self, image: str, case, base: dict) -> dict:
        root = self.store.mounted(image)
        try:
            found = {}
            if case.probe:
                found["probe"] = {"path": case.probe, "bytes": tree_bytes(root / case.probe.lstrip("/"))}
            packages = dpkg_status(root)
            added = {name: version for name, version in packages.items() if base["packages"].get(name) != version}
            if added:
                found["installed"] = dict(sorted(added.items()))
            if case.rule == "DFS105":
                found["installed"] = {k: v for k, v in sorted(python_distributions(root).items())
                                      if k not in (base["python_distributions"] or {})}
            if case.rule == "DFS108":
                found["installed"] = dict(sorted(node_packages(root).items()))
            return found
        finally:
            self.store.unmount(image)

    # ---------------------------------------------------------------- run

    def _partial(self) -> dict[str, dict]:
        """Cases measured by an interrupted run (same working folder), by id."""
        path = self.work / "partial.json"
        if not path.exists():
            return {}
        return {case["id"]: case for case in json.loads(path.read_text(encoding="utf-8"))}

    def _save_partial(self, results: list[dict]) -> None:
        (self.work / "partial.json").write_text(json.dumps(results), encoding="utf-8")

    def wheels(self) -> Path:
        """The wheels the pip cases install, with their dependencies, and pip itself."""
        folder = self.work / "wheels"
        if not folder.exists() or not any(folder.iterdir()):
            self.say("pip download the wheels of the pip cases")
            folder.mkdir(exist_ok=True)
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--isolated", "--disable-pip-version-check", "--cert",
                 str(MACHINE_CA), "--only-binary=:all:", "--dest", str(folder), "pip", *case_defs.pip_requirements()],
                check=True, capture_output=True,
            )
        return folder

    def run(self, out: Path) -> dict:
        cases = [c for c in case_defs.all_cases() if not self.only or self.only in c.id]
        needed = {c.base for c in cases}
        for derived in base_defs.DERIVED_BASES:
            if derived.name in needed:
                needed.add(derived.parent)
        started_at = datetime.datetime.now(datetime.timezone.utc)
        ca, _crt, _key = make_certificates(self.work / "certs")
        with LocalIndex(self.wheels(), self.work / "certs", INDEX_PORT) as index_url:
            for base in base_defs.ROOTFS_BASES:
                if base.name in needed:
                    self.rootfs(base)
            for base in base_defs.DERIVED_BASES:
                if base.name in needed:
                    self.derived(base, index_url, ca)
            results = []
            done = self._partial()
            for number, case in enumerate(cases, 1):
                previous = done.get(case.id)
                if previous and previous["dockerfile"] == case.finding.format(base=self.bases[case.base]["stands_for"]):
                    self.say(f"[{number}/{len(cases)}] {case.id}: kept from this run's partial results")
                    results.append(previous)
                    continue
                try:
                    results.append(self.case(case, number, len(cases)))
                except RuntimeError as error:  # one failed case does not lose the others
                    self.say(f"[{number}/{len(cases)}] {case.id}: FAILED {error}")
                    self.failed.append(case.id)
                self._save_partial(results)
        wall = time.monotonic() - self.started
        data = {
            "_about": {
                "what": "Layer bytes of Dockerfile pairs (a finding, and the same file fixed) built by "
                        "bench/measure/measure.py; measured_bytes = bytes of the finding's layers above the base "
                        "minus those of the fixed file.",
                "units": "bytes as podman history reports them (uncompressed layer size), SI units",
                "how_to_update": "sudo .venv/bin/python bench/measure/measure.py, then "
                                 "python bench/measure/gen_savings.py",
            },
            "date": started_at.strftime("%Y-%m-%d"),
            "started": started_at.isoformat(timespec="seconds"),
            "wall_seconds": round(wall, 1),
            "tools": tool_versions(),
            "python_slim_packages_from": base_defs.PYTHON_SLIM_SOURCE,
            "bases": self.bases,
            "cases": results,
            "failed": self.failed,
        }
        out.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
        (self.work / "partial.json").unlink(missing_ok=True)
        self.say(f"wrote {out} ({len(results)} cases, {len(self.failed)} failed, {wall / 60:.1f} min)")
        return data


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/var/tmp/dfslim-measure"),
                        help="working folder: rootfs tarballs, image store, log (default %(default)s)")
    parser.add_argument("--only", help="run only the cases whose id contains this text")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (default %(default)s)")
    parser.add_argument("--clean", action="store_true", help="remove the working folder's image store when done")
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        print("measure: missing " + ", ".join(missing), file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("measure: run as root (mmdebstrap and buildah's chroot isolation need it)", file=sys.stderr)
        return 2
    harness = Harness(args.work, args.only)
    try:
        if harness.run(args.out)["failed"]:
            return 1
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"measure: {error} (log: {args.work / 'harness.log'})", file=sys.stderr)
        return 1
    finally:
        if args.clean:
            harness.store.run("podman", "system", "reset", "--force")
    return 0


if __name__ == "__main__":
    sys.exit(main())
