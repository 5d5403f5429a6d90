"""`dfslim stages`: which stages a Dockerfile has, how they use each other, and which ship."""

from __future__ import annotations

from dfslim.graph import build_graph
from dfslim.model import Dockerfile


def stage_records(dockerfile: Dockerfile) -> list[dict]:
    """One record per stage: its name, base, the stages it uses, whether it is a target,
    ships or is a builder, and the targets whose image holds it."""
    graph = build_graph(dockerfile)
    records = []
    for stage in dockerfile.stages:
        uses = [
            {"stage": dockerfile.stages[use.used].label, "how": use.how, "line": use.instruction.line}
            for use in graph.used_by(stage)
        ]
        records.append({
            "index": stage.index,
            "name": stage.name,
            "line": stage.instruction.line,
            "base": stage.base_resolved,
            "uses": uses,
            "target": stage.index in graph.targets,
            "ships": graph.ships(stage),
            "targets": [target.label for target in graph.targets_of(stage)],
        })
    return records


def render_text(path: str, dockerfile: Dockerfile) -> str:
    graph = build_graph(dockerfile)
    lines = [f"{path}: {len(dockerfile.stages)} stage{'s' if len(dockerfile.stages) != 1 else ''}, targets: "
             + ", ".join(dockerfile.stages[index].label for index in graph.targets)
             + (" (as asked)" if dockerfile.targets and not graph.unknown_targets else "")]
    for record in stage_records(dockerfile):
        if record["target"]:
            role = "target"
        elif record["ships"]:
            role = "ships in " + ", ".join(record["targets"])
        else:
            role = "builder (does not ship)"
        uses = "; ".join(f"{use['how']} {use['stage']} (line {use['line']})" for use in record["uses"])
        label = record["name"] or str(record["index"])
        lines.append(f"  {record['line']:>4}  {label}: FROM {record['base']}  -> {role}" + (f"  [uses: {uses}]" if uses else ""))
    return "\n".join(lines)
