"""Tables from result files: per-backend latencies, ratios, and the performance.md targets."""

from __future__ import annotations

import math
from typing import Any

LAYER_TITLES = {
    "core": "index pass",
    "search": "search()",
    "view_html": "view HTML",
    "view_json": "view JSON",
    "http_html": "HTTP HTML",
    "http_json": "HTTP JSON",
    "sql": "bare SQL",
    "naive": "naive ORM",
}
# (target id, what, scenario, centre, layer, percentile, limit, unit)
TARGETS = (
    ("S-med", "search HTML, median metro, S2 25 mi", "S2", "median", "http_html", "p95", 10.0),
    ("S-dense", "search HTML, densest metro, S2 25 mi", "S2", "dense", "http_html", "p95", 25.0),
    (
        "S-text",
        "search HTML, common text term, densest",
        "S4-common",
        "dense",
        "http_html",
        "p95",
        50.0,
    ),
    ("API-med", "JSON search, median metro, S2 25 mi", "S2", "median", "http_json", "p95", 5.0),
    ("API-dense", "JSON search, densest metro, S2 25 mi", "S2", "dense", "http_json", "p95", 15.0),
)


def _key(row: dict[str, Any]) -> tuple[str, str, int]:
    return (row["scenario"], row["centre"], int(row["radius"]))


def _index(rows: list[dict[str, Any]]) -> dict[tuple[str, str, int], dict[str, dict[str, Any]]]:
    cells: dict[tuple[str, str, int], dict[str, dict[str, Any]]] = {}
    for row in rows:
        cells.setdefault(_key(row), {})[row["layer"]] = row
    return cells


def _ms(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _cell(row: dict[str, Any] | None, *, p99: bool = False, rps: bool = False) -> str:
    if row is None:
        return ""
    if "p50" not in row:
        return "skipped"
    text = f"{_ms(row['p50'])} / {_ms(row['p95'])}"
    if row.get("n", 0) < 5:
        text += f" (n={row['n']})"  # percentiles of a handful of calls
    if p99:
        text += f" / {_ms(row['p99'])}"
    if rps and row.get("rps"):
        text += f" ({row['rps']:,.0f}/s)"
    return text


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None, pct: str = "p50") -> float | None:
    if not a or not b or pct not in a or pct not in b or not b[pct]:
        return None
    return a[pct] / b[pct]


def _fmt_ratio(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}x" if value >= 10 else f"{value:.2f}x"


def _radius(key: tuple[str, str, int]) -> str:
    return "state" if key[1] == "state" else str(key[2])


def backend_table(data: dict[str, Any]) -> str:
    cells = _index(data["rows"])
    present = [layer for layer in LAYER_TITLES if any(layer in c for c in cells.values())]
    header = (
        ["scenario", "centre", "mi", "results"]
        + [
            LAYER_TITLES[layer] + (" p50/p95/p99" if layer == "search" else " p50/p95")
            for layer in present
        ]
        + ["naive/ours p50", "full/core p50 / p95"]
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, layers in cells.items():
        any_row = next(iter(layers.values()))
        values = [key[0], key[1], _radius(key), f"{any_row['total']:,}"]
        for layer in present:
            values.append(_cell(layers.get(layer), p99=layer == "search",
                                rps=layer.startswith("http")))  # fmt: skip
        values.append(_fmt_ratio(_ratio(layers.get("naive"), layers.get("search"))))
        values.append(
            _fmt_ratio(_ratio(layers.get("http_html"), layers.get("search")))
            + " / "
            + _fmt_ratio(_ratio(layers.get("http_html"), layers.get("search"), "p95"))
        )
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


def backend_ratio_table(merged: dict[str, Any]) -> str:
    if not {"sqlite", "postgres"} <= set(merged["backends"]):
        return ""
    lite = _index(merged["backends"]["sqlite"]["rows"])
    pg = _index(merged["backends"]["postgres"]["rows"])
    layers = [
        layer
        for layer in LAYER_TITLES
        if any(layer in c and "p50" in c[layer] for c in lite.values())
    ]
    header = ["scenario", "centre", "mi"] + [f"{LAYER_TITLES[layer]} p50" for layer in layers]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key in lite:
        if key not in pg:
            continue
        values = [key[0], key[1], _radius(key)]
        values += [_fmt_ratio(_ratio(pg[key].get(layer), lite[key].get(layer))) for layer in layers]
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


def _facts(data: dict[str, Any]) -> list[str]:
    out = []
    prep = data.get("prepare") or {}
    seconds = prep.get("seconds", {})
    facts = prep.get("facts", {})
    idx = data.get("index", {})
    mem = data.get("memory", {})
    versions = ", ".join(f"{k} {v}" for k, v in data.get("versions", {}).items())
    out.append(f"- versions: {versions}")
    if facts:
        out.append(
            f"- dataset: {facts.get('published', 0):,} published profiles, {facts.get('offices', 0):,}"
            f" offices, database {facts.get('database_bytes', 0) / 1e6:,.0f} MB; seed_demo"
            f" {seconds.get('seed_demo', '?')} s, migrate {seconds.get('migrate', '?')} s,"
            f" fulltext sync {seconds.get('fulltext_sync', '–')} s, rebuild_index"
            f" {seconds.get('rebuild_index', '–')} s (prepare {prep.get('total_seconds', '?')} s)"
        )
    if idx:
        out.append(
            f"- search index: {idx['profiles']:,} profiles, {idx['office_points']:,} office points,"
            f" {idx['bitmaps']:,} bitmaps, {idx['memory_mb']} MB in memory, snapshot"
            f" {idx['snapshot_mb']} MB on disk; build from the database {idx['build_s']} s;"
            f" first get_index() {idx['first_get_index_s']} s + first read {idx['first_read_s']} s"
        )
    if mem:
        warm = mem.get("after_warmup_kb", {})
        end = mem.get("after_run_kb", {})
        out.append(
            f"- gunicorn worker (1 sync worker): RSS {warm.get('VmRSS', 0) / 1024:,.0f} MB after"
            f" warm-up, {end.get('VmRSS', 0) / 1024:,.0f} MB after the run (peak"
            f" {end.get('VmHWM', 0) / 1024:,.0f} MB)"
            + (
                f"; of the RSS after warm-up {warm['RssFile'] / 1024:,.0f} MB are file pages"
                " (the memory-mapped index snapshot, SQLite's mapped database and code, shared"
                f" by all workers) and {warm.get('RssAnon', 0) / 1024:,.0f} MB anonymous (this"
                f" worker's own); PSS {warm.get('Pss', 0) / 1024:,.0f} MB"
                if "RssFile" in warm
                else ""
            )
        )
    centres = data.get("centres", {})
    if centres:
        shown = "; ".join(
            f"{k} {c['location']} ("
            + ", ".join(f"{n:,} within {r} mi" for r, n in c["counts"].items())
            + ")"
            for k, c in centres.items()
        )
        out.append(f"- centres: {shown}; S5: telehealth in {data.get('tele_state')}")
    if data.get("values"):
        out.append("- facet values: " + ", ".join(f"{k} {v}" for k, v in data["values"].items()))
    if data.get("text_terms"):
        out.append(
            "- text terms: " + ", ".join(f"{k} {v!r}" for k, v in data["text_terms"].items())
        )
    checks = data.get("checks", [])
    bad = [c for c in checks if not c.get("ok")]
    checked = sorted({name for c in checks for name in c.get("problems", {})})
    if any("api_total" in c for c in checks):
        checked.append("API total")
    out.append(
        f"- correctness: {', '.join(checked) or 'nothing'} agree with search() (same ids and"
        f" counts) in {len(checks) - len(bad)} of {len(checks)} scenarios"
    )
    timeouts = [c for c in checks if c.get("naive_timeout")]
    if timeouts:
        out.append(
            f"- naive ORM timed out ({data.get('naive_timeout_s')} s per call) in "
            + ", ".join(f"{c['scenario']} {c['centre']} {c['radius']}" for c in timeouts)
            + ": not checked, not timed"
        )
    for c in bad:
        out.append(f"  - MISMATCH {c['scenario']} {c['centre']} {c['radius']}: {c['problems']}")
    for note in data.get("notes", []):
        out.append(f"- note: {note}")
    plans = data.get("plans", {})
    if plans:
        out.append(
            "- iterations: "
            + ", ".join(f"{k} up to {p['iterations']} in {p['budget']} s" for k, p in plans.items())
            + " per cell (after warm-up); times in ms"
        )
    return out


def targets_table(merged: dict[str, Any]) -> str:
    lines = ["| target | what | limit | " + " | ".join(merged["backends"]) + " |",
             "|" + "---|" * (3 + len(merged["backends"]))]  # fmt: skip
    for tid, what, scenario, centre, layer, pct, limit in TARGETS:
        values = []
        for data in merged["backends"].values():
            row = _index(data["rows"]).get((scenario, centre, 25), {}).get(layer)
            values.append(f"{_ms(row[pct])} ms" if row and pct in row else "not measured")
        lines.append(f"| {tid} | {what} | <= {limit:g} ms {pct} | " + " | ".join(values) + " |")
    # Ratios and memory.
    values = []
    for data in merged["backends"].values():
        row = _index(data["rows"]).get(("S2", "median", 25), {})
        values.append(_fmt_ratio(_ratio(row.get("naive"), row.get("search"))))
    lines.append(
        "| R_naive | naive ORM / search(), S2 median 25 mi, p50 | >= 20x | "
        + " | ".join(values)
        + " |"
    )
    values = []
    for data in merged["backends"].values():
        row = _index(data["rows"]).get(("S2", "dense", 25), {})
        values.append(_fmt_ratio(_ratio(row.get("http_html"), row.get("search"), "p95")))
    lines.append(
        "| R_frame | full request / search(), S2 dense 25 mi, p95 | <= 2x | "
        + " | ".join(values)
        + " |"
    )
    values = []
    for data in merged["backends"].values():
        rss = data.get("memory", {}).get("after_run_kb", {}).get("VmRSS")
        values.append(f"{rss / 1024:,.0f} MB" if rss else "not measured")
    lines.append("| RSS | gunicorn worker after the run | <= 300 MB | " + " | ".join(values) + " |")
    return "\n".join(lines)


def markdown_report(merged: dict[str, Any], source: str = "") -> str:
    m = merged["machine"]
    parts = [
        f"### {merged['size']:,} profiles: {', '.join(merged['backends'])}",
        "",
        f"Machine: {m['cpu']}, {m['cpus']} CPUs, {m['memory_gb']} GB, {m['os']}, Python {m['python']};"
        f" git {m['git']}; {m['timestamp']}; load average {m.get('load_average_start')} at start,"
        f" {m.get('load_average_end')} at end." + (f" Source: `{source}`." if source else ""),
    ]
    shas = {data.get("git") for data in merged["backends"].values() if data.get("git")}
    if len(shas) > 1:
        parts += ["", f"**Warning: the code changed between backends ({', '.join(sorted(shas))}):"
                  " compare them with care.**"]  # fmt: skip
    for backend, data in merged["backends"].items():
        git = f" (git {data['git']})" if data.get("git") else ""
        parts += ["", f"#### {backend}{git}", "", *_facts(data), "", backend_table(data)]
    ratio = backend_ratio_table(merged)
    if ratio:
        parts += ["", "#### PostgreSQL / SQLite (p50)", "", ratio]
    parts += [
        "",
        "#### Targets (performance.md; they apply at 1M profiles)",
        "",
        targets_table(merged),
    ]
    return "\n".join(parts)


def text_report(merged: dict[str, Any]) -> str:
    return markdown_report(merged)
