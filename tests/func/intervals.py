#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Interval records (--jsonl): one JSON object a line, in time order, aligned
to the interval, and adding up to the run's totals.

Usage: intervals.py DNSYN DNSYN_GEN
"""
import json
import os
import subprocess
import sys
import tempfile

SUMS = {  # interval field -> (report section, key) totals it must add up to
    "dns_answers": ("table1", "dns_answers"),
    "answers_with_A": ("table1", "answers_with_A"),
    "A_RRs": ("table1", "total_A_RRs"),
    "syn": ("table2", "total_syn"),
    "synack": ("table2", "synack"),
    "AAAA_RRs": ("aaaa_extension", "total_AAAA_RRs"),
}


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    failures = []
    passed = 0
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "basic")
        subprocess.run([gen, "--scenario", "basic", "--seed", "3", "--count", "1500", "--out",
                        prefix], check=True, capture_output=True)
        for interval in (60, 10, 3600):
            jl, rep = os.path.join(tmp, "iv.jsonl"), os.path.join(tmp, "r.json")
            r = subprocess.run([dnsyn, "--pcap", prefix + ".pcap", "--quiet", "--jsonl", jl,
                                "--interval", str(interval), "--report-json", rep],
                               capture_output=True, text=True, timeout=120)
            if r.returncode != 0:
                failures.append(f"interval {interval}: exit {r.returncode}: {r.stderr}")
                continue
            lines = [json.loads(line) for line in open(jl)]
            paper = json.load(open(rep))["paper"]
            # interval records, each followed by its alerts and top clients
            rows = [x for x in lines if x["record"] == "interval"]
            if not rows or any(x["record"] not in ("interval", "alert", "top_clients")
                               for x in lines):
                failures.append(f"interval {interval}: no interval records, or an unknown kind")
                continue
            starts = [x["start_s"] for x in rows]
            if starts != sorted(set(starts)) or any(s % interval for s in starts):
                failures.append(f"interval {interval}: starts not increasing and aligned")
            for field, (sec, key) in SUMS.items():
                got = sum(x[field] for x in rows)
                if got != paper[sec][key]:
                    failures.append(f"interval {interval}: sum of {field} {got} != {paper[sec][key]}")
            matched = paper["table2"]["matched_dst_only"] + \
                paper["aaaa_extension"]["matched_syns_dst_only"]
            got = sum(x["matched_syns_dst_only"] for x in rows)
            if got != matched:
                failures.append(f"interval {interval}: matched SYNs {got} != {matched}")
            for x in rows:
                for p in x["syn_dports"]:
                    if p["matched"] + p["unmatched"] != p["syn"]:
                        failures.append(f"interval {interval}: port split {p}")
            if not any(x.startswith(f"interval {interval}:") for x in failures):
                passed += 1
                print(f"ok   --interval {interval}: {len(rows)} records add up to the totals")
        # Without interval tables the RX lcores count SYN-ACKs and DNS answers
        # themselves (no events): the same Tables 1 and 2, the same tables,
        # fewer events.
        runs = {}
        for name, extra in (("with", ["--jsonl", os.path.join(tmp, "w.jsonl")]), ("without", [])):
            rep = os.path.join(tmp, f"{name}.json")
            subprocess.run([dnsyn, "--pcap", prefix + ".pcap", "--quiet", "--report-json", rep]
                           + extra, check=True, capture_output=True, timeout=120)
            runs[name] = json.load(open(rep))
        w, wo = runs["with"], runs["without"]
        synack = w["paper"]["table2"]["synack"]
        answers = w["paper"]["table1"]["dns_answers"]
        cw, cwo = w["counters"], wo["counters"]
        if synack == 0 or answers == 0 or w["paper"] != wo["paper"] or \
                cw["ev.synacks_counted"] != 0 or cw["ev.answers_counted"] != 0 or \
                cwo["ev.synacks_counted"] != synack or cwo["ev.answers_counted"] != answers or \
                cw["ev.sent"] - cwo["ev.sent"] != synack + answers:
            failures.append(f"SYN-ACKs, answers without interval tables: {synack}, {answers} "
                            f"in Tables 1-2 with; counted with {cw['ev.synacks_counted']}, "
                            f"{cw['ev.answers_counted']}/{cw['ev.sent']} events, without "
                            f"{cwo['ev.synacks_counted']}, {cwo['ev.answers_counted']}/"
                            f"{cwo['ev.sent']}; tables equal: {w['paper'] == wo['paper']}")
        else:
            passed += 1
            print(f"ok   without interval tables: {synack} SYN-ACKs and {answers} answers "
                  "counted by the RX lcore, the same tables")
        r = subprocess.run([dnsyn, "--pcap", prefix + ".pcap", "--jsonl",
                            os.path.join(tmp, "no", "such", "dir.jsonl")],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 2 or "--jsonl" not in r.stderr:
            failures.append(f"unwritable --jsonl: exit {r.returncode} {r.stderr}")
        else:
            passed += 1
            print("ok   unwritable --jsonl: exit 2")
    for f in failures:
        print(f"FAIL {f}")
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
