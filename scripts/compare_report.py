#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare the `paper` object of a dnsyn JSON report with a reference file.

The reference is either a ../shared/traces/oracle/<stem>.json file (the
`paper` keys at its top level) or a generator sidecar ({"paper": {...}}).
Prints one line per differing field; exit 0 when equal, 1 when not, 2 on
unreadable input.
"""
import argparse
import json
import sys

FIELDS = ["table1", "table2", "table3_top10_syn_dports", "table4_matched_syn_dports",
          "delay_hist_10ms", "aaaa_extension", "dns_queries", "dns_rcodes",
          "queries_per_client"]
# table2 in the references carries extra keys (v4/v6 split); compare those
# that dnsyn's paper object defines.


def diff(path, a, b, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                out.append(f"{path}.{k}: missing in dnsyn (reference {json.dumps(b[k])[:120]})")
            elif k not in b:
                out.append(f"{path}.{k}: not in reference (dnsyn {json.dumps(a[k])[:120]})")
            else:
                diff(f"{path}.{k}", a[k], b[k], out)
    elif a != b:
        out.append(f"{path}: dnsyn {json.dumps(a)[:200]} != reference {json.dumps(b)[:200]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report")
    ap.add_argument("reference")
    ap.add_argument("--fields", default=",".join(FIELDS),
                    help="comma-separated paper fields to compare")
    args = ap.parse_args()
    try:
        with open(args.report) as f:
            rep = json.load(f)["paper"]
        with open(args.reference) as f:
            ref = json.load(f)
    except (OSError, ValueError, KeyError) as e:
        print(f"compare_report: {e}", file=sys.stderr)
        return 2
    ref = ref.get("paper", ref)
    out = []
    for field in args.fields.split(","):
        r = ref.get(field)
        if r is None:
            continue
        a = rep.get(field)
        if field == "table2" and isinstance(a, dict):
            r = {k: v for k, v in r.items() if k in a}
        if field == "delay_hist_10ms" and isinstance(r, dict):
            r = {k: v for k, v in r.items()}
        diff(field, a, r, out)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
