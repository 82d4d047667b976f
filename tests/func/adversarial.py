#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Adversarial load (docs/performance.md, "Adversarial load"), small: the
generator's attack scenarios replayed with every bound set low, so that the
smaller of two trace sizes already reaches the bound each attacks:

  dnsflood     answers with ever new addresses   table.evicted_addrs
  synflood     SYNs from spoofed sources         corr.syn_set_rotations_early,
                                                 corr.interval_clients_refused
  randsub      random-subdomain queries          corr.qpc_refused
  parsework    answers built for parser work     table.evicted_addrs (and the
                                                 parser's own counts)
  tcphalfopen  DNS-over-TCP never completed      tcpdns.streams_full,
                                                 tcpdns.buf_exhausted,
                                                 corr.syn_set_rotations_early

For each: dnsyn exits 0 (its accounting holds); every answer, query and SYN is
still counted (the report's totals equal the generator's sidecar); the peak
RSS stays within what the bounds allow and does not grow from N/2 to N
packets; the drop counters are non-zero, and the IPFIX statistics records
(domain 0, template 263) carry the same values as the report. A control run
of the SYN flood without its bound shows that the memory check sees growth.

Usage: adversarial.py DNSYN DNSYN_GEN
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402
from ipfix_export import decode  # noqa: E402

# Low bounds (the options' minimums or close): N/2 packets exceed them all.
BOUNDS = ["--table-capacity", "4096", "--syn-set-max", "4096", "--qpc-max", "4096",
          "--tcp-streams", "1024", "--tcp-bufs", "8", "--mbufs", "1023"]
SYN_SET_MAX, QPC_MAX = 4096, 4096
# scenario -> (packets N, counters that must be non-zero at N)
SCENARIOS = {
    "dnsflood": (40000, ["table.evicted_addrs", "table.evicted_answers"]),
    "synflood": (200000, ["corr.syn_set_rotations_early", "corr.interval_clients_refused"]),
    "randsub": (40000, ["corr.qpc_refused"]),
    "parsework": (20000, ["table.evicted_addrs", "dns.addrs_off_chain", "dns.cname_loops",
                          "dns.cname_chains"]),
    "tcphalfopen": (40000, ["tcpdns.streams_full", "tcpdns.buf_exhausted",
                            "corr.syn_set_rotations_early"]),
}
# IPFIX statistics: dnsyn's element id (default PEN) -> report counter(s) summed.
PEN = 32473
IPFIX_OF = {
    15: ["drop.trunc_l2", "drop.bad_l3", "drop.trunc_l3", "drop.trunc_l4", "drop.too_big",
         "dns.short_msgs", "dns.bad_question", "dns.bad_answer", "dns.bad_authority",
         "dns.bad_additional"],
    16: ["table.evicted_answers"], 17: ["table.evicted_addrs"], 20: ["ev.ring_full"],
    21: ["corr.syn_set_rotations_early"], 22: ["corr.qpc_refused"],
    23: ["corr.interval_clients_refused"], 24: ["tcpdns.streams_full"],
    25: ["tcpdns.buf_exhausted"],
}
GROWTH_KIB = 8 * 1024  # what "does not grow" tolerates (floods.py's margin)


def map_peak(n, key):
    """Most bytes a dnsyn_map bounded at @n keys of @key bytes takes (slots of
    16 + key bytes at load <= 3/4, the old array too while it doubles)."""
    cap = 16
    while n * 4 > cap * 3:
        cap *= 2
    return (cap + cap // 2) * ((16 + key + 7) & ~7)


def synset_bytes(half):
    """The distinct-SYN set of @half keys a half (dnsyn_synset.c): 4 keys a
    64-byte bucket, at most half full, a bucket of each half a pair."""
    n = 1
    while n * 4 < 2 * half:
        n *= 2
    return n * 128


# What the tables may add to a run without interval tables: the distinct-SYN
# set and the per-client query counts.
GROWABLE_KIB = (synset_bytes(SYN_SET_MAX // 2) + map_peak(QPC_MAX, 24)) // 1024


def counters_record(path):
    """The last record of dnsyn's counters (domain 0, template 263) in an IPFIX
    file, {(pen, ie): value}, or None. The data records of the other domain are
    skipped unread: this process must stay small, since a child's peak RSS
    starts at its parent's (the high-water mark survives fork and exec)."""
    with open(path, "rb") as f:
        data = f.read()
    off, tmpl, last = 0, {}, None
    while off + 16 <= len(data):
        length, = struct.unpack(">H", data[off + 2:off + 4])
        odid, = struct.unpack(">I", data[off + 12:off + 16])
        if length < 16:
            break
        if odid == 0:
            for _, _, rec in decode(data[off:off + length], tmpl):
                if (PEN, 18) in rec:
                    last = rec
        off += length
    return last


def gen(dnsyn_gen, tmp, scen, packets):
    prefix = os.path.join(tmp, f"{scen}-{packets}")
    if not os.path.exists(prefix + ".pcap"):
        subprocess.run([dnsyn_gen, "--scenario", scen, "--seed", "3", "--packets", str(packets),
                        "--out", prefix], check=True, capture_output=True)
    return prefix


def run(dnsyn, pcap, tmp, *opts):
    """(exit status, report or None, stderr, peak RSS KiB) of one replay."""
    rep = os.path.join(tmp, "r.json")
    if os.path.exists(rep):
        os.unlink(rep)
    # The pcap PMD, not the mapped file: a mapping's pages count in RSS as
    # they are read (page cache, not dnsyn's memory), and grow with the file.
    cmd = [dnsyn, "--quiet", "--no-progress", "--pcap", pcap, "--pcap-via", "pmd",
           "--report-json", rep, *opts]
    err = os.path.join(tmp, "err.txt")
    with open(err, "w") as ef:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=ef)
    # wait4: this child's peak RSS (this process stays small, so the
    # high-water mark the child inherits at fork is not what is measured)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    with open(err) as f:
        stderr = f.read()
    report = None
    if p.returncode == 0:
        with open(rep) as f:
            report = json.load(f)
    return p.returncode, report, stderr, ru.ru_maxrss


def totals(paper):
    t1, t2 = paper["table1"], paper["table2"]
    return {"answers": t1["dns_answers"], "A": t1["total_A_RRs"],
            "AAAA": paper["aaaa_extension"]["total_AAAA_RRs"], "queries": paper["dns_queries"],
            "syn": t2["total_syn"], "synack": t2["synack"]}


def main():
    dnsyn, dnsyn_gen = sys.argv[1], sys.argv[2]
    check = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        base = gen(dnsyn_gen, tmp, "mix", 2000)
        rc, _, err, base_kib = run(dnsyn, base + ".pcap", tmp, *BOUNDS)
        check("base run", rc == 0, err[-400:])
        bound_kib = base_kib + GROWABLE_KIB + GROWTH_KIB
        for scen, (n, must) in SCENARIOS.items():
            big, half = gen(dnsyn_gen, tmp, scen, n), gen(dnsyn_gen, tmp, scen, n // 2)
            # Memory: no interval tables here (their fixed bounds, 65536
            # client records and 2^20 sources an interval, are far beyond
            # traces this small); the bench runs with them at 2 M packets.
            rc_h, _, err_h, kib_h = run(dnsyn, half + ".pcap", tmp, *BOUNDS)
            rc, rep, err, kib = run(dnsyn, big + ".pcap", tmp, *BOUNDS)
            check(f"{scen}: no crash, accounting holds ({n // 2} and {n} packets)",
                  rc == 0 and rc_h == 0, (rc_h, rc, err_h[-300:], err[-300:]))
            if rep is None:
                continue
            check(f"{scen}: peak RSS within the bounds ({kib // 1024} <= {bound_kib // 1024} MiB)",
                  kib <= bound_kib, f"{kib} KiB > {bound_kib} KiB")
            check(f"{scen}: peak RSS does not grow with N ({kib_h // 1024} -> {kib // 1024} MiB)",
                  kib <= kib_h + GROWTH_KIB, f"{kib_h} KiB -> {kib} KiB")
            with open(big + ".json") as f:
                want = totals(json.load(f)["paper"])
            check(f"{scen}: every answer, query and SYN counted", totals(rep["paper"]) == want,
                  f"{totals(rep['paper'])} vs {want}")
            # Counters and export, with interval tables and the IPFIX file.
            ipf = os.path.join(tmp, "o.ipfix")
            rc, rep, err, _ = run(dnsyn, big + ".pcap", tmp, *BOUNDS, "--ipfix", f"file:{ipf}",
                                  "--jsonl", os.path.join(tmp, "o.jsonl"))
            check(f"{scen}: run with --ipfix", rc == 0, err[-400:])
            if rep is None:
                continue
            c = rep["counters"]
            zero = [k for k in must if not c.get(k)]
            check(f"{scen}: drops counted ({', '.join(must)})", not zero,
                  {k: c.get(k, "absent") for k in must})
            stats = counters_record(ipf)
            got = {ie: stats.get((PEN, ie)) for ie in IPFIX_OF} if stats else {}
            want = {ie: sum(c[k] for k in names) for ie, names in IPFIX_OF.items()}
            check(f"{scen}: IPFIX statistics equal the report's counters", got == want,
                  f"ipfix {got} vs report {want}")

        # Control: the distinct-SYN set is allocated whole at start, so its
        # bound is what shows in peak RSS: the same flood with a bound 1024
        # times larger must show it, or the memory checks above see nothing.
        big = gen(dnsyn_gen, tmp, "synflood", 200000)
        unbounded = [o if o != str(SYN_SET_MAX) or BOUNDS[i - 1] != "--syn-set-max" else "4194304"
                     for i, o in enumerate(BOUNDS)]
        _, _, _, kib_b = run(dnsyn, big + ".pcap", tmp, *BOUNDS)
        _, rep, _, kib = run(dnsyn, big + ".pcap", tmp, *unbounded)
        check(f"control: a 1024x larger SYN-set bound shows in peak RSS ({kib_b // 1024} -> "
              f"{kib // 1024} MiB)",
              rep is not None and kib > kib_b + GROWTH_KIB and
              rep["counters"]["corr.syn_set_rotations_early"] == 0, (kib_b, kib))
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
