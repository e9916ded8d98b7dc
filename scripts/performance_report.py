#!/usr/bin/env python3
"""Writes docs/performance.md from one `restaking-node benchmark pallet` run.

Usage: performance_report.py <dir with pallet_*.json> <command that produced them>

Weights are computed from the raw results the way the runtime charges them: the median
extrinsic time at the given component values, plus reads and writes at RocksDB's weights
(25 us a read, 100 us a write). Block capacity uses the runtime's 2 s block with 75% for normal
extrinsics and the base weight every extrinsic pays.
"""

import json
import os
import statistics
import sys

READ_PS = 25_000_000
WRITE_PS = 100_000_000
PS_PER_NS = 1_000
BLOCK_PS = 2 * 10**12
NORMAL_BLOCK_PS = BLOCK_PS * 75 // 100
# The runtime's `MaxCascadesPerBlock` (runtime/src/configs/mod.rs); `MaxSlashesPerBlock` and
# `MaxServicesPerRestaker` are the largest components of the benchmarks themselves.
MAX_CASCADES_PER_BLOCK = 4
# The runtime's `MaxSweepPerBlock`: restakers the era sweep visits per block, and departure
# records pruned per block (each pruning: 2 reads and 2 writes).
MAX_SWEEP_PER_BLOCK = 4
EXTRINSIC_BASE_PS = 125_000_000  # frame_support's ExtrinsicBaseWeight, rounded up


def load(path):
    with open(path) as f:
        return json.load(f)


def name(raw):
    return raw if isinstance(raw, str) else bytes(raw).decode()


def results(batches, pallet, benchmark):
    for b in batches:
        if name(b["pallet"]) == pallet and name(b["benchmark"]) == benchmark:
            return b
    raise KeyError(f"{pallet}::{benchmark} not in the run")


def components(result):
    return {name(c[0]) if not isinstance(c[0], dict) else list(c[0])[0]: c[1]
            for c in result["components"]}


def weight(batches, pallet, benchmark, **fixed):
    """Weight in picoseconds at the given component values (others at their maximum)."""
    b = results(batches, pallet, benchmark)

    def pick(rows):
        if not rows:
            return []
        names = components(rows[0]).keys()
        target = {}
        for n in names:
            values = [components(r)[n] for r in rows]
            target[n] = fixed.get(n, max(values))
        return [r for r in rows if components(r) == target]

    times = [r["extrinsic_time"] for r in pick(b["time_results"])]
    db = pick(b["db_results"]) or pick(b["time_results"])
    if not times or not db:
        raise KeyError(f"{pallet}::{benchmark} has no result at {fixed}")
    reads, writes = db[0]["reads"], db[0]["writes"]
    time_ps = statistics.median(times) * PS_PER_NS
    return time_ps + reads * READ_PS + writes * WRITE_PS, reads, writes, time_ps


def per_block(w):
    return NORMAL_BLOCK_PS // (w + EXTRINSIC_BASE_PS)


def line(label, value, target, met, note=""):
    verdict = "met" if met else "**missed**"
    return f"| {label} | {value} | {target} | {verdict} | {note} |"


def main():
    out_dir, command = sys.argv[1], sys.argv[2]
    batches = []
    for f in sorted(os.listdir(out_dir)):
        if f.startswith("pallet_") and f.endswith(".json"):
            batches += load(os.path.join(out_dir, f))
    throughput_path = os.path.join(out_dir, "throughput.json")
    throughput = load(throughput_path) if os.path.exists(throughput_path) else None

    R = "pallet_restaking"
    try:
        nominate, _, _, _ = weight(batches, "pallet_staking", "nominate", n=1)
    except KeyError:
        nominate = None
    bond, bond_reads, bond_writes, _ = weight(batches, "pallet_staking", "bond")
    transfer, _, _, _ = weight(batches, "pallet_balances", "transfer_keep_alive")
    opt_in, opt_in_reads, opt_in_writes, _ = weight(batches, R, "opt_in")
    # What the runtime charges on top of the benchmark (`Pallet::opt_in_weight`): the validator
    # status, a rule change waiting (coverage) and the total bonded stake (concentration cap),
    # which the benchmark's service does not ask for.
    OPT_IN_EXTRA_READS = 3
    opt_in += OPT_IN_EXTRA_READS * READ_PS
    opt_in_reads += OPT_IN_EXTRA_READS
    opt_out, opt_out_reads, opt_out_writes, _ = weight(batches, R, "opt_out")

    rows = []
    misses = []
    for call, w in (("opt_in", opt_in), ("opt_out", opt_out)):
        if nominate:
            rows.append(line(f"`{call}` / `nominate(1)`", f"{w / nominate:.2f}", "<= 1.0",
                             w / nominate <= 1.0))
        else:
            rows.append(line(f"`{call}` / `nominate(1)`", "not measured", "<= 1.0", False,
                             "the run has no `pallet_staking::nominate` result"))
    for call, w, reads, writes in (("opt_in", opt_in, opt_in_reads, opt_in_writes),
                                   ("opt_out", opt_out, opt_out_reads, opt_out_writes)):
        met = w / bond <= 1.0
        note = f"storage reads / writes: {reads} / {writes}; `bond`: {bond_reads} / {bond_writes}"
        rows.append(line(f"`{call}` / `bond` (stretch)", f"{w / bond:.2f}", "<= 1.0", met, note))
        if not met:
            misses.append(
                f"- **`{call}` / `bond` (the stretch target): {w / bond:.2f}.** `{call}` reads "
                f"{reads} storage items and writes {writes}; `bond` reads {bond_reads} and writes "
                f"{bond_writes}. At 25 us a read, the extra reads outweigh the computation"
                + (": `opt_in` must read the service, the stash's staking ledger (bonded "
                   "controller, ledger, account), whether it is a virtual staker, its position, "
                   "the active era, its departure record, its restaking ledger and the service's "
                   "reward accumulator" if call == "opt_in" else "")
                + ". The primary target, against `nominate(1)`, is met.\n")

    scaling = []
    for bench, extra in (("report_offence", {}), ("apply_slash", {}), ("resync", {})):
        b = results(batches, R, bench)
        rs = sorted({components(r)["r"] for r in b["time_results"]})
        lo, hi = rs[0], rs[-1]
        w_lo, reads_lo, writes_lo, _ = weight(batches, R, bench, r=lo, **extra)
        w_hi, reads_hi, writes_hi, _ = weight(batches, R, bench, r=hi, **extra)
        ratio = w_hi / w_lo
        if (reads_lo, writes_lo) == (reads_hi, writes_hi):
            note = (f"same storage accesses at both ends ({reads_lo} reads, {writes_lo} writes): "
                    "no loop over restakers; both ends run on a chain of "
                    f"{hi} other bonded stashes, of which {lo} or {hi} restake: the time "
                    "difference is the larger `Positions` map and run-to-run noise")
        else:
            note = f"reads {reads_lo} -> {reads_hi}, writes {writes_lo} -> {writes_hi}"
        label = {"report_offence": "report of a slash", "apply_slash": "application of a slash",
                 "resync": "cascade re-sync"}[bench]
        rows.append(line(f"{label}: weight at r={hi} / at r={lo} restakers (`{bench}`)",
                         f"{ratio:.3f}", "<= 1.10", ratio <= 1.10, note))
        if ratio > 1.10:
            misses.append(
                f"- **`{bench}` at {hi} restakers: {ratio:.3f}.** {note}. The extra time is "
                "spent walking a larger state trie, not in this pallet's code; it is counted as "
                "missed because the ratio is above 1.10.\n")
        scaling.append((bench, lo, hi, w_lo, w_hi))

    _, hook_reads, hook_writes, _ = weight(batches, R, "on_slash_hook")
    rows.append(line("`on_slash` hook: reads / writes", f"{hook_reads} / {hook_writes}",
                     "<= 1 / <= 1", hook_reads <= 1 and hook_writes <= 1))

    due, *_ = weight(batches, R, "apply_due_slashes")
    resync_max, *_ = weight(batches, R, "resync")
    hook, *_ = weight(batches, R, "on_slash_hook")
    idle, *_ = weight(batches, R, "on_initialize_idle")
    sweep = MAX_SWEEP_PER_BLOCK * (resync_max + READ_PS)
    pruning = MAX_SWEEP_PER_BLOCK * (2 * READ_PS + 2 * WRITE_PS)
    worst_init = idle + due + MAX_CASCADES_PER_BLOCK * (resync_max + hook) + sweep + pruning
    n_max = max(components(r)["n"] for r in results(batches, R, "resync")["time_results"])
    s_max = max(components(r)["s"]
                for r in results(batches, R, "apply_due_slashes")["time_results"])

    opt_ins, transfers = per_block(opt_in), per_block(transfer)
    rows.append(line("opt-ins per full block / `transfer_keep_alive` per block",
                     f"{opt_ins} / {transfers} = {opt_ins / transfers:.2f}", ">= 0.25",
                     opt_ins / transfers >= 0.25))

    if throughput:
        t, r = throughput["transfers"], throughput["restaking"]
        rows.append(line("dev node: restaking extrinsics per second / transfers per second",
                         f"{r['perSecond']:.1f} / {t['perSecond']:.1f} = {throughput['ratio']:.2f}",
                         ">= 0.25", throughput["ratio"] >= 0.25,
                         f"{t['extrinsics']} of each from 6 signers, included over {t['blocks']} "
                         f"and {r['blocks']} blocks; one client signs and submits them in "
                         "sequence, so this measures the node end to end at the client's pace, "
                         "not block capacity (see the per-block line)"))
    else:
        rows.append(line("dev node: restaking extrinsics per second / transfers per second",
                         "not measured", ">= 0.25", False, "run e2e/bench/throughput.js"))

    print("# Performance of pallet-restaking against pallet-staking")
    print()
    print("Generated by `scripts/performance_report.py` from one benchmark run of")
    print("`pallet_restaking`, `pallet_staking` and `pallet_balances` on the same machine and")
    print("the same node binary (a release build with `runtime-benchmarks`). Reproduce with:")
    print()
    print("```sh")
    print(command)
    print("```")
    print()
    print("Weights are the median extrinsic time at the given components plus reads at 25 us")
    print("and writes at 100 us (RocksDB weights), as the runtime charges them. Targets are")
    print("ratios, so the machine cancels out; absolute figures are for reference.")
    print()
    print("| measure | value | target | result | note |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(r)
    print()
    print("## Absolute weights (ref time, us, with DB reads and writes)")
    print()
    print("| call | weight |")
    print("|---|---|")
    for label, w in (("pallet_staking::bond", bond),
                     ("pallet_balances::transfer_keep_alive", transfer),
                     ("pallet_restaking::opt_in", opt_in), ("pallet_restaking::opt_out", opt_out)):
        print(f"| `{label}` | {w / 1e6:.1f} |")
    for bench, lo, hi, w_lo, w_hi in scaling:
        print(f"| `pallet_restaking::{bench}` at r={lo} / r={hi} | {w_lo / 1e6:.1f} / {w_hi / 1e6:.1f} |")
    print(f"| worst-case `on_initialize`: {s_max} due slashes + {MAX_CASCADES_PER_BLOCK} cascade "
          f"re-syncs + {MAX_SWEEP_PER_BLOCK} sweep re-syncs at n={n_max} + "
          f"{MAX_SWEEP_PER_BLOCK} departure prunings | {worst_init / 1e6:.1f} "
          f"({100 * worst_init / BLOCK_PS:.1f}% of a 2 s block) |")
    cancel_all, *_ = weight(batches, R, "cancel_all_slashes")
    print(f"| `pallet_restaking::cancel_all_slashes` at its bound | {cancel_all / 1e6:.1f} |")
    print()
    print("## Reading the results")
    print()
    if misses:
        print("".join(misses), end="")
    else:
        print("- Every target is met.")
    print(NOTES, end="")


NOTES = """- **How restakers scale.** Reports, applications and re-syncs read and write the same
  storage at 1 and at 1,000 restakers in the service: nothing loops over stakers. Both ends run
  on a chain of 1,000 other bonded stashes (the benchmarks bond the ones that do not restake),
  so pallet-staking's maps are the same size; what grows is this pallet's `Positions` map, and
  with it the trie path of each read in it.
- **The throughput line** is measured end to end on the dev node; one client signs and submits
  in sequence, so both rates are the client's. The per-block line is the capacity comparison.
- **Weights in `weights.rs`** come from the same run and carry its command in their header.
"""


if __name__ == "__main__":
    main()
