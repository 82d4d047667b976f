#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""--mem-laps: the in-memory source scripts/bench measures dnsyn's own work
with (a few mbufs going round a net_ring port, pointed at the file's packets
held in memory, docs/performance.md).

Usage: memlaps.py DNSYN DNSYN_GEN

Laps are the file replayed back to back in packet time, far enough apart that
no answer of one lap matches a SYN of the next, so every table of the paper
is the single replay's times the laps (distinct SYNs excepted: a SYN seen in
the last 120-240 s is a retransmission, and every lap repeats them). Checks
that, zero drops, the packet count, IP fragments (the pipeline keeps them for
reassembly and rewrites their headers: every lap must still reassemble what
a single replay does) and the refusals."""
import json
import os
import subprocess
import sys
import tempfile

from checks import Checks

LAPS = 3


def run(dnsyn, tmp, *args):
    rep = os.path.join(tmp, "r.json")
    if os.path.exists(rep):
        os.unlink(rep)
    p = subprocess.run([dnsyn, "--quiet", "--no-progress", "--report-json", rep, *args],
                       capture_output=True, text=True, timeout=300)
    report = None
    if p.returncode == 0 and os.path.exists(rep):
        with open(rep) as f:
            report = json.load(f)
    return p.returncode, report, p.stderr


def tables(rep):
    """The paper's tables as one comparable dict (top ports and the delay
    histogram included)."""
    p = rep["paper"]
    t1, t2 = p["table1"], p["table2"]
    return {"answers": t1["dns_answers"], "answers_with_A": t1["answers_with_A"],
            "A": t1["total_A_RRs"], "AAAA": p["aaaa_extension"]["total_AAAA_RRs"],
            "queries": p["dns_queries"], "syn": t2["total_syn"], "synack": t2["synack"],
            "matched_dst": t2["matched_dst_only"], "matched_dst_client": t2["matched_dst_and_client"],
            "top_syn_ports": dict(map(tuple, p["table3_top10_syn_dports"])),
            "top_matched_ports": dict(map(tuple, p["table4_matched_syn_dports"]["dst_only"])),
            "delays": p["delay_hist_10ms"]["dst_only"]}


def times(t, k):
    """@t with every count multiplied by @k."""
    return {n: ({p: c * k for p, c in v.items()} if isinstance(v, dict) else
                [c * k for c in v] if isinstance(v, list) else v * k) for n, v in t.items()}


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    check = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        mix = os.path.join(tmp, "mix")
        frag = os.path.join(tmp, "frag")
        subprocess.run([gen, "--scenario", "mix", "--seed", "3", "--packets", "30000",
                        "--out", mix], check=True, capture_output=True)
        subprocess.run([gen, "--scenario", "frag", "--seed", "1", "--out", frag], check=True,
                       capture_output=True)

        rc1, one, err1 = run(dnsyn, tmp, "--pcap", mix + ".pcap")
        rc, laps, err = run(dnsyn, tmp, "--pcap", mix + ".pcap", "--mem-laps", str(LAPS))
        check("replay and --mem-laps run", rc1 == 0 and rc == 0, (err1[-300:], err[-300:]))
        if one and laps:
            c1, c = one["counters"], laps["counters"]
            check(f"{LAPS} laps receive {LAPS}x the packets",
                  c["rx.pkts"] == LAPS * c1["rx.pkts"], (c1["rx.pkts"], c["rx.pkts"]))
            want, got = times(tables(one), LAPS), tables(laps)
            check(f"every table (top ports, delays) is {LAPS}x the single replay's", got == want,
                  {k: (got[k], want[k]) for k in got if got[k] != want[k]})
            check("distinct SYNs: the laps repeat them (retransmissions)",
                  laps["paper"]["table2"]["syn_unique"] == one["paper"]["table2"]["syn_unique"],
                  (one["paper"]["table2"]["syn_unique"], laps["paper"]["table2"]["syn_unique"]))
            drops = {k: c[k] for k in ("ev.ring_full", "port.imissed", "port.rx_nombuf")}
            check("no drops (lossless like a file replay)", not any(drops.values()), drops)

        # Fragments are kept for reassembly, which rewrites their headers in
        # place: each lap must reassemble them again from the bytes as read,
        # and the kept mbufs are replaced (the mbufs going round outnumber the
        # file's packets here).
        rc1, one, err1 = run(dnsyn, tmp, "--pcap", frag + ".pcap")
        rc, laps, err = run(dnsyn, tmp, "--pcap", frag + ".pcap", "--mem-laps", str(LAPS))
        check("fragments: both run, counts agree (exit 0)", rc1 == 0 and rc == 0,
              (err1[-300:], err[-300:]))
        if one and laps:
            c1, c = one["counters"], laps["counters"]
            keys = ("rx.pkts", "class.ip_fragment", "class.dns_udp", "class.non_ip",
                    "frag.reassembled", "frag.dropped", "frag.reasm_bad", "dns.messages",
                    "dns.bad_question", "ev.sent")
            check(f"fragments: {LAPS}x every count of a single replay",
                  all(c[k] == LAPS * c1[k] for k in keys),
                  {k: (c1[k], c[k]) for k in keys if c[k] != LAPS * c1[k]})
            check("fragments: some were reassembled", c1["frag.reassembled"] > 0,
                  c1["frag.reassembled"])
            want, got = times(tables(one), LAPS), tables(laps)
            check(f"fragments: every table is {LAPS}x the single replay's", got == want,
                  {k: (got[k], want[k]) for k in got if got[k] != want[k]})

        # Refusals: clear message, exit 2, nothing run.
        empty = os.path.join(tmp, "empty.pcap")
        with open(empty, "wb") as fh:  # a pcap header and no record
            fh.write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))
        for args, what in ((["--pcap", mix + ".pcap", "--pcap", mix + ".pcap", "--mem-laps", "2"],
                            "exactly one --pcap"),
                           (["--pcap", mix + ".pcap", "--mem-laps", "0"], "--mem-laps"),
                           (["--pcap", empty, "--mem-laps", "2"], "no packet")):
            rc, _, err = run(dnsyn, tmp, *args)
            check(f"refused with exit 2: {' '.join(a if '/' not in a else '...' for a in args)}",
                  rc == 2 and what in err, (rc, err[-300:]))
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
