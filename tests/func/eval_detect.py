#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""func.eval_detect: the detection targets of docs/detection.md
("Evaluation"), through scripts/eval_detect on the generator's labelled day
(seed 1, 1 M packets) and the real captures.

* The labels are checked against the pcap itself, not the generator's word:
  the scanners' TCP/135 SYNs, the mass-mailer's MX queries and the flood's
  queries to the attacked resolver begin in the labelled first interval,
  and no normal client sends TCP/135 SYNs or MX storms.
* Every actor is found by each detector it expects within the target
  (ttd <= warm-up + 1: 1 interval, pl-n for a flat Dq, rp-n for a ripple).
* No alert on a normal client or resolver; no alert on any real capture
  (10 s and 1 s intervals).
* The test can fail: with the scan thresholds raised past the scanners
  (--detect), --check exits 1 naming both scanners, and only them.
* Bad input: exit 2 with one line (no dnsyn, no trace directory, a bad seed
  list, a bad --detect).

Usage: eval_detect.py DNSYN DNSYN_GEN TRACES_DIR SOURCE_ROOT
"""
import collections
import importlib.machinery
import importlib.util
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402


def load_script(root):
    """scripts/eval_detect as a module (its pcap reader)."""
    path = os.path.join(root, "scripts", "eval_detect")
    loader = importlib.machinery.SourceFileLoader("eval_detect", path)
    spec = importlib.util.spec_from_loader("eval_detect", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return path, mod


def pcap_truth(mod, pcap, lab):
    """Per interval: TCP/135 SYN sources, MX query sources, queries per
    resolver, read from the pcap (Ethernet, IPv4; the generator's files)."""
    start, ivs = lab["start_s"], lab["interval_s"]
    syn135, mx = collections.defaultdict(set), collections.defaultdict(collections.Counter)
    toq = collections.defaultdict(collections.Counter)
    for ts, lt, fr in mod.pcap_packets(pcap):
        et, ip = mod.l3_of(lt, fr)
        if et != 0x0800 or len(ip) < 20:
            continue
        i = (int(ts) - start) // ivs
        ihl, proto = (ip[0] & 15) * 4, ip[9]
        src, dst, l4 = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20])), ip[ihl:]
        if proto == 6 and len(l4) >= 14 and l4[13] & 0x12 == 0x02 and \
                struct.unpack(">H", l4[2:4])[0] == 135:
            syn135[src].add(i)
        elif proto == 17 and len(l4) >= 8 + 12 and struct.unpack(">H", l4[2:4])[0] == 53:
            toq[dst][i] += 1
            dns = l4[8:]
            o = 12
            while o < len(dns) and dns[o]:
                o += dns[o] + 1
            if o + 3 <= len(dns) and struct.unpack(">H", dns[o + 1:o + 3])[0] == 15:
                mx[src][i] += 1
    return syn135, mx, toq


def run(script, args, timeout=400):
    r = subprocess.run([sys.executable, script] + args, capture_output=True, text=True,
                       timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def main():
    dnsyn, gen, traces, root = sys.argv[1:5]
    if not os.path.isdir(traces):
        print(f"SKIP: no real captures at {traces}")
        return 77
    check = Checks()
    script, mod = load_script(root)
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = os.path.join(tmp, "cache"), os.path.join(tmp, "eval.json")
        base = ["--dnsyn", dnsyn, "--gen", gen, "--cache", cache, "--seeds", "1"]
        rc, so, se = run(script, base + ["--traces", traces, "--json", out, "--check"])
        print(so[-2500:])
        check("eval_detect --check: exit 0, targets met", rc == 0 and so.rstrip().endswith(
            "targets=met"), (rc, se[-400:], so[-600:]))
        if not os.path.exists(out):
            return check.summary()
        with open(out) as f:
            res = json.load(f)
        with open(os.path.join(cache, "labelled-s1-p1000000.json")) as f:
            lab = json.load(f)["labels"]
        actors = {a["id"]: a for a in lab["actors"]}
        dets = {d for a in lab["actors"] for d in a["expect"]}
        check("the actors cover the six detectors", dets == {
            "unresolved-scan", "mx-storm", "rate-jump", "plateau", "resolver-dos", "mail-model"},
            dets)
        check("the day is 288 intervals of 10 s, all closed",
              res["runs"][0]["intervals"] == lab["intervals"] == 288 and lab["interval_s"] == 10)

        # the labels against the packets
        syn135, mx, toq = pcap_truth(mod, os.path.join(cache, "labelled-s1-p1000000.pcap"), lab)
        scanners = {a["address"]: a for a in lab["actors"] if a["kind"] == "scanner"}
        check("TCP/135 SYNs come from the labelled scanners only", set(syn135) == set(scanners),
              (sorted(syn135), sorted(scanners)))
        check("each scanner's first TCP/135 SYN is in its first interval",
              all(min(syn135[s]) == a["first_interval"] for s, a in scanners.items()
                  if s in syn135), {s: min(v) for s, v in syn135.items()})
        mm = actors["mass-mailer"]
        storm = {s for s, c in mx.items() if max(c.values()) >= 50} - set(lab["mail_servers"])
        check("MX storms (>= 50 an interval) come from the mass-mailer and mail servers only",
              storm == {mm["address"]}, sorted(storm))
        check("the mass-mailer's storm begins in its first interval",
              min(i for i, n in mx[mm["address"]].items() if n >= 50) == mm["first_interval"])
        rd = actors["resolver-dos"]
        q = toq[rd["address"]]
        before = max(q[i] for i in range(rd["first_interval"] - 10, rd["first_interval"]))
        check("queries to the attacked resolver jump in its first interval, x3 and more",
              q[rd["first_interval"]] >= 3 * before and
              q[rd["first_interval"] - 1] <= before, (before, q[rd["first_interval"]]))

        # the targets, in detail
        for f in res["runs"][0]["found"]:
            check(f"{f['actor']}: {f['detector']} within {f['warmup'] + 1} intervals",
                  f["ttd"] is not None and f["ttd"] <= f["warmup"] + 1, f)
        normal = [x for x in res["runs"][0]["alerts"] if x["verdict"] == "normal"]
        check("no alert on a normal client or resolver", not normal, normal[:3])
        check("every real capture replayed at 10 s and 1 s",
              len(res["real"]) == 2 * len([n for n in os.listdir(traces)
                                           if n.endswith((".pcap", ".pcapng"))]) > 0)
        ral = [(x["file"], x["interval_s"], x["alert_list"]) for x in res["real"] if x["alerts"]]
        check("no alert on the real captures", not ral, ral[:3])
        check("the real captures hold clients", sum(x["client_intervals"] for x in res["real"]) > 0)

        # it can fail: the scan thresholds raised past the scanners
        rc, so, se = run(script, base + ["--no-real", "--check", "--detect", "scan-syn-min=100000",
                                         "--detect", "scan-syn-high=100000"])
        miss = [ln for ln in so.splitlines() if ln.startswith("Missed targets:")]
        check("raised scan thresholds: --check exits 1, targets=missed",
              rc == 1 and so.rstrip().endswith("targets=missed"), (rc, se[-300:]))
        check("... and the misses are the two scanners' unresolved-scan only",
              len(miss) == 1 and miss[0].count("/") == 2 and
              "blaster/unresolved-scan" in miss[0] and "scan-fast/unresolved-scan" in miss[0],
              miss)

        # bad input: one line, exit 2
        for what, args in (("no dnsyn", ["--dnsyn", os.path.join(tmp, "nope")]),
                           ("no trace directory", ["--traces", os.path.join(tmp, "nope")]),
                           ("a bad seed list", ["--seeds", "x"]),
                           ("a bad --detect", ["--detect", "scan-syn-min"])):
            rc, so, se = run(script, base + args + ["--no-real"] * (what != "no trace directory"))
            check(f"bad input ({what}): exit 2, said on the last line, no traceback",
                  rc == 2 and "Traceback" not in se and se.strip() and
                  ("eval_detect: " in se.strip().splitlines()[-1] or
                   "error:" in se.strip().splitlines()[-1]), (rc, se[-300:]))
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
