#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Per-client detection wired into dnsyn (issue 7), on the generator's
realistic mix: its Blaster-like scanners (SYNs to port 135, no lookups) are
found by the pcap parse here, independently of dnsyn. dnsyn must raise
unresolved-scan on every scanner within two intervals after the warm-up, and
no alert at all on the thousands of normal clients; the JSON report lists the
same alerts as the JSON lines; every interval has its top-clients record; one
and two shards give the same alerts.

Usage: detect.py DNSYN DNSYN_GEN
"""
import collections
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402

INTERVAL = 3
WARMUP = 5  # the detector's default warm-up, in intervals (docs/detection.md)


def scanners(pcap):
    """Sources of at least 20 SYNs to port 135 (the generator's scanners)."""
    with open(pcap, "rb") as f:
        raw = f.read()
    syn135, queriers, first = collections.Counter(), set(), None
    off = 24
    while off + 16 <= len(raw):
        sec, usec, caplen = struct.unpack("<III", raw[off:off + 12])
        fr, off = raw[off + 16:off + 16 + caplen], off + 16 + caplen
        first = first if first is not None else sec
        if len(fr) < 34 or fr[12:14] != b"\x08\x00":
            continue
        ihl, proto, src = (fr[14] & 15) * 4, fr[23], fr[26:30]
        l4 = 14 + ihl
        if proto == 6 and len(fr) >= l4 + 14:
            dport, flags = struct.unpack(">H", fr[l4 + 2:l4 + 4])[0], fr[l4 + 13]
            if dport == 135 and flags & 0x12 == 0x02:
                syn135[src] += 1
        elif proto == 17 and len(fr) >= l4 + 8:
            if struct.unpack(">H", fr[l4 + 2:l4 + 4])[0] == 53:
                queriers.add(src)
    return {socket.inet_ntoa(a) for a, n in syn135.items() if n >= 20}, first


def run(dnsyn, pcap, tmp, shards, extra=()):
    jl, rep = os.path.join(tmp, f"d{shards}.jsonl"), os.path.join(tmp, f"d{shards}.json")
    r = subprocess.run([dnsyn, "--pcap", pcap, "--quiet", "--jsonl", jl, "--report-json", rep,
                        "--interval", str(INTERVAL), "--shards", str(shards)] + list(extra),
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"dnsyn: exit {r.returncode}: {r.stderr[-400:]}")
    with open(jl) as f:
        lines = [json.loads(x) for x in f]
    with open(rep) as f:
        return lines, json.load(f), r.stderr


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    check = Checks()

    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "mix")
        subprocess.run([gen, "--scenario", "mix", "--seed", "3", "--packets", "400000", "--out",
                        prefix], check=True, capture_output=True)
        truth, _ = scanners(prefix + ".pcap")
        check("the trace has scanners", len(truth) >= 2, truth)
        lines, rep, err = run(dnsyn, prefix + ".pcap", tmp, 1)
        ivs = [x for x in lines if x["record"] == "interval"]
        alerts = [x for x in lines if x["record"] == "alert"]
        tops = [x for x in lines if x["record"] == "top_clients"]
        starts = sorted(x["start_s"] for x in ivs)
        flagged = {a["client"] for a in alerts if a["detector"] == "unresolved-scan"}
        check("every scanner raises unresolved-scan (recall 1)", truth <= flagged,
              (sorted(truth - flagged), len(starts)))
        check("no alert on a normal client (precision 1)",
              all(a["client"] in truth for a in alerts),
              [(a["detector"], a["client"], a["reason"]) for a in alerts if a["client"] not in truth])
        t0 = starts[0] if starts else 0
        when = {}
        for a in alerts:
            s = [x["start_s"] for x in ivs if x["time"] == a["time"]]
            if s:
                when.setdefault(a["client"], (s[0] - t0) // INTERVAL)
        check("each within two intervals after the warm-up",
              all(i <= WARMUP + 2 for i in when.values()), when)
        check("alerts have a reason and evidence",
              all(a["reason"] and a["evidence"] and a["time"].endswith("Z") for a in alerts),
              alerts[:1])
        check("the JSON report lists the same alerts",
              rep["alerts"]["total"] == len(alerts) and
              [(a["detector"], a["client"]) for a in rep["alerts"]["list"]] ==
              [(a["detector"], a["client"]) for a in alerts], rep["alerts"]["total"])
        check("the JSON report lists each interval's top clients as the JSON lines do",
              [(t["start_s"], t["clients"]) for t in rep["top_clients"]["list"]] ==
              [(t["start_s"], t["clients"]) for t in tops] and
              rep["top_clients"]["intervals"] == len(tops), rep["top_clients"]["intervals"])
        check("a top-clients record per interval",
              [t["start_s"] for t in tops] == [x["start_s"] for x in ivs] and
              any(t["clients"] for t in tops), (len(tops), len(ivs)))
        check("alerts on stderr", "alert unresolved-scan" in err, err[-300:])
        lines2, _, _ = run(dnsyn, prefix + ".pcap", tmp, 2)
        a1 = [x for x in lines if x["record"] != "interval"]
        a2 = [x for x in lines2 if x["record"] != "interval"]
        diff = [(x, y) for x, y in zip(a1, a2) if x != y][:2]
        check("two shards: the same alerts and top clients", a1 == a2, (len(a1), len(a2), diff))
        # the thresholds are the operator's: raised past the scanners, silence
        lines3, _, _ = run(dnsyn, prefix + ".pcap", tmp, 1,
                           ["--detect", "scan-syn-min=1000000", "--detect", "scan-syn-high=1000000"])
        check("--detect thresholds above the scanners: no unresolved-scan alert",
              not [x for x in lines3 if x.get("detector") == "unresolved-scan"] and
              [x for x in lines3 if x["record"] == "interval"] == ivs)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
