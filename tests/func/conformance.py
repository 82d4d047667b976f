#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run dnsyn on every capture of a directory and compare its JSON report's
`paper` object with the reference file of the same stem, field by field.

Usage: conformance.py DNSYN PCAP_DIR REF_DIR [--suffix .json] [--only a,b]
Prints a table of captures and agreement; a mismatch prints the differing
fields. Exit 0 all equal, 1 any difference or dnsyn failure, 77 (skip) when
PCAP_DIR does not exist.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "compare_report", os.path.join(HERE, "..", "..", "scripts", "compare_report.py"))
compare_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_report)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dnsyn")
    ap.add_argument("pcap_dir")
    ap.add_argument("ref_dir")
    ap.add_argument("--only", default="", help="comma-separated stems")
    ap.add_argument("--extra", default="", help="extra dnsyn options")
    args = ap.parse_args()
    if not os.path.isdir(args.pcap_dir):
        print(f"SKIP: {args.pcap_dir} not found (the shared traces sit beside the checkout)")
        return 77
    pcaps = sorted(f for f in os.listdir(args.pcap_dir) if f.endswith((".pcap", ".pcapng")))
    only = set(filter(None, args.only.split(",")))
    failed = 0
    compared = 0
    print(f"{'capture':44} {'answers':>7} {'A RRs':>6} {'SYNs':>5} {'matched':>8} result")
    with tempfile.TemporaryDirectory() as tmp:
        for name in pcaps:
            stem = name.rsplit(".", 1)[0]
            if only and stem not in only:
                continue
            ref = os.path.join(args.ref_dir, stem + ".json")
            if not os.path.exists(ref):
                continue
            out = os.path.join(tmp, stem + ".json")
            cmd = [args.dnsyn, "--pcap", os.path.join(args.pcap_dir, name), "--quiet",
                   "--report-json", out] + args.extra.split()
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            compared += 1
            if r.returncode != 0:
                failed += 1
                print(f"{stem:44} dnsyn exit {r.returncode}: {r.stderr.strip()[:300]}")
                continue
            with open(out) as f:
                rep = json.load(f)["paper"]
            with open(ref) as f:
                refd = json.load(f)
            refd = refd.get("paper", refd)
            diffs = []
            for field in compare_report.FIELDS:
                if field not in refd:
                    continue
                r_val = refd[field]
                if field == "table2":
                    r_val = {k: v for k, v in r_val.items() if k in rep.get("table2", {})}
                compare_report.diff(field, rep.get(field), r_val, diffs)
            t1, t2 = rep["table1"], rep["table2"]
            res = "agree" if not diffs else f"DIFFER ({len(diffs)} fields)"
            print(f"{stem:44} {t1['dns_answers']:7} {t1['total_A_RRs']:6} {t2['total_syn']:5} "
                  f"{t2['matched_dst_only']:4}/{t2['matched_dst_and_client']:<3} {res}")
            for d in diffs:
                print(f"    {d}")
            failed += bool(diffs)
    print(f"{compared - failed} of {compared} captures agree")
    return 1 if failed or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
