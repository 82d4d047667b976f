#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""--key client keys the table by (client, address): it must give exactly
the dst+client figures that the address key gives (which computes both
variants), with 1 and 2 shards, and null (not 0) for the dst-only ones.

Inputs: generated traces (one of ~150k packets with thousands of clients)
and the real captures when ../shared/traces is there.

Usage: keymode.py DNSYN DNSYN_GEN TRACES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

VAR = "dst_and_client"


def run(dnsyn, pcap, out, *opts):
    cmd = [dnsyn, "--quiet", "--pcap", pcap, "--report-json", out, *opts]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    with open(out) as f:
        return json.load(f)


def client_figures(rep):
    """Everything the dst+client variant determines in a report."""
    p, d = rep["paper"], rep["delay"]
    return {
        "table2.matched": p["table2"]["matched_dst_and_client"],
        "table2.answers": p["table2"]["matched_answers_dst_and_client"],
        "table4": p["table4_matched_syn_dports"][VAR],
        "hist": p["delay_hist_10ms"][VAR],
        "aaaa.matched": p["aaaa_extension"]["matched_syns_dst_and_client"],
        "aaaa.answers": p["aaaa_extension"]["matched_answers_dst_and_client"],
        "delay_sum": rep["detail"]["delay_sum_ns_dst_and_client"],
        "log_hist": d["log_hist"][VAR],
        "exp_fit": d["exp_fit"][VAR],
        "table1": p["table1"],
        "total_syn": p["table2"]["total_syn"],
    }


def dst_only_nulls(rep):
    """The dst-only figures a client-keyed report must leave null."""
    p, d = rep["paper"], rep["delay"]
    return [p["table2"]["matched_dst_only"], p["table2"]["matched_answers_dst_only"],
            p["table4_matched_syn_dports"]["dst_only"], p["delay_hist_10ms"]["dst_only"],
            p["aaaa_extension"]["matched_syns_dst_only"], d["log_hist"]["dst_only"],
            d["exp_fit"]["dst_only"], rep["detail"]["delay_sum_ns_dst_only"]]


def main():
    dnsyn, gen, traces = sys.argv[1], sys.argv[2], sys.argv[3]
    failed = checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        inputs = []
        for scen, count in (("basic", 20000), ("v6", 1000)):
            prefix = os.path.join(tmp, f"{scen}{count}")
            subprocess.run([gen, "--scenario", scen, "--seed", "7", "--count", str(count),
                            "--out", prefix], check=True, capture_output=True)
            inputs.append(prefix + ".pcap")
        pcaps = os.path.join(traces, "pcaps")
        if os.path.isdir(pcaps):
            inputs += sorted(os.path.join(pcaps, f) for f in os.listdir(pcaps))
        else:
            print(f"note: {pcaps} missing, generated traces only")
        out = os.path.join(tmp, "r.json")
        for pcap in inputs:
            name = os.path.basename(pcap)
            ref = run(dnsyn, pcap, out)
            if ref["input"]["key"] != "address":
                print(f"FAIL {name}: default key is {ref['input']['key']}")
                failed += 1
            want = client_figures(ref)
            for shards in (1, 2):
                rep = run(dnsyn, pcap, out, "--key", "client", "--shards", str(shards))
                got = client_figures(rep)
                bad = [k for k in want if want[k] != got[k]]
                if rep["input"]["key"] != "client":
                    bad.append("input.key")
                if any(v is not None for v in dst_only_nulls(rep)):
                    bad.append("dst-only figures not null")
                checked += 1
                if bad:
                    failed += 1
                    print(f"FAIL {name} --key client --shards {shards}: {', '.join(bad)}")
            # The generated trace must exercise the comparison, not pass on zeros.
            if name.startswith("basic") and want["table2.matched"] == 0:
                print(f"FAIL {name}: no dst+client match at all")
                failed += 1
    print(f"{checked} client-keyed runs compared, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
