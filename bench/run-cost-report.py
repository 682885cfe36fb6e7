#!/usr/bin/env python3
"""bench/run-cost.sh's analysis: where a page-alloc-bench run's guest time goes, from its records.

   run-cost-report.py DIR SIDE...

DIR holds runs.txt (side, round, exit, guest uptime before/after, wall before | after) and each
run's records SIDE-K.jsonl. Each stretch between two records is put down to what the later record
ends: a fill (its child's start, the fill, and the kill and record after it), a tool's start, the
antagonist's ramp-up, its results, the module's load and unload; after the last record, the report.
"""
import json
import statistics
import sys
from datetime import datetime

REFERENCE_S = 13 / 2 * 5  # the original: 13 s for 2 iterations; 5 is the default
GOAL_S = 30


def when(text):
    # "2026-12-03T10:41:12.5729844+00:00" or "2026-12-03 10:47:27.482591766 +0000"
    text = text.strip().replace(" +0000", "+00:00").replace(" ", "T")
    head, _, tz = text.partition("+")
    if "." in head:
        base, frac = head.split(".")
        head = base + "." + (frac + "000000")[:6]
    return datetime.fromisoformat(head + "+" + (tz or "00:00")).timestamp()


def breakdown(records, t0, t1):
    """Seconds per kind of work, and the iteration times per (label, order)."""
    cost = {}

    def add(kind, seconds):
        cost[kind] = cost.get(kind, 0.0) + max(seconds, 0.0)

    recs = sorted(records, key=lambda r: when(r["time"]))
    iterations = {}
    prev_t, prev = t0, None
    pending_first = []  # (label, order, rest) of a pab-exhaust process's first fill
    rests = {}  # kill-and-record time of every other fill, by (label, order)
    for r in recs:
        t = when(r["time"])
        gap = t - prev_t
        tool, kind = r.get("tool"), r.get("type")
        d = r.get("details") or {}
        if tool == "pab-exhaust" and kind == "metric":
            child, fill = d.get("child_start_s", 0), d.get("duration_s", 0)
            add("child starts", child)
            add("fills", fill)
            rest = gap - child - fill
            key = (r.get("label"), r.get("order"))
            first = not (prev and prev.get("tool") == "pab-exhaust" and prev.get("type") == "metric"
                         and (prev.get("label"), prev.get("order")) == key)
            if first:
                pending_first.append((key, rest))
            else:
                add("OOM kills and records", rest)
                rests.setdefault(key, []).append(rest)
                iterations.setdefault(key, []).append(gap)
        elif kind == "meta" and d.get("process_age_s", 0) > gap + 0.5:
            # A process already running names its next order (one antagonist and one pab-exhaust serve all).
            add("next order's set-up", gap)
        elif tool == "pab-antagonize" and kind == "meta":
            add("tool starts (.NET)", gap)
        elif tool == "pab-antagonize" and r.get("event") in ("pinned", "steady"):
            add("antagonist ramp-up", gap)
        elif tool == "pab-antagonize" and r.get("event") == "command":
            add("tool starts (.NET)", gap)
        elif tool == "pab-antagonize":
            add("antagonist stop and results", gap)
        elif tool == "pab-load":
            add("module load/unload (pab-load, its starts too)", gap)
        elif kind == "meta":
            add("tool starts (.NET)", gap)
        else:
            add("other", gap)
        prev_t, prev = t, r
    # A process's first fill also carried that process's start: take off a kill like its others.
    for key, rest in pending_first:
        typical = statistics.median(rests[key]) if rests.get(key) else 0.0
        add("OOM kills and records", min(rest, typical))
        add("tool starts (.NET)", rest - typical)
    add("report (pab-report) and the rest", t1 - prev_t)
    return cost, iterations


def memory(records):
    """Peak rss/pss/anon of our resident processes, by process, in MiB."""
    mib = 1 << 20
    procs = {}
    for r in records:
        d = r.get("details") or {}
        for prefix, name in (("parent_", "pab-exhaust parent"), ("antagonist_", "pab-antagonize")):
            # The antagonist's at each phase's start (phase: idle, steady: antagonized), as pab-exhaust's at each fill's.
            if prefix == "antagonist_" and r.get("event") not in ("phase", "steady"):
                continue
            if prefix + "pss_bytes" in d:
                label = r.get("label") or "?"
                p = procs.setdefault((name, label), {"rss": [], "pss": [], "anon": []})
                for k in ("rss", "pss", "anon"):
                    p[k].append(d[f"{prefix}{k}_bytes"] / mib)
        if "parent_rss_bytes" in d and "parent_pss_bytes" not in d:
            p = procs.setdefault(("pab-exhaust parent", r.get("label") or "?"), {"rss": [], "pss": [], "anon": []})
            p["rss"].append(d["parent_rss_bytes"] / mib)
    return procs


def cv_idle(records):
    by = {}
    for r in records:
        if r.get("type") == "metric" and r.get("metric") == "idle_available_bytes":
            by.setdefault(r.get("order"), []).append(r["value"])
    return {o: 100 * statistics.stdev(v) / statistics.mean(v) for o, v in by.items() if len(v) > 1}


def main():
    out, sides = sys.argv[1], sys.argv[2:]
    runs = {}
    for line in open(f"{out}/runs.txt"):
        left, _, w1 = line.partition("|")
        side, k, rc, u0, u1, *w0 = left.split()
        runs.setdefault(side, []).append((int(k), int(rc), float(u1) - float(u0), when(" ".join(w0)), when(w1)))
    results = {}
    for side in sides:
        per = []
        for k, rc, guest, w0, w1 in runs.get(side, []):
            recs = [json.loads(x) for x in open(f"{out}/{side}-{k}.jsonl") if x.strip()]
            cost, its = breakdown(recs, w0, w1)
            per.append({"k": k, "rc": rc, "guest": guest, "cost": cost, "its": its, "mem": memory(recs), "cv": cv_idle(recs)})
        results[side] = per

    print(f"Whole run, guest time (median over runs; reference {REFERENCE_S:.1f} s = the original's 13 s for 2 iterations scaled to 5; goal ~{GOAL_S} s)")
    print(f"{'side':<10} {'runs ok':>8} {'median':>9} {'min … max':>17} {'vs goal':>8}")
    for side in sides:
        ok = [p["guest"] for p in results[side] if p["rc"] == 0]
        if not ok:
            print(f"{side:<10} {'0/' + str(len(results[side])):>8}")
            continue
        m = statistics.median(ok)
        print(f"{side:<10} {f'{len(ok)}/{len(results[side])}':>8} {m:>7.1f} s {min(ok):>7.1f} … {max(ok):>5.1f} s {m / GOAL_S:>7.2f}×")
    if len(sides) == 2 and all(any(p["rc"] == 0 for p in results[s]) for s in sides):
        a, b = (statistics.median([p["guest"] for p in results[s] if p["rc"] == 0]) for s in sides)
        print(f"{sides[0]} / {sides[1]}: {a / b:.2f}× the guest time, measured in the same VM")

    kinds = []
    for side in sides:
        for p in results[side]:
            for kind in p["cost"]:
                if kind not in kinds:
                    kinds.append(kind)
    print("\nWhere the time goes (median seconds over runs, from the records' timestamps)")
    print(f"{'':<34}" + "".join(f"{s:>12}" for s in sides))
    for kind in kinds:
        cells = []
        for side in sides:
            vals = [p["cost"].get(kind, 0) for p in results[side] if p["rc"] == 0]
            cells.append(f"{statistics.median(vals):>10.1f} s" if vals else f"{'-':>12}")
        print(f"{kind:<34}" + "".join(cells))

    print("\nIteration time, order 0 (child start + fill + kill; first fill of each process left out)")
    for side in sides:
        idle = [g for p in results[side] for g in p["its"].get(("idle", 0), [])]
        ant = [g for p in results[side] for g in p["its"].get(("antagonized", 0), [])]
        if idle and ant:
            ratio = statistics.median(ant) / statistics.median(idle)
            verdict = "met" if ratio <= 1.5 else "not met"
            print(f"{side:<10} idle {statistics.median(idle):.2f} s, antagonized {statistics.median(ant):.2f} s: {ratio:.2f}× (goal ≤ 1.5×: {verdict})")

    print("\nOur resident processes (MiB, median of what the records say at each fill's start)")
    for side in sides:
        procs = {}
        for p in results[side]:
            for key, v in p["mem"].items():
                agg = procs.setdefault(key, {"rss": [], "pss": [], "anon": []})
                for k in agg:
                    agg[k] += v.get(k, [])
        for (name, label), v in sorted(procs.items()):
            parts = [f"{k} {statistics.median(v[k]):.1f}" for k in ("rss", "pss", "anon") if v[k]]
            print(f"{side:<10} {name:<20} {label:<12} " + ", ".join(parts))
    try:
        floor = {}
        for line in open(f"{out}/floor.smaps"):
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss", "Anonymous"):
                floor[key] = int(rest.split()[0]) / 1024
        print(f"{'floor':<10} {'empty .NET program':<20} {'':<12} rss {floor['Rss']:.1f}, pss {floor['Pss']:.1f}, anon {floor['Anonymous']:.1f}")
    except (OSError, KeyError):
        print("floor: not measured (floor.smaps missing)")
    try:
        starts = [float(b) - float(a) for a, b in (line.split() for line in open(f"{out}/floor-start.txt") if line.strip())]
        print(f"{'floor':<10} empty .NET program start: median {statistics.median(starts):.2f} s of guest time "
              f"({len(starts)} starts): each of a run's .NET processes costs at least this")
    except (OSError, ValueError, statistics.StatisticsError):
        print("floor: start not measured (floor-start.txt missing)")

    print("\nCV of idle available bytes within a run (goal < 0.2 %)")
    for side in sides:
        for order in sorted({o for p in results[side] for o in p["cv"]}):
            cvs = [p["cv"][order] for p in results[side] if order in p["cv"]]
            print(f"{side:<10} order {order}: median {statistics.median(cvs):.3f} %, max {max(cvs):.3f} %")


if __name__ == "__main__":
    main()
