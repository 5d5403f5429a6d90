#!/usr/bin/env python3
"""Side-by-side speed and memory of dfslim, hadolint and tally (standard library only).

    python bench/bench.py [--runs 20] [--corpus-runs 3] [--corpus-limit 300]
                          [--file PATH] [--corpus DIR] [--dfslim PATH] [--peers-bin DIR]

(a) one typical Dockerfile, one process per run, tools interleaved run by run;
(b) a corpus folder in ONE invocation per tool (the file list as arguments);
(c) peak memory of (b): the largest process's max RSS (wait4) and the peak PSS of the
    whole process tree (sampled from /proc, so a process pool counts in full);
(a') when valgrind is installed, the instructions of one run of (a) under callgrind:
    repeatable whatever the load, a check on the noisy wall-time ratio of (a).
Every tool writes JSON to /dev/null. The figures that count are the ratios dfslim ÷ peer
measured in the same run: absolute times on a shared machine do not compare across runs.
A tool that is not installed is reported as such. Install the peers with
`bash /work/shared/tools/install-peers.sh`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus" / "files"
TYPICAL = "02674.Dockerfile"  # a 40-line python:3.12-slim app: apt-get, pip, COPY, CMD
MB = 1024 * 1024

# Targets (issue 7): dfslim corpus wall <= 0.2 x hadolint's and <= tally's; one file
# <= 2 x hadolint's; peak memory on the corpus <= 100 MB.
TARGET_CORPUS_VS_HADOLINT = 0.2
TARGET_CORPUS_VS_TALLY = 1.0
TARGET_FILE_VS_HADOLINT = 2.0
TARGET_MEMORY_MB = 100


@dataclass
class Tool:
    name: str
    exe: str | None
    argv: list[str] = field(default_factory=list)  # before the file arguments
    version: str = ""
    note: str = ""

    @property
    def installed(self) -> bool:
        return self.exe is not None

    def command(self, files: list[str]) -> list[str]:
        return [self.exe, *self.argv, *files]


@dataclass
class Sample:
    wall: float
    cpu: float
    maxrss: int  # bytes, the largest process of the tree (wait4)
    tree_pss: int | None  # bytes, peak PSS summed over the process tree (sampled)
    code: int
    stderr: str


# ---------------------------------------------------------------------------- tools


def find_dfslim(explicit: str | None) -> str | None:
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    beside = Path(sys.executable).parent / "dfslim"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("dfslim")


def find_peer(name: str, peers_bin: str) -> str | None:
    candidate = Path(peers_bin) / name
    if candidate.exists() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which(name)


def version_of(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return f"unknown ({error})"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def make_tools(args) -> list[Tool]:
    dfslim = Tool("dfslim", find_dfslim(args.dfslim), ["lint", "--format", "json", "--fail-level", "none", "--no-color"])
    hadolint = Tool("hadolint", find_peer("hadolint", args.peers_bin), ["--format", "json", "--no-fail", "--no-color"])
    tally = Tool(
        "tally",
        find_peer("tally", args.peers_bin),
        ["lint", "--format", "json", "--slow-checks", "off", "--fail-level", "none", "--no-config", "--no-color"],
    )
    for tool in (dfslim, hadolint, tally):
        if tool.installed:
            tool.version = version_of([tool.exe, "--version"])
    return [dfslim, hadolint, tally]


# ---------------------------------------------------------------------------- measuring


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


def _pss(pid: int) -> int:
    """Proportional set size of one process in bytes (RSS when PSS is unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class TreeSampler(threading.Thread):
    """Peak of the summed PSS of a process and its descendants, every `interval` s."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pids, seen = [self.pid], set()
            total = 0
            while pids:
                pid = pids.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                total += _pss(pid)
                pids += _children(pid)
            self.peak = max(self.peak, total)
            self.done.wait(self.interval)


def run_once(command: list[str], cwd: str, sample_tree: bool = False) -> Sample:
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, cwd=cwd)
        sampler = TreeSampler(process.pid) if sample_tree and os.path.isdir("/proc/self/task") else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.done.set()
            sampler.join()
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    maxrss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return Sample(wall, usage.ru_utime + usage.ru_stime, maxrss, sampler.peak if sampler else None, process.returncode, stderr)


def interleaved(tools: list[Tool], files: list[str], runs: int, cwd: str, sample_tree: bool, label: str) -> dict[str, list[Sample]]:
    """`runs` rounds; each round runs every tool once, the order rotating each round."""
    samples: dict[str, list[Sample]] = {tool.name: [] for tool in tools}
    for round_number in range(runs):
        shift = round_number % len(tools) if tools else 0
        for tool in tools[shift:] + tools[:shift]:
            try:
                samples[tool.name].append(run_once(tool.command(files), cwd, sample_tree))
            except OSError as error:
                tool.note = f"cannot run: {error}"
        progress(f"{label}: round {round_number + 1}/{runs}")
    return samples


def progress(message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)


def instructions(command: list[str], cwd: str) -> tuple[int | None, str]:
    """Instructions executed by one run under callgrind (children included), or a note."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None, "valgrind not installed"
    probe = [valgrind, "--tool=callgrind", "--trace-children=yes", "--callgrind-out-file=/dev/null", *command]
    try:
        done = subprocess.run(probe, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd, timeout=600)
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"cannot run: {error}"
    counts = [int(line.rsplit(":", 1)[1].replace(",", "")) for line in done.stderr.splitlines() if "Collected :" in line]
    if not counts or done.returncode not in (0, 1):
        return None, "valgrind cannot run it"
    return sum(counts), ""


# ---------------------------------------------------------------------------- import time


def dfslim_interpreter(dfslim: str) -> list[str] | None:
    """How to run the dfslim script under its own python (its shebang)."""
    try:
        with open(dfslim, "rb") as handle:
            first = handle.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    if first.startswith("#!") and "python" in first:
        return first[2:].split()
    return None


def import_times(dfslim: str, file: str, cwd: str) -> dict | None:
    python = dfslim_interpreter(dfslim)
    if python is None:
        return None
    command = [*python, "-X", "importtime", dfslim, "lint", "--format", "json", "--fail-level", "none", file]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd)
    wall = time.perf_counter() - started
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:") :].split("|")
        self_us, cumulative, raw = int(parts[0]), int(parts[1]), parts[2]
        depth = (len(raw) - len(raw.lstrip(" ")) - 1) // 2
        rows.append((cumulative, self_us, depth, raw.strip()))
    total = sum(cumulative for cumulative, _, depth, _ in rows if depth == 0)
    rules = subprocess.run(
        [
            *python,
            "-c",
            "import time; t0 = time.perf_counter(); import dfslim.registry as r; t1 = time.perf_counter(); "
            "n = len(r.all_rules()); t2 = time.perf_counter(); print(n, t1 - t0, t2 - t1)",
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
    ).stdout.split()
    startup = statistics.median(run_once([*python, "-c", "pass"], cwd).wall for _ in range(5))
    return {"wall": wall, "rows": rows, "total_us": total, "rules": rules, "startup": startup, "code": done.returncode}


# ---------------------------------------------------------------------------- report


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def fmt_mb(size: int | None) -> str:
    return "—" if size is None else f"{size / MB:.0f} MB"


def median(values) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def paired_ratio(ours: list[Sample], theirs: list[Sample]) -> float | None:
    """Median over rounds of dfslim's wall ÷ the peer's wall in the same round."""
    pairs = [a.wall / b.wall for a, b in zip(ours, theirs) if b.wall > 0]
    return median(pairs)


def exit_note(samples: list[Sample]) -> str:
    codes = sorted({sample.code for sample in samples})
    note = ",".join(str(code) for code in codes)
    bad = next((s for s in samples if s.code not in (0, 1)), None)
    if bad is not None:
        tail = [line for line in bad.stderr.strip().splitlines() if line.strip()]
        if tail:
            note += f" ({len(tail)} stderr lines, last: {tail[-1][:70]!s})"
    return note.replace("|", "\\|")


def corpus_files(directory: Path, limit: int) -> tuple[list[str], int]:
    every = sorted(str(path) for path in directory.iterdir() if path.is_file())
    if limit <= 0 or limit >= len(every):
        return every, len(every)
    step = len(every) / limit
    return [every[int(index * step)] for index in range(limit)], len(every)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="runs per tool on one file (default 20)")
    parser.add_argument("--corpus-runs", type=int, default=3, help="runs per tool on the corpus (default 3)")
    parser.add_argument(
        "--corpus-limit",
        type=int,
        default=300,
        help="lint this many corpus files, spread evenly over the sorted list; 0 = all (default 300: "
        "hadolint and tally take ~50 ms a file, so the 3,300-file corpus costs ~5 min per round)",
    )
    parser.add_argument("--file", help=f"the one-file Dockerfile (default: corpus {TYPICAL}, else examples/Dockerfile)")
    parser.add_argument("--corpus", default=str(SHARED_CORPUS), help=f"corpus folder (default {SHARED_CORPUS})")
    parser.add_argument("--dfslim", help="dfslim executable (default: beside sys.executable, else PATH)")
    parser.add_argument("--no-instructions", dest="instructions", action="store_false", help="skip (a'), the callgrind instruction counts")
    parser.add_argument("--peers-bin", default="/opt/peers/bin", help="where hadolint and tally are (default /opt/peers/bin, else PATH)")
    args = parser.parse_args(argv)

    corpus = Path(args.corpus)
    file = args.file or str(corpus / TYPICAL if (corpus / TYPICAL).is_file() else REPO / "examples" / "Dockerfile")
    if not Path(file).is_file():
        parser.error(f"no such file: {file}")
    tools = make_tools(args)
    present = [tool for tool in tools if tool.installed]
    dfslim = tools[0]
    cwd = tempfile.mkdtemp(prefix="dfslim-bench-")  # no configuration file to discover

    out = print
    out("# dfslim benchmark\n")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    out(f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    out(f"- machine: `uname -m` {platform.machine()}, {os.cpu_count()} CPUs, load average at start {load}, {platform.system()} {platform.release()}")
    for tool in tools:
        out(f"- {tool.name}: {tool.version + ' (' + tool.exe + ')' if tool.installed else 'not installed'}")
    out("")

    # warm up: page cache, .pyc files
    corpus_list, corpus_total = corpus_files(corpus, args.corpus_limit) if corpus.is_dir() else ([], 0)
    for path in corpus_list:
        Path(path).read_bytes()
    for tool in present:
        try:
            run_once(tool.command([file]), cwd)
        except OSError as error:
            tool.note = f"cannot run: {error}"

    # (a) one file
    lines = sum(1 for _ in open(file, "rb"))
    single = interleaved(present, [file], args.runs, cwd, False, "one file")
    out(f"## (a) one file: `{file}` ({lines} lines), {args.runs} runs per tool, interleaved\n")
    out("| tool | median wall | min | max | median CPU | max RSS | exit | dfslim ÷ tool (same rounds) |")
    out("|---|---:|---:|---:|---:|---:|---|---:|")
    for tool in tools:
        got = single.get(tool.name) or []
        if not got:
            out(f"| {tool.name} | {tool.note or 'not installed'} | | | | | | |")
            continue
        walls = [s.wall for s in got]
        ratio = paired_ratio(single["dfslim"], got) if single.get("dfslim") else None
        out(
            f"| {tool.name} | {fmt_time(median(walls))} | {fmt_time(min(walls))} | {fmt_time(max(walls))} | "
            f"{fmt_time(median(s.cpu for s in got))} | {fmt_mb(max(s.maxrss for s in got))} | {exit_note(got)} | "
            f"{'—' if ratio is None else f'{ratio:.2f}'} |"
        )
    out("")

    # (a') one file, instructions
    if args.instructions:
        counted = {tool.name: instructions(tool.command([file]), cwd) for tool in present}
        ours = counted.get("dfslim", (None, ""))[0]
        out("## (a') one file, instructions executed (callgrind, one run each: repeatable whatever the load)\n")
        out("| tool | instructions | dfslim ÷ tool |")
        out("|---|---:|---:|")
        for tool in tools:
            count, note = counted.get(tool.name, (None, tool.note or "not installed"))
            if count is None:
                out(f"| {tool.name} | {note} | |")
                continue
            out(f"| {tool.name} | {count / 1e6:.0f} M | {'—' if ours is None else f'{ours / count:.2f}'} |")
        out("")

    # (b) + (c) corpus
    corpus_samples: dict[str, list[Sample]] = {}
    if corpus_list:
        corpus_samples = interleaved(present, corpus_list, args.corpus_runs, cwd, True, "corpus")
        which = "all" if len(corpus_list) == corpus_total else f"{len(corpus_list)} of {corpus_total} (evenly spread; --corpus-limit 0 for all)"
        out(f"## (b) corpus `{corpus}`: {which} files, one invocation, {args.corpus_runs} runs per tool, interleaved\n")
        out("| tool | median wall | min | median CPU | per file | max RSS (largest process) | peak PSS (process tree) | exit | dfslim ÷ tool (same rounds) |")
        out("|---|---:|---:|---:|---:|---:|---:|---|---:|")
        for tool in tools:
            got = corpus_samples.get(tool.name) or []
            if not got:
                out(f"| {tool.name} | {tool.note or 'not installed'} | | | | | | | |")
                continue
            walls = [s.wall for s in got]
            ratio = paired_ratio(corpus_samples["dfslim"], got) if corpus_samples.get("dfslim") else None
            out(
                f"| {tool.name} | {fmt_time(median(walls))} | {fmt_time(min(walls))} | {fmt_time(median(s.cpu for s in got))} | "
                f"{median(walls) / len(corpus_list) * 1000:.1f} ms | {fmt_mb(max(s.maxrss for s in got))} | "
                f"{fmt_mb(max((s.tree_pss or 0) for s in got) or None)} | {exit_note(got)} | {'—' if ratio is None else f'{ratio:.2f}'} |"
            )
        out("")
    else:
        out(f"## (b) corpus: `{corpus}` not found, skipped\n")
    progress("")

    # targets
    out("## Targets\n")
    out("| target | measured | result |")
    out("|---|---:|---|")

    def verdict(name: str, value: float | None, limit: float, unit: str = "×", why: str = "") -> None:
        if value is None:
            out(f"| {name} | — | n/a ({why}) |")
        else:
            shown = f"{value:.2f}{unit}" if unit == "×" else f"{value:.0f} {unit}"
            out(f"| {name} | {shown} | {'PASS' if value <= limit else 'FAIL'} |")

    def ratio_of(table, peer: str) -> tuple[float | None, str]:
        if not table.get("dfslim"):
            return None, "dfslim not installed" if not dfslim.installed else "not measured"
        if not table.get(peer):
            return None, f"{peer} not installed" if not any(t.name == peer and t.installed for t in tools) else "not measured"
        return paired_ratio(table["dfslim"], table[peer]), ""

    value, why = ratio_of(corpus_samples, "hadolint")
    verdict(f"(b) corpus: dfslim ≤ {TARGET_CORPUS_VS_HADOLINT} × hadolint", value, TARGET_CORPUS_VS_HADOLINT, why=why or "no corpus")
    value, why = ratio_of(corpus_samples, "tally")
    verdict("(b) corpus: dfslim ≤ tally", value, TARGET_CORPUS_VS_TALLY, why=why or "no corpus")
    value, why = ratio_of(single, "hadolint")
    verdict(f"(a) one file: dfslim ≤ {TARGET_FILE_VS_HADOLINT:g} × hadolint", value, TARGET_FILE_VS_HADOLINT, why=why)
    ours = corpus_samples.get("dfslim") or []
    peak = max(max(s.maxrss, s.tree_pss or 0) for s in ours) / MB if ours else None
    verdict(f"(c) corpus peak memory ≤ {TARGET_MEMORY_MB} MB (larger of max RSS and tree PSS)", peak, TARGET_MEMORY_MB, "MB", "no corpus run")
    out("")

    # import time
    if dfslim.installed:
        report = import_times(dfslim.exe, file, cwd)
        if report is None:
            out("## Import time: dfslim is not a python script here, skipped\n")
        else:
            out(f"## Import time (`python -X importtime`, one file; run wall {fmt_time(report['wall'])}, exit {report['code']})\n")
            out(
                f"Top-level imports total {report['total_us'] / 1000:.0f} ms; bare `python -c pass` {fmt_time(report['startup'])}. "
                "Top 15 by cumulative time (indent = nesting):\n"
            )
            out("| cumulative | self | module |")
            out("|---:|---:|---|")
            for cumulative, self_us, depth, name in sorted(report["rows"], reverse=True)[:15]:
                out(f"| {cumulative / 1000:.1f} ms | {self_us / 1000:.1f} ms | {'· ' * depth}{name} |")
            if len(report["rules"]) == 3:
                count, registry, rules = report["rules"]
                out(
                    f"\nRule modules are loaded with importlib.import_module, which `-X importtime` does not log: "
                    f"`import dfslim.registry` {float(registry) * 1000:.0f} ms, then `all_rules()` ({count} rules, plugins "
                    f"included) {float(rules) * 1000:.0f} ms more."
                )
            out("")
    shutil.rmtree(cwd, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
