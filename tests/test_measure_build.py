"""`dfslim measure` for real: podman and buildah build tests/fixtures/measure/Dockerfile
FROM a busybox base imported into an image store of the test's own, and dfslim's report,
exit status and clean-up are checked against what the layers must weigh.

Needs root, podman (to import the base; buildah is tested too when present) and a
statically linked busybox (Debian: busybox-static); without them the tests are skipped
and say why. No network: the base is made here and nothing is pulled. The store uses
the vfs driver and `BUILDAH_ISOLATION=chroot`, so builds work where containers cannot
run (a CI job inside a container). About half a minute per builder.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from conftest import FIXTURES

pytestmark = pytest.mark.slow

BASE = "localhost/dfslim-test-base:1"
BUSYBOX_TOOLS = ("sh", "ls", "rm", "mkdir", "dd", "chown", "echo", "cat", "sleep", "true")
BLOB_BYTES = 1_000_000
RUN_SECONDS = 300


def _static_busybox() -> str | None:
    path = shutil.which("busybox")
    if path is None:
        return None
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    return None if b"ld-linux" in head else path  # a dynamic busybox needs its libraries


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "building images needs root"
    if shutil.which("podman") is None:
        return "podman is not installed (apt-get install podman)"
    if _static_busybox() is None:
        return "no statically linked busybox to make the base image from (apt-get install busybox-static)"
    return None


def _base_rootfs(folder: Path) -> Path:
    """A root filesystem of busybox and its applets' links, as a tarball."""
    tarball = folder / "base.tar"
    with tarfile.open(tarball, "w") as tar:
        for name in ("bin", "tmp", "etc"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if name == "tmp" else 0o755
            tar.addfile(info)
        tar.add(_static_busybox(), "bin/busybox")
        for tool in BUSYBOX_TOOLS:
            info = tarfile.TarInfo(f"bin/{tool}")
            info.type, info.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(info)
    return tarball


def _run(command, env, timeout=RUN_SECONDS, cwd=None):
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The environment of an image store of the test's own, holding the base image."""
    why = _why_not()
    if why:
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("measure-store")
    config = folder / "storage.conf"
    config.write_text(f'[storage]\ndriver = "vfs"\ngraphroot = "{folder}/graph"\nrunroot = "{folder}/run"\n')
    env = dict(os.environ, CONTAINERS_STORAGE_CONF=str(config), BUILDAH_ISOLATION="chroot")
    env.pop("NO_COLOR", None)
    imported = _run(["podman", "import", "--change", 'CMD ["/bin/sh"]', str(_base_rootfs(folder)), BASE], env)
    if imported.returncode:
        pytest.skip(f"podman cannot import a base image here: {imported.stderr.strip()[-300:]}")
    yield env
    if shutil.which("buildah"):
        _run(["buildah", "rm", "--all"], env)
    _run(["podman", "rmi", "--all", "--force"], env)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def probed(store, tmp_path_factory):
    """Why each builder cannot build here (None: it can), found once per builder by a
    one-line build of its own."""
    found: dict[str, str | None] = {}

    def why_not(name: str) -> str | None:
        if name not in found:
            found[name] = _probe(name, store, tmp_path_factory.mktemp("probe"))
        return found[name]

    return why_not


def _probe(name: str, env, folder: Path) -> str | None:
    if shutil.which(name) is None:
        return f"{name} is not installed"
    (folder / "Dockerfile").write_text(f"FROM {BASE}\nRUN true\n")
    done = _run([name, "bud" if name == "buildah" else "build", "-t", "localhost/dfslim-probe:1", str(folder)], env)
    _run([name, "rmi", "localhost/dfslim-probe:1"], env)
    return f"{name} cannot build here: {done.stderr.strip().splitlines()[-1:]}" if done.returncode else None


@pytest.fixture
def builder(request, probed):
    """The builder a test names (`indirect` parametrization), when it can build here."""
    why = probed(request.param)
    if why:
        pytest.skip(why)
    return request.param


def on(name: str):
    return pytest.mark.parametrize("builder", [name], indirect=True)


def _images(env) -> set[str]:
    return set(_run(["podman", "images", "-a", "-q", "--no-trunc"], env).stdout.split())


def _containers(env) -> set[str]:
    return set(_run(["podman", "ps", "-a", "--external", "-q", "--no-trunc"], env).stdout.split())


def _context(tmp_path: Path, dockerfile: str | None = None) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "blob.bin").write_bytes(os.urandom(BLOB_BYTES))
    text = dockerfile if dockerfile is not None else (FIXTURES / "measure" / "Dockerfile").read_text(encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(text)
    return tmp_path / "Dockerfile"


def _measure(env, *args, timeout=RUN_SECONDS):
    return _run([sys.executable, "-m", "dfslim", "measure", *args], env, timeout=timeout)


def _row(document, rule):
    [row] = [row for row in document["measurements"] if any(f["rule"] == rule for f in row["findings"])]
    return row


@on("podman")
def test_both_builds_are_measured_and_nothing_is_left(store, builder, tmp_path):
    dockerfile = _context(tmp_path)
    images, containers = _images(store), _containers(store)
    done = _measure(store, "--builder", builder, "--unsafe-fixes", "--format", "json", str(dockerfile))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["builder"]["name"] == builder and document["layers_matched"]
    assert document["fixes"]["applied"] == {"DFS109": 1, "DFS202": 1}
    cleanup = _row(document, "DFS109")  # lines 6 and 8 became one RUN: the 2 MB file is gone
    assert cleanup["status"] == "measured" and 2_000_000 <= cleanup["measured_bytes"] <= 2_020_000
    assert "lines 6, 8 into line 6" in cleanup["note"]
    add = _row(document, "DFS202")  # ADD to COPY: the same bytes
    assert add["status"] == "measured" and abs(add["measured_bytes"]) < 10_000
    chown = _row(document, "DFS110")
    assert chown["status"] == "not-fixed" and chown["note"] == "no automatic fix" and chown["layer_bytes"] > BLOB_BYTES
    image = document["image"]
    assert image["saved_bytes"] == image["before_bytes"] - image["after_bytes"]
    assert 2_000_000 <= image["saved_bytes"] <= 2_030_000
    waste = {(item["written_by"]["line"], item["hidden_by"]["line"]): item for item in document["waste"]["before"]["items"]}
    assert waste[(3, 5)]["bytes"] == BLOB_BYTES and waste[(3, 5)]["explained_by"] == ["DFS110"]
    assert waste[(6, 8)]["bytes"] == 2_000_000 and waste[(6, 8)]["explained_by"] == ["DFS109"]
    assert document["waste"]["before"]["bytes"] == 3_000_000
    assert document["waste"]["after"]["bytes"] == BLOB_BYTES  # the chown is still there
    assert f"dfslim: building the Dockerfile as it is with {builder}" in done.stderr
    assert "dfslim:   step 4/7 RUN mkdir -p /opt/x" in done.stderr
    assert _images(store) == images and _containers(store) == containers


@on("buildah")
def test_the_text_report_and_nothing_is_left(store, builder, tmp_path):
    dockerfile = _context(tmp_path)
    images, containers = _images(store), _containers(store)
    done = _measure(store, "--builder", builder, str(dockerfile))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{dockerfile}: built as it is and with 1 fix (DFS202) by {builder} version ")
    assert any(line.split()[:3] == ["8", "DFS109", "cleanup-in-own-layer"] and "--unsafe-fixes" in line for line in lines)
    assert "  3.0 MB as it is, 3.0 MB with the fixes" in lines
    assert "     1.0 MB  line 3 COPY data /app/data  ->  line 5 RUN chown -R 1000:1000 /app  (DFS110)" in done.stdout
    assert f"dfslim: building the Dockerfile with the fixes with {builder}" in done.stderr
    assert _images(store) == images and _containers(store) == containers


@on("podman")
def test_a_failing_build_is_one_line_and_leaves_nothing(store, builder, tmp_path):
    dockerfile = _context(tmp_path, f"FROM {BASE}\nRUN echo one > /one\nRUN echo broken && exit 3\n")
    images = _images(store)
    done = _measure(store, "--builder", builder, "--verbose", str(dockerfile))
    assert done.returncode == 2 and done.stdout == ""
    [error] = [line for line in done.stderr.splitlines() if line.startswith("dfslim: error:")]
    assert f"dfslim: error: {dockerfile}: the build of the Dockerfile as it is failed (exit" in error
    assert "  | broken" in done.stderr  # --verbose: the builder's last lines
    assert _images(store) == images  # the layer of `RUN echo one` went too


def _own_temporary_folder(store, tmp_path: Path) -> tuple[dict, Path]:
    """The environment with a TMPDIR of the test's own, to see what a run leaves there."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return dict(store, TMPDIR=str(folder)), folder


@on("buildah")
def test_a_build_past_its_time_is_stopped_and_cleaned_up(store, builder, tmp_path):
    dockerfile = _context(tmp_path, f"FROM {BASE}\nRUN echo one > /one\nRUN sleep 120\n")
    images, containers = _images(store), _containers(store)
    env, temporary = _own_temporary_folder(store, tmp_path)
    started = time.monotonic()
    done = _measure(env, "--builder", builder, "--timeout", "5s", str(dockerfile), timeout=120)
    assert done.returncode == 2
    assert "did not finish within the time allowed (5 s; --timeout sets it)" in done.stderr
    assert time.monotonic() - started < 60
    assert _containers(store) == containers and _images(store) == images
    assert list(temporary.iterdir()) == []  # the run's folder went, with the stopped RUN's files


@pytest.mark.parametrize(("builder", "signal_number"), [("podman", signal.SIGINT), ("buildah", signal.SIGTERM)], ids=["ctrl-c", "sigterm"], indirect=["builder"])
def test_an_interrupted_run_cleans_up(store, builder, tmp_path, signal_number):
    dockerfile = _context(tmp_path, f"FROM {BASE}\nRUN echo one > /one\nRUN sleep 120\n")
    images, containers = _images(store), _containers(store)
    env, temporary = _own_temporary_folder(store, tmp_path)
    run = subprocess.Popen([sys.executable, "-m", "dfslim", "measure", "--builder", builder, str(dockerfile)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in run.stderr:  # wait until the builder sleeps
        if "step 3/3 RUN sleep 120" in line:
            break
    time.sleep(1)
    run.send_signal(signal_number)
    _out, err = run.communicate(timeout=120)
    assert run.returncode == 128 + signal_number
    assert "dfslim: interrupted; what the builds made was removed" in err
    assert _containers(store) == containers and _images(store) == images
    assert list(temporary.iterdir()) == []
