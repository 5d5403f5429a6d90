"""How long the language server takes to lint again after one keystroke in a 100-line
Dockerfile (target: under 20 ms).

Two figures, each the median (and 90th percentile) of `--keystrokes` keystrokes:

- **round trip**: a real `dfslim lsp` on stdio with `debounce_ms` 0, from writing an
  incremental `didChange` of one character to reading the `publishDiagnostics` of that
  version (protocol, JSON both ways and the pipe included);
- **in process**: `dfslim.lsp.document.lint_document` alone on the changed text, as wall
  time and as CPU time (the CPU time hardly moves when other work shares the machine).

    .venv/bin/python bench/lsp_relint.py [--keystrokes 60] [--file PATH]

Without `--file`, the document is the 100-line multi-stage Dockerfile below.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from lsp_client import LspClient  # noqa: E402

STAGE = """\
FROM python:3.12 AS build{n}
ARG VERSION=1.{n}
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \\
    APP_HOME=/srv/app{n}
WORKDIR /srv/app{n}
RUN apt-get update && apt-get install -y \\
        build-essential \\
        libpq-dev \\
        curl \\
    && curl -sSL https://example.com/tool-$VERSION.tar.gz -o /tmp/tool.tgz \\
    && tar -xzf /tmp/tool.tgz -C /usr/local
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN python -m compileall -q . && chmod -R 777 /srv/app{n}
"""
FINAL = """\
FROM python:3.12-slim
RUN useradd -u 10001 app
COPY --from=build5 /srv/app5 /srv/app
USER app
CMD python -m app
"""


def document() -> str:
    """A 100-line Dockerfile: six 15-line build stages and a 5-line final one, plus comments."""
    lines = "".join(STAGE.format(n=n) for n in range(6)).splitlines()
    lines += FINAL.splitlines()
    while len(lines) < 100:
        lines.insert(len(lines) - 5, "# keep the layers small")
    return "\n".join(lines[:100]) + "\n"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keystrokes", type=int, default=60)
    parser.add_argument("--file", type=Path)
    options = parser.parse_args()
    text = options.file.read_text(encoding="utf-8") if options.file else document()
    lines = text.count("\n")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Dockerfile"
        path.write_text(text, encoding="utf-8")
        trip = round_trips(path, text, options.keystrokes)
        local, cpu = in_process(path, text, options.keystrokes)
    print(f"document: {lines} lines; {options.keystrokes} keystrokes; {time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}")
    print(f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs")
    for name, values in (("round trip (stdio, debounce 0)", trip), ("in process (lint_document)", local), ("in process, CPU time", cpu)):
        print(f"{name:32} median {statistics.median(values):6.2f} ms   p90 {percentile(values, 0.9):6.2f} ms   max {max(values):6.2f} ms")
    verdict = "PASS" if statistics.median(trip) < 20 else "FAIL"
    print(f"{verdict}: median round trip {'<' if verdict == 'PASS' else '>='} 20 ms")


def round_trips(path: Path, text: str, keystrokes: int) -> list[float]:
    client = LspClient(cwd=path.parent)
    uri = path.as_uri()
    try:
        client.initialize(path.parent, {"debounce_ms": 0})
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
        client.diagnostics(uri, 1)
        line = text.splitlines().index(next(each for each in text.splitlines() if each.startswith("RUN pip install")))
        column = len("RUN pip install ")
        times = []
        for version in range(2, keystrokes + 2):
            point = {"line": line, "character": column}
            change = {"range": {"start": point, "end": point}, "text": "x" if version % 2 == 0 else ""}
            if version % 2:  # every other keystroke deletes the character again
                change = {"range": {"start": point, "end": {"line": line, "character": column + 1}}, "text": ""}
            sent = time.perf_counter()
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
            arrived, _message = client.wait_timed(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == version)
            times.append((arrived - sent) * 1000)
        client.close()
        return times
    finally:
        if client.process.poll() is None:
            client.process.kill()


def in_process(path: Path, text: str, keystrokes: int) -> list[float]:
    from dfslim.lsp.document import Project, lint_document

    project = Project()
    uri = path.as_uri()
    lint_document(project, uri, 1, text, str(path))  # rules imported, configuration read
    at = text.index("RUN pip install ") + len("RUN pip install ")
    times, cpu = [], []
    for version in range(2, keystrokes + 2):
        changed = text[:at] + "x" + text[at:] if version % 2 == 0 else text
        start, start_cpu = time.perf_counter(), time.process_time()
        lint_document(project, uri, version, changed, str(path))
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return times, cpu


if __name__ == "__main__":
    main()
