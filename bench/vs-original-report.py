#!/usr/bin/env python3
"""bench/vs-original.sh's analysis: our whole run against the original's, from one VM boot.

   vs-original-report.py DIR ITERATIONS

DIR holds runs.txt (side, round, exit, guest uptime before/after, attempts), our records
ours-K.jsonl and the original's output orig-K.json (keys like idle_available_bytes_order0).
"""
import importlib.util
import json
import os
import statistics
import sys

# The goals of issue #25: time ratio by iteration count, memory per process, idle bytes apart.
TIME_GOAL = {2: 0.6, 5: 0.4}
MEMORY_GOAL_MIB = 8
IDLE_GOAL_PCT = 1.0


def run_cost():
    """bench/run-cost-report.py's reading of our records (memory at each fill's start)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run-cost-report.py")
    spec = importlib.util.spec_from_file_location("run_cost_report", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    out, iterations = sys.argv[1], int(sys.argv[2])
    runs = []
    for line in open(f"{out}/runs.txt"):
        side, k, rc, u0, u1, tries = line.split()
        runs.append({"side": side, "k": int(k), "rc": int(rc), "guest": float(u1) - float(u0), "tries": int(tries)})
    times = {s: [r["guest"] for r in runs if r["side"] == s and r["rc"] == 0] for s in ("ours", "orig")}
    retried = sum(r["tries"] - 1 for r in runs if r["side"] == "orig")

    print(f"Whole run, guest time (--iterations {iterations}; module load and unload included)")
    for side, name in (("ours", "ours"), ("orig", "original")):
        total = sum(1 for r in runs if r["side"] == side)
        v = times[side]
        if v:
            print(f"{name:<10} {len(v)}/{total} ok  median {statistics.median(v):6.1f} s  ({min(v):.1f} … {max(v):.1f})")
        else:
            print(f"{name:<10} 0/{total} ok")
    if retried:
        print(f"(the original's parent was OOM-killed {retried} time(s) and that attempt retried, not counted)")
    if times["ours"] and times["orig"]:
        ratio = statistics.median(times["ours"]) / statistics.median(times["orig"])
        goal = TIME_GOAL.get(iterations)
        verdict = f" (goal ≤ {goal}×: {'met' if ratio <= goal else 'not met'})" if goal else ""
        pairs = {}
        for r in runs:
            if r["rc"] == 0:
                pairs.setdefault(r["k"], {})[r["side"]] = r["guest"]
        per_round = [p["ours"] / p["orig"] for p in pairs.values() if len(p) == 2]
        spread = f", per round {min(per_round):.2f} … {max(per_round):.2f}×" if per_round else ""
        print(f"ours / original: {ratio:.2f}×{verdict}{spread}")

    rc = run_cost()
    print(f"\nOur resident processes at each fill's start, MiB (median, max; goal ≤ {MEMORY_GOAL_MIB} MiB each)")
    procs = {}
    ours_idle = []
    for r in runs:
        if r["side"] != "ours" or r["rc"] != 0:
            continue
        recs = [json.loads(x) for x in open(f"{out}/ours-{r['k']}.jsonl") if x.strip()]
        for key, v in rc.memory(recs).items():
            agg = procs.setdefault(key, {"rss": [], "pss": [], "anon": []})
            for m in agg:
                agg[m] += v.get(m, [])
        ours_idle += [x["value"] for x in recs if x.get("type") == "metric"
                      and x.get("metric") == "idle_available_bytes" and x.get("order") == 0]
    worst = 0.0
    for (name, label), v in sorted(procs.items()):
        parts = []
        for m in ("rss", "pss", "anon"):
            if v[m]:
                parts.append(f"{m} {statistics.median(v[m]):.1f} ({max(v[m]):.1f})")
                worst = max(worst, max(v[m]))
        print(f"{name:<20} {label:<12} " + ", ".join(parts))
    if procs:
        print(f"largest: {worst:.1f} MiB ({'met' if worst <= MEMORY_GOAL_MIB else 'not met'})")

    orig_idle = []
    for r in runs:
        if r["side"] == "orig" and r["rc"] == 0:
            with open(f"{out}/orig-{r['k']}.json") as f:
                orig_idle += json.load(f).get("idle_available_bytes_order0", [])
    print(f"\nIdle available bytes, order 0 (median over every iteration; goal: within {IDLE_GOAL_PCT} %)")
    if ours_idle and orig_idle:
        a, b = statistics.median(ours_idle), statistics.median(orig_idle)
        diff = 100 * (a - b) / b
        mib = 1 << 20
        print(f"ours {a / mib:.2f} MiB ({len(ours_idle)}), original {b / mib:.2f} MiB ({len(orig_idle)}): "
              f"{diff:+.2f} % ({'met' if abs(diff) <= IDLE_GOAL_PCT else 'not met'})")
    else:
        print("not measured (a side has no successful run)")


if __name__ == "__main__":
    main()
