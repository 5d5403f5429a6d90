"""`dfslim measure`, its pure parts: reading exported images, cross-layer waste, pairing
layers with instructions and fixes, the builders' command lines, detection, progress,
the report. No builder runs here (tests/test_measure_build.py builds for real)."""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from collections import Counter

import pytest
from click.testing import CliRunner

from dfslim.cli import main, parse_duration
from dfslim.config import Settings
from dfslim.fixer import fix_text
from dfslim.linter import lint
from dfslim.measure.archive import DIRECTORY, FILE, OPAQUE, OTHER, WHITEOUT, Entry, HistoryStep, Image, Layer, entry_of, history_steps, read_image, read_layer
from dfslim.measure.builders import Builder, built_ids, detect, is_build_container, made_by_build, parse_containers, parse_ids
from dfslim.measure.command import _rows, _waste_lines
from dfslim.measure.matching import align, built_stages
from dfslim.measure.progress import Progress, step_of
from dfslim.measure.session import mounts_below
from dfslim.measure.report import render_json, render_text, size
from dfslim.measure.results import Built, Measurement
from dfslim.measure.waste import cross_layer_waste
from dfslim.parser import parse

MB = 10**6


# ------------------------------------------------------------------ layer tarballs


def layer_tar(members, compress: bool = False) -> bytes:
    """A layer tarball: `members` are (name, bytes) for files, (name, None) for folders,
    (name, "->target") for symlinks."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content[2:]
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    data = buffer.getvalue()
    return gzip.compress(data) if compress else data


def test_entries_name_paths_whiteouts_and_opaque_folders():
    def info(name, kind=tarfile.REGTYPE, size=0):
        member = tarfile.TarInfo(name)
        member.type, member.size = kind, size
        return member

    assert entry_of(info("./usr/bin/tool", size=7)) == Entry("usr/bin/tool", FILE, 7)
    assert entry_of(info("/etc/", tarfile.DIRTYPE)) == Entry("etc", DIRECTORY)
    assert entry_of(info("var/lib/apt/lists/.wh.lock")) == Entry("var/lib/apt/lists/lock", WHITEOUT)
    assert entry_of(info("opt/x/.wh..wh..opq")) == Entry("opt/x", OPAQUE)
    assert entry_of(info(".wh.tmp")) == Entry("tmp", WHITEOUT)
    assert entry_of(info("bin/sh", tarfile.SYMTYPE)) == Entry("bin/sh", OTHER)
    assert entry_of(info("./", tarfile.DIRTYPE)) is None
    assert entry_of(info(".wh..wh.plnk", tarfile.DIRTYPE)) is None  # aufs's own bookkeeping


@pytest.mark.parametrize("compress", [False, True])
def test_a_layer_is_read_once_with_its_uncompressed_size(compress):
    members = [("app", None), ("app/a.bin", b"x" * 3000), ("app/link", "->a.bin")]
    raw = layer_tar(members)
    layer = read_layer(io.BufferedReader(io.BytesIO(layer_tar(members, compress))))
    assert layer.bytes == len(raw)
    assert layer.entries == (Entry("app", DIRECTORY), Entry("app/a.bin", FILE, 3000), Entry("app/link", OTHER))


def test_history_entries_point_at_their_layers():
    config = {"history": [
        {"created_by": "ADD file:abc in /"},
        {"created_by": "ENV A=b", "empty_layer": True},
        {"created_by": "RUN make"},
    ]}
    assert history_steps(config, 2) == (HistoryStep("ADD file:abc in /", 0), HistoryStep("ENV A=b", None), HistoryStep("RUN make", 1))
    assert history_steps({}, 2) == (HistoryStep("", 0), HistoryStep("", 1))


def _archive(tmp_path, layout: str) -> str:
    layers = [layer_tar([("etc", None), ("etc/os", b"one")]), layer_tar([("etc/.wh.os", b"")])]
    config = json.dumps({"history": [{"created_by": "ADD base"}, {"created_by": "CMD x", "empty_layer": True}, {"created_by": "RUN rm /etc/os"}]}).encode()
    members = {}
    if layout == "docker":
        members["config.json"] = config
        for number, data in enumerate(layers):
            members[f"layer{number}.tar"] = data
        members["manifest.json"] = json.dumps([{"Config": "config.json", "Layers": ["layer0.tar", "layer1.tar"]}]).encode()
    else:
        import hashlib

        def blob(data):
            digest = hashlib.sha256(data).hexdigest()
            members[f"blobs/sha256/{digest}"] = data
            return f"sha256:{digest}"

        manifest = json.dumps({"config": {"digest": blob(config)}, "layers": [{"digest": blob(gzip.compress(data))} for data in layers]}).encode()
        members["index.json"] = json.dumps({"manifests": [{"digest": blob(manifest)}]}).encode()
    path = tmp_path / f"{layout}.tar"
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return str(path), layers


@pytest.mark.parametrize("layout", ["docker", "oci"])
def test_exported_images_of_both_layouts_are_read(tmp_path, layout):
    path, layers = _archive(tmp_path, layout)
    image = read_image(path)
    assert [step.layer for step in image.history] == [0, None, 1]
    assert image.bytes == sum(len(data) for data in layers)
    assert image.layers[1].entries == (Entry("etc/os", WHITEOUT),)


# ------------------------------------------------------------------ waste


def _pairs(layers):
    return {(w.writer, w.hider): (w.bytes, w.files) for w in cross_layer_waste(layers)}


def test_an_overwritten_file_is_charged_to_the_layer_that_wrote_it():
    layers = [
        [Entry("app", DIRECTORY), Entry("app/a", FILE, 400), Entry("app/b", FILE, 600)],  # COPY
        [Entry("app", DIRECTORY), Entry("app/a", FILE, 400), Entry("app/b", FILE, 600)],  # chown -R
    ]
    assert _pairs(layers) == {(0, 1): (1000, 2)}


def test_whiteouts_hide_files_and_whole_folders():
    layers = [
        [Entry("opt/x", DIRECTORY), Entry("opt/x/big", FILE, 5000), Entry("opt/x/sub/small", FILE, 10), Entry("keep", FILE, 7)],
        [Entry("tmp/t", FILE, 300)],
        [Entry("opt/x", WHITEOUT), Entry("tmp/t", WHITEOUT), Entry("never/there", WHITEOUT)],
    ]
    assert _pairs(layers) == {(0, 2): (5010, 2), (1, 2): (300, 1)}
    [biggest, _] = cross_layer_waste(layers)
    assert biggest.largest == (("opt/x/big", 5000), ("opt/x/sub/small", 10))


def test_an_opaque_folder_hides_what_is_below_it_but_not_its_own_files():
    layers = [
        [Entry("var/cache/a", FILE, 100), Entry("var/cache/b", FILE, 50)],
        [Entry("var/cache", OPAQUE), Entry("var/cache", DIRECTORY), Entry("var/cache/c", FILE, 9)],
        [Entry("var/cache/c", WHITEOUT)],
    ]
    assert _pairs(layers) == {(0, 1): (150, 2), (1, 2): (9, 1)}


def test_a_file_replaced_by_a_folder_or_a_link_is_hidden_and_a_re_added_file_counts_once():
    layers = [
        [Entry("etc/conf", FILE, 40), Entry("bin/tool", FILE, 70)],
        [Entry("etc/conf", DIRECTORY), Entry("etc/conf/part", FILE, 5), Entry("bin/tool", OTHER)],
        [Entry("etc/conf/part", WHITEOUT)],
        [Entry("etc/conf/part", FILE, 5)],
    ]
    assert _pairs(layers) == {(0, 1): (110, 2), (1, 2): (5, 1)}


def test_no_waste_when_layers_only_add():
    assert cross_layer_waste([[Entry("a", FILE, 1)], [Entry("b", FILE, 2)], [Entry("a2", DIRECTORY)]]) == []


# ------------------------------------------------------------------ layers and instructions


def image_of(*steps: tuple[str, int | None]) -> Image:
    """An image whose history is `(created_by, layer bytes or None for no layer)`."""
    history, layers = [], []
    for created_by, size_ in steps:
        if size_ is None:
            history.append(HistoryStep(created_by, None))
        else:
            history.append(HistoryStep(created_by, len(layers)))
            layers.append(Layer(size_, ()))
    return Image(tuple(history), tuple(layers))


APT = "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates"
TEXT = f"FROM debian:bookworm-slim\n{APT}\nCMD [\"bash\"]\n"


def test_the_history_ends_with_the_instructions_and_the_rest_is_the_base():
    dockerfile = parse(TEXT, "Dockerfile")
    image = image_of(("ADD file:base in /", 70 * MB), ("CMD bash", None), (f"/bin/sh -c {APT[4:]}", 30 * MB), ("CMD [\"bash\"]", None))
    alignment = align(dockerfile, built_stages(dockerfile, None), image)
    assert alignment.problem is None
    assert [(step.instruction.keyword, step.bytes, step.layers) for step in alignment.steps] == [("FROM", 70 * MB, (0,)), ("RUN", 30 * MB, (1,)), ("CMD", 0, ())]


def test_a_history_that_does_not_line_up_is_reported():
    dockerfile = parse(TEXT, "Dockerfile")
    short = align(dockerfile, built_stages(dockerfile, None), image_of(("RUN x", 1)))
    assert short.steps == () and "1 history entries for 2 instructions" in short.problem
    other = align(dockerfile, built_stages(dockerfile, None), image_of(("ADD base", 5), ("/bin/sh -c echo something else", 1), ("CMD", None)))
    assert other.steps == () and "line 2" in other.problem


def test_a_multi_stage_target_counts_the_stages_it_is_built_from():
    text = "FROM debian:12 AS base\nRUN echo one > /one\nFROM base AS app\nRUN echo two > /two\nFROM debian:12 AS other\nRUN echo three\n"
    dockerfile = parse(text, "Dockerfile")
    stages = built_stages(dockerfile, "app")
    assert [stage.name for stage in stages] == ["base", "app"]
    image = image_of(("ADD base", 50), ("/bin/sh -c echo one > /one", 3), ("/bin/sh -c echo two > /two", 4))
    steps = align(dockerfile, stages, image).steps
    assert [(step.instruction.line, step.bytes) for step in steps] == [(1, 50), (2, 3), (3, 0), (4, 4)]
    with pytest.raises(ValueError):
        built_stages(dockerfile, "missing")


def _measured(text: str, before_sizes, after_sizes, select=(), unsafe=False):
    """Lint and fix `text` for real, give both files images with the layer sizes
    listed (one per instruction after FROM, base first), and compute the rows."""
    rules = Settings(select=select).rules() if select else Settings().rules()
    original = parse(text, "Dockerfile")
    outcome = fix_text(text, "Dockerfile", rules, unsafe=unsafe)
    fixed = parse(outcome.text, "Dockerfile")
    builts = []
    for dockerfile, sizes in ((original, before_sizes), (fixed, after_sizes)):
        own = [i for stage in built_stages(dockerfile, None) for i in stage.instructions[1:]]
        history = [("ADD base", sizes[0])] + [(f"/bin/sh -c {i.args}" if i.keyword == "RUN" else i.keyword, size_) for i, size_ in zip(own, sizes[1:])]
        image = image_of(*history)
        builts.append(Built(dockerfile, image, align(dockerfile, built_stages(dockerfile, None), image)))
    rows, rebuilt = _rows(builts[0], builts[1], lint(original, rules), outcome.chosen, unsafe)
    return builts, rows, rebuilt, outcome


def test_a_fixed_instruction_is_measured_by_its_layer():
    _, rows, rebuilt, _ = _measured(TEXT, [70 * MB, 30 * MB, None], [70 * MB, 10 * MB, None], select=("DFS103",))
    [row] = rows
    assert row.status == "measured" and [f.rule for f in row.findings] == ["DFS103"]
    assert row.measured == 20 * MB and row.layer_bytes == 30 * MB and row.estimate == row.findings[0].savings_bytes
    assert rebuilt == 0


def test_fixes_of_one_instruction_are_measured_together():
    text = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n"
    _, rows, _, outcome = _measured(text, [70 * MB, 40 * MB], [70 * MB, 15 * MB], select=("DFS103", "DFS104"), unsafe=True)
    assert outcome.applied == Counter({"DFS103": 1, "DFS104": 1})
    [row] = rows
    assert {f.rule for f in row.findings} == {"DFS103", "DFS104"} and row.measured == 25 * MB
    assert row.note == "their fixes change the same layer"


def test_a_merge_of_two_instructions_is_one_measurement_over_both_layers():
    text = f"FROM debian:bookworm-slim\n{APT}\nRUN rm -rf /var/lib/apt/lists/*\n"
    _, rows, _, outcome = _measured(text, [70 * MB, 30 * MB, 1000], [70 * MB, 10 * MB], select=("DFS109",), unsafe=True)
    assert outcome.applied == Counter({"DFS109": 1})
    [row] = rows
    assert row.measured == 30 * MB + 1000 - 10 * MB
    assert "lines 2, 3 into line 2" in row.note


def test_fixes_of_neighbouring_instructions_are_measured_apart():
    text = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nRUN pip install flask\n"
    _, rows, _, outcome = _measured(text, [70 * MB, 40 * MB, 12 * MB], [70 * MB, 20 * MB, 2 * MB], select=("DFS103", "DFS105"))
    assert outcome.applied == Counter({"DFS103": 1, "DFS105": 1})
    assert [(row.findings[0].rule, row.measured, row.note) for row in rows] == [("DFS103", 20 * MB, ""), ("DFS105", 10 * MB, "")]


def test_a_merge_beside_another_fix_is_measured_apart_from_it():
    text = "FROM debian:bookworm-slim\nRUN mkdir -p /opt/x && dd if=/dev/zero of=/opt/x/blob bs=1000 count=2000\nRUN rm -rf /opt/x\nADD data/blob.bin /srv/blob.bin\n"
    _, rows, _, outcome = _measured(text, [70 * MB, 2 * MB, 500, 1 * MB], [70 * MB, 1000, 1 * MB], select=("DFS109", "DFS202"), unsafe=True)
    assert outcome.applied == Counter({"DFS109": 1, "DFS202": 1})
    by_rule = {row.findings[0].rule: row for row in rows}
    assert by_rule["DFS109"].measured == 2 * MB + 500 - 1000 and "lines 2, 3 into line 2" in by_rule["DFS109"].note
    assert by_rule["DFS202"].measured == 0 and by_rule["DFS202"].note == ""


def test_findings_not_fixed_say_why_and_show_their_layer():
    text = f"FROM debian:bookworm-slim\n{APT}\nRUN rm -rf /var/lib/apt/lists/*\n"
    _, rows, _, _ = _measured(text, [70 * MB, 30 * MB, 1000], [70 * MB, 10 * MB, 900], select=("DFS103", "DFS109"))
    by_rule = {row.findings[0].rule: row for row in rows}
    assert by_rule["DFS103"].measured == 20 * MB
    assert by_rule["DFS109"].status == "not-fixed" and by_rule["DFS109"].layer_bytes == 1000
    assert "--unsafe-fixes" in by_rule["DFS109"].note


def test_layers_of_unchanged_instructions_that_differ_are_counted_apart():
    text = f"FROM debian:bookworm-slim\n{APT}\nRUN echo done > /done\n"
    _, rows, rebuilt, _ = _measured(text, [70 * MB, 30 * MB, 5000], [70 * MB, 10 * MB, 4000], select=("DFS103",))
    assert rows[0].measured == 20 * MB and rebuilt == 1000


def test_a_finding_in_a_stage_not_built_is_not_measured():
    text = "FROM debian:12 AS tools\nRUN apt-get update && apt-get install -y curl\nFROM debian:12\nRUN echo hi\n"
    original = parse(text, "Dockerfile")
    rules = Settings(select=("DFS103",)).rules()
    findings = lint(original._replace(targets=("tools",)), rules)
    assert [f.line for f in findings] == [2]
    image = image_of(("ADD base", 10), ("/bin/sh -c echo hi", 1))
    built = Built(original, image, align(original, built_stages(original, None), image))
    rows, _ = _rows(built, None, findings, [], False)
    assert [row.status for row in rows] == ["not-in-image"]


def test_waste_is_tied_to_instructions_and_explained_by_the_waste_rules():
    text = "FROM debian:bookworm-slim\nCOPY data /app/data\nRUN chown -R 1000:1000 /app\n"
    dockerfile = parse(text, "Dockerfile")
    files = [Entry("app/data/a", FILE, 700), Entry("app/data/b", FILE, 300)]
    image = Image(
        (HistoryStep("ADD base", 0), HistoryStep("COPY dir:x in /app/data", 1), HistoryStep("/bin/sh -c chown -R 1000:1000 /app", 2)),
        (Layer(100, (Entry("etc/motd", FILE, 10),)), Layer(1100, tuple(files)), Layer(1100, tuple(files))),
    )
    built = Built(dockerfile, image, align(dockerfile, built_stages(dockerfile, None), image))
    [line] = _waste_lines(built, lint(dockerfile, Settings(select=("DFS110",)).rules()))
    assert (line.waste.bytes, line.writer_line, line.hider_line, line.explained_by) == (1000, 2, 3, ("DFS110",))
    assert line.writer == "line 2 COPY data /app/data"


# ------------------------------------------------------------------ the report


def _measurement(tmp_path) -> Measurement:
    builts, rows, rebuilt, outcome = _measured(TEXT, [70 * MB, 30 * MB, None], [70 * MB, 10 * MB, None], select=("DFS103",))
    return Measurement(
        "Dockerfile", str(tmp_path), Builder("podman", "/usr/bin/podman"), "podman version 4.3.1", False, outcome.applied,
        builts[0], builts[1], rows, rebuilt, _waste_lines(builts[0], []), _waste_lines(builts[1], []), 12.5,
    )


def test_the_text_report_compares_estimate_and_measurement(tmp_path):
    text = render_text(_measurement(tmp_path))
    assert "built as it is and with 1 fix (DFS103) by podman version 4.3.1" in text
    assert "image: 100.0 MB as it is, 80.0 MB with the fixes: 20.0 MB saved" in text
    [row] = [line for line in text.splitlines() if "DFS103 apt-lists-kept" in line]
    assert re.search(r"^ +2  DFS103 apt-lists-kept +[0-9.]+ MB +20\.0 MB +30\.0 MB$", row), row  # estimated, measured, its layer
    assert "0 B as it is, 0 B with the fixes" in text


def test_the_json_report_has_bytes_for_scripts(tmp_path):
    document = json.loads(render_json(_measurement(tmp_path)))
    assert document["image"] == {"before_bytes": 100 * MB, "after_bytes": 80 * MB, "saved_bytes": 20 * MB}
    [row] = document["measurements"]
    assert row["status"] == "measured" and row["measured_bytes"] == 20 * MB and row["findings"][0]["rule"] == "DFS103"
    assert document["builder"] == {"name": "podman", "version": "podman version 4.3.1"}
    assert document["waste"]["before"] == {"bytes": 0, "explained_bytes": 0, "items": []}


@pytest.mark.parametrize(("value", "shown"), [(None, "-"), (0, "0 B"), (512, "512 B"), (6656, "6.7 kB"), (19_879_424, "19.9 MB"), (-2_000_000, "-2.0 MB"), (1_250_000_000, "1.25 GB")])
def test_sizes_read_as_docker_shows_them(value, shown):
    assert size(value) == shown


# ------------------------------------------------------------------ builders


def _which(*present):
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_auto_detection_prefers_a_docker_daemon_that_answers():
    assert detect("auto", _which("docker", "podman"), lambda program: True) == (Builder("docker", "/usr/bin/docker"), None)
    assert detect("auto", _which("docker", "podman"), lambda program: False) == (Builder("podman", "/usr/bin/podman"), None)
    assert detect("auto", _which("buildah"), lambda program: True) == (Builder("buildah", "/usr/bin/buildah"), None)


def test_no_builder_is_one_clear_reason():
    builder, problem = detect("auto", _which(), lambda program: True)
    assert builder is None and problem.startswith("no container builder found")
    builder, problem = detect("auto", _which("docker"), lambda program: False)
    assert builder is None and "daemon does not answer" in problem
    assert detect("buildah", _which("podman"), lambda program: True) == (None, "buildah is not installed (not found on PATH)")
    assert "daemon" in detect("docker", _which("docker", "podman"), lambda program: False)[1]


@pytest.mark.parametrize(("name", "verb", "layers"), [("docker", "build", False), ("podman", "build", True), ("buildah", "bud", True)])
def test_build_command_lines(name, verb, layers):
    builder = Builder(name, f"/usr/bin/{name}")
    command = builder.build("/tmp/f/Dockerfile", "/src", "localhost/dfslim-measure:ab-before", "app", ["V=1"])
    assert command[:2] == [f"/usr/bin/{name}", verb] and command[-1] == "/src"
    assert ("--layers" in command) is layers and ("--force-rm" in command) is layers
    for option, value in (("-f", "/tmp/f/Dockerfile"), ("-t", "localhost/dfslim-measure:ab-before"), ("--target", "app"), ("--build-arg", "V=1")):
        assert command[command.index(option) + 1] == value
    assert "--iidfile" not in command  # buildah and podman would stop printing the ids of what they make
    assert builder.environment() == ({"BUILDKIT_PROGRESS": "plain"} if name == "docker" else {})
    assert "--target" not in builder.build("D", "c", "t")
    assert builder.image_id("t") == [f"/usr/bin/{name}", "images", "-q", "--no-trunc", "t"]


def test_export_and_clean_up_command_lines():
    docker, podman, buildah = (Builder(name, name) for name in ("docker", "podman", "buildah"))
    assert docker.export("img", "/t/a.tar") == ["docker", "save", "-o", "/t/a.tar", "img"]
    assert podman.export("img", "/t/a.tar") == ["podman", "save", "--quiet", "--format", "docker-archive", "-o", "/t/a.tar", "img"]
    assert buildah.export("img", "/t/a.tar") == ["buildah", "push", "--quiet", "--disable-compression", "img", "docker-archive:/t/a.tar"]
    assert podman.untag("abc", "t") == ["podman", "untag", "abc", "t"] and docker.untag("abc", "t") == ["docker", "rmi", "t"]
    assert docker.containers() is None and podman.containers()[:2] == ["podman", "ps"] and buildah.containers()[:2] == ["buildah", "containers"]
    assert podman.remove_container("c1") == ["podman", "rm", "--force", "c1"] and buildah.remove_container("c1") == ["buildah", "rm", "c1"]
    assert all(builder.remove_image("x") == [builder.program, "rmi", "x"] for builder in (docker, podman, buildah))


PODMAN_OUTPUT = """\
[1/2] STEP 1/2: FROM localhost/base:1 AS build
[1/2] STEP 2/2: RUN echo hi > /tmp/x
--> 83cb599b60f
[2/2] STEP 1/3: FROM localhost/base:1
[2/2] STEP 2/3: COPY --from=build /tmp/x /x
--> Using cache fa728a65bb6265dcbf00514645795d04b64b4c218c855b5b57b29bbb335dac30
--> fa728a65bb6
[2/2] STEP 3/3: CMD ["/bin/sh"]
[2/2] COMMIT localhost/dfslim-measure:ab-before
--> 3205a63189d
Successfully tagged localhost/dfslim-measure:ab-before
3205a63189ddd20d850547c4ceef98f1f05ba984a8e776c1dcbb26e1eed9950e
"""


def test_the_images_a_build_made_are_the_new_ones_it_printed():
    printed = built_ids(PODMAN_OUTPUT.splitlines())
    assert printed == ["83cb599b60f", "fa728a65bb6265dcbf00514645795d04b64b4c218c855b5b57b29bbb335dac30", "fa728a65bb6", "3205a63189d"]
    assert built_ids([" ---> 1a2b3c4d5e6f", "Step 2/3 : RUN x", " ---> Running in 9f8e7d6c5b4a"]) == ["1a2b3c4d5e6f"]
    cached, made, final, foreign = ("fa728a65bb62" + "0" * 52, "83cb599b60fe" + "1" * 52, "3205a63189dd" + "2" * 52, "77777777777" + "3" * 53)
    before = {cached, "b" * 64}
    after = before | {made, final, foreign}
    assert made_by_build(printed, before, after) == [final, made]  # newest first; the cache hit and the other build's image stay


def test_listings_are_parsed():
    assert parse_ids("sha256:aaa\nbbb\n\n") == {"aaa", "bbb"}
    assert parse_containers("c1 sha256:i1 base-working-container\nc2 i2\n") == {"c1": ("i1", "base-working-container"), "c2": ("i2", "")}
    assert is_build_container("e009061eb011-working-container") and is_build_container("bbase-working-container-1")
    assert not is_build_container("my-app")


def test_mounts_below_the_run_folder_are_found_so_that_it_is_left_alone(tmp_path):
    table = tmp_path / "mounts"
    run = tmp_path / "dfslim-measure-ab"
    table.write_text(
        "proc /proc proc rw 0 0\n"
        f"/dev/vda {run}/tmp/buildah1/mnt/rootfs ext4 rw 0 0\n"
        f"/dev/vda {tmp_path}/dfslim-measure-abc ext4 rw 0 0\n"  # a neighbour, not below
        f"tmpfs {run}/with\\040space tmpfs rw 0 0\n"
    )
    assert mounts_below(str(run), str(table)) == [f"{run}/tmp/buildah1/mnt/rootfs", f"{run}/with space"]
    assert mounts_below(str(run), str(tmp_path / "no-table")) == []


# ------------------------------------------------------------------ progress and the command line


@pytest.mark.parametrize(("line", "step"), [
    ("[2/2] STEP 3/12: RUN apt-get   update", "3/12 RUN apt-get update"),
    ("STEP 1/2: FROM debian:12", "1/2 FROM debian:12"),
    ("#7 [build 2/4] RUN make", "2/4 RUN make"),
    ("#5 [2/3] COPY . /app", "2/3 COPY . /app"),
    ("Step 3/5 : RUN pip install x", "3/5 RUN pip install x"),
    ("#5 0.312 Get:1 http://deb.debian.org bookworm InRelease", None),
    ("--> 83cb599b60f", None),
])
def test_steps_are_read_from_each_builders_output(line, step):
    assert step_of(line) == step


def test_progress_is_plain_lines_off_a_terminal_and_one_rewritten_line_on_it():
    plain = io.StringIO()
    progress = Progress(plain, live=False)
    progress.phase("building the Dockerfile as it is with podman")
    for line in ("STEP 1/2: FROM x", "noise", "STEP 1/2: FROM x", "STEP 2/2: RUN y"):
        progress.step(line)
    assert plain.getvalue().splitlines() == ["dfslim: building the Dockerfile as it is with podman", "dfslim:   step 1/2 FROM x", "dfslim:   step 2/2 RUN y"]
    live = io.StringIO()
    now = [100.0]
    progress = Progress(live, live=True, width=60, clock=lambda: now[0])
    progress.phase("building")
    now[0] += 75
    progress.step("STEP 2/2: RUN " + "y" * 100)
    progress.clear()
    shown = live.getvalue()
    assert "\n" not in shown and shown.count("\r\x1b[2K") == 3
    assert "building (1 min 15 s): 2/2 RUN yyy" in shown and max(len(part) for part in shown.split("\r\x1b[2K")) < 60


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("90s", 90), ("1.5h", 5400), ("600", 600), ("2min", 120), ("0", None), ("soon", None), ("5ms", None)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_measure_without_a_builder_is_one_line_and_status_2(tmp_path, monkeypatch):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:12\nRUN apt-get update\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = CliRunner().invoke(main, ["measure", str(dockerfile)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["dfslim: error: no container builder found: dfslim measure needs docker (with its daemon running), podman or buildah"]
    result = CliRunner().invoke(main, ["measure", "--builder", "podman", str(dockerfile)])
    assert result.exit_code == 2 and result.stderr.strip() == "dfslim: error: podman is not installed (not found on PATH)"


def test_measure_refuses_bad_input_in_one_line(tmp_path):
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM debian:12\nRUN apt-get update\n")
    result = CliRunner().invoke(main, ["measure", "--target", "nope", str(broken)])
    assert result.exit_code == 2 and result.stderr.strip() == f"dfslim: error: {broken}: no stage named nope"
    result = CliRunner().invoke(main, ["measure", "--timeout", "soon", str(broken)])
    assert result.exit_code == 2 and "--timeout" in result.output
    result = CliRunner().invoke(main, ["measure", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "Traceback" not in result.output
