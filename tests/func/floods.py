#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bad input for the correlation (issue 4): an answer flood with a million
distinct addresses, a SYN flood from spoofed sources, a clock jump forward
and time going backwards. For each: no crash or hang, memory that does not
grow with the size of the flood, drops counted, and the results for the
rest of the traffic unchanged where the bounds allow it.

A generated trace (dnsyn_gen basic) is the normal traffic; the floods are
interleaved with it in time, to addresses the normal traffic never uses.

Usage: floods.py DNSYN DNSYN_GEN
"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402

FLOOD_RESOLVER = bytes([198, 51, 100, 53])
FLOOD_CLIENT = bytes([198, 51, 100, 7])


def read_pcap(path):
    """(header, [(ts_us, frame)]) of a little-endian microsecond pcap."""
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:4] == b"\xd4\xc3\xb2\xa1", "dnsyn_gen writes LE microsecond pcaps"
    recs, off = [], 24
    while off + 16 <= len(raw):
        sec, usec, caplen, _ = struct.unpack("<IIII", raw[off:off + 16])
        recs.append((sec * 1000000 + usec, raw[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return raw[:24], recs


def write_pcap(path, header, recs):
    with open(path, "wb") as f:
        f.write(header)
        for ts, frame in recs:
            f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(frame), len(frame)))
            f.write(frame)


def ipv4_frame(src, dst, proto, l4):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, proto, 0, src, dst)
    return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00" + ip + l4


def dns_answer(txid, addrs):
    """A response for x.flood.example with one A RR per address."""
    q = b"\x01x\x05flood\x07example\x00" + struct.pack(">HH", 1, 1)
    msg = struct.pack(">HHHHHH", txid, 0x8180, 1, len(addrs), 0, 0) + q
    for a in addrs:
        msg += struct.pack(">HHHIH", 0xc00c, 1, 1, 60, 4) + a
    udp = struct.pack(">HHHH", 53, 40000 + txid % 20000, 8 + len(msg), 0) + msg
    return ipv4_frame(FLOOD_RESOLVER, FLOOD_CLIENT, 17, udp)


def syn(src, dst, sport, seq):
    tcp = struct.pack(">HHIIBBHHH", sport, 80, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    return ipv4_frame(src, dst, 6, tcp)


def answer_flood(n_answers, t0, t1):
    """n_answers answers of 4 distinct A records each, in 240.0.0.0/4 (unused)."""
    out = []
    for i in range(n_answers):
        addrs = [struct.pack(">I", 0xf0000000 + 4 * i + k) for k in range(4)]
        out.append((t0 + (t1 - t0) * i // n_answers, dns_answer(i & 0xffff, addrs)))
    return out


def syn_flood(n, t0, t1, seed):
    """n SYNs from random spoofed sources to 172.16.0.0/12, all distinct."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        src = struct.pack(">I", rnd.getrandbits(32) | 0x01000000)
        dst = struct.pack(">I", 0xac100000 + (i & 0xfffff))
        out.append((t0 + (t1 - t0) * i // n, syn(src, dst, 1024 + i % 60000, i)))
    return out


def merge(*lists):
    """Merge time-ordered record lists (stable: earlier lists first on ties)."""
    return sorted((r for lst in lists for r in lst), key=lambda r: r[0])


def run(dnsyn, pcap, out, *opts):
    """Report and stderr of one run (a hang fails, it does not block)."""
    cmd = [dnsyn, "--quiet", "--pcap", pcap, "--report-json", out, "--jsonl", out + ".jsonl",
           *opts]
    try:
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=300)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{' '.join(cmd)}: hung (killed after 300 s)")
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    with open(out) as f:
        rep = json.load(f)
    with open(out + ".jsonl") as f:
        rep["n_intervals"] = sum(1 for line in f if '"record": "interval"' in line)
    return rep, r.stderr


def counters(rep):
    return rep["counters"]


def matched(rep):
    t2, v6 = rep["paper"]["table2"], rep["paper"]["aaaa_extension"]
    return {k: t2[k] for k in t2 if k.startswith("matched")} | \
        {"v6_" + k: v6[k] for k in v6 if k.startswith("matched")}


def peak_kib(dnsyn, pcap, out, *opts):
    """Peak RSS (KiB) of a run, from the kernel's accounting of that child."""
    # --mbufs 1023: a pool this small is soon all touched, so what grows
    # with the trace after that is dnsyn's own state. The pcap PMD, not the
    # mapped file, whose pages (page cache) count in RSS as they are read.
    cmd = [dnsyn, "--quiet", "--pcap", pcap, "--pcap-via", "pmd", "--report-json", out,
           "--mbufs", "1023", *opts]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = 0  # reaped here; keep Popen from waiting again
    if status != 0:
        raise RuntimeError(f"{' '.join(cmd)}: wait status {status}")
    return ru.ru_maxrss


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    check = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "base")
        subprocess.run([gen, "--scenario", "basic", "--seed", "9", "--count", "3000",
                        "--out", prefix], check=True, capture_output=True)
        header, base = read_pcap(prefix + ".pcap")
        # The floods fill two seconds in the middle of the trace (which
        # spans about 100 minutes): dense enough to overflow small bounds.
        t0 = (base[0][0] + base[-1][0]) // 2
        t1 = t0 + 2000000
        out = os.path.join(tmp, "r.json")
        ref, _ = run(dnsyn, prefix + ".pcap", out)
        check("base trace has matches", matched(ref)["matched_dst_only"] > 0)

        def trace(name, recs):
            path = os.path.join(tmp, name + ".pcap")
            write_pcap(path, header, recs)
            return path

        # 1. Answer flood within the table's capacity: the rest is unchanged.
        flood = answer_flood(100000, t0, t1)
        p_a1 = trace("answers1", merge(base, flood))
        rep, err = run(dnsyn, p_a1, out)
        t1r, t1f = ref["paper"]["table1"], rep["paper"]["table1"]
        check("answer flood: matches unchanged", matched(rep) == matched(ref),
              f"{matched(rep)} vs {matched(ref)}")
        check("answer flood: answers and A RRs counted",
              t1f["dns_answers"] == t1r["dns_answers"] + 100000 and
              t1f["total_A_RRs"] == t1r["total_A_RRs"] + 400000, str(t1f))
        check("answer flood: nothing evicted", counters(rep)["table.evicted_addrs"] == 0)

        # 2. Beyond the capacity: evictions counted and warned about, memory
        # independent of the flood's size.
        p_a3 = trace("answers3", merge(base, answer_flood(300000, t0, t1)))
        small = ("--table-capacity", "65536")
        rep1, err1 = run(dnsyn, p_a1, out, *small)
        rep3, err3 = run(dnsyn, p_a3, out, *small)
        ev1, ev3 = counters(rep1)["table.evicted_addrs"], counters(rep3)["table.evicted_addrs"]
        check("answer flood over capacity: evictions counted", 0 < ev1 < ev3, f"{ev1}, {ev3}")
        check("answer flood over capacity: warned", "evicted" in err1 and "evicted" in err3,
              err1)
        check("answer flood over capacity: every answer counted",
              rep3["paper"]["table1"]["dns_answers"] == t1r["dns_answers"] + 300000)
        m1, m3 = peak_kib(dnsyn, p_a1, out, *small), peak_kib(dnsyn, p_a3, out, *small)
        check("answer flood over capacity: memory bounded (1.2M vs 0.4M addresses)",
              m3 <= m1 + 8 * 1024, f"peak RSS {m3} KiB vs {m1} KiB")

        # 3. SYN flood from spoofed sources: matches unchanged, every SYN
        # counted; a small distinct-SYN set forgets early (counted) and
        # keeps memory bounded.
        p_s1 = trace("syns1", merge(base, syn_flood(100000, t0, t1, 1)))
        p_s3 = trace("syns3", merge(base, syn_flood(300000, t0, t1, 3)))
        rep, _ = run(dnsyn, p_s3, out)
        t2r, t2f = ref["paper"]["table2"], rep["paper"]["table2"]
        check("SYN flood: matches unchanged", matched(rep) == matched(ref))
        check("SYN flood: every SYN counted, all distinct",
              t2f["total_syn"] == t2r["total_syn"] + 300000 and
              t2f["syn_unique"] == t2r["syn_unique"] + 300000, str(t2f))
        small = ("--syn-set-max", "65536")
        rep1, _ = run(dnsyn, p_s1, out, *small)
        rep3, _ = run(dnsyn, p_s3, out, *small)
        r1 = counters(rep1)["corr.syn_set_rotations_early"]
        r3 = counters(rep3)["corr.syn_set_rotations_early"]
        check("SYN flood, small SYN set: early rotations counted", 0 < r1 < r3, f"{r1}, {r3}")
        check("SYN flood, small SYN set: matches unchanged", matched(rep3) == matched(ref))
        m1, m3 = peak_kib(dnsyn, p_s1, out, *small), peak_kib(dnsyn, p_s3, out, *small)
        check("SYN flood, small SYN set: memory bounded (300k vs 100k SYNs)",
              m3 <= m1 + 8 * 1024, f"peak RSS {m3} KiB vs {m1} KiB")

        # 4. The clock jumps forward a day: two independent halves.
        day = 86400 * 1000000
        p_j = trace("jump", base + [(ts + day, fr) for ts, fr in base])
        for shards in ("1", "2"):
            rep, _ = run(dnsyn, p_j, out, "--shards", shards)
            check(f"clock jump, {shards} shard(s): matches doubled",
                  matched(rep) == {k: 2 * v for k, v in matched(ref).items()})
            check(f"clock jump, {shards} shard(s): distinct SYNs doubled",
                  rep["paper"]["table2"]["syn_unique"] == 2 * ref["paper"]["table2"]["syn_unique"])
            check(f"clock jump, {shards} shard(s): no empty intervals for the gap",
                  rep["n_intervals"] <= 2 * ref["n_intervals"],
                  f"{rep['n_intervals']} vs {ref['n_intervals']}")

        # 5. Time goes backwards: the second half is a day older than the
        # first. Counted; each half still matches its own answers.
        # One shard is exact. Several shards merge claims in capture order,
        # which backwards time breaks: the grants may then differ a little,
        # and the resolver counts the claims that came out of order.
        p_b = trace("backwards", [(ts + day, fr) for ts, fr in base] + base)
        want = {k: 2 * v for k, v in matched(ref).items()}
        rep, _ = run(dnsyn, p_b, out)
        check("time backwards, 1 shard: counted",
              rep["detail"]["timestamps_going_backwards"] > 0)
        check("time backwards, 1 shard: matches doubled", matched(rep) == want,
              f"{matched(rep)} vs {want}")
        rep, _ = run(dnsyn, p_b, out, "--shards", "2")
        got = matched(rep)
        check("time backwards, 2 shards: counted",
              rep["detail"]["timestamps_going_backwards"] > 0 and
              counters(rep)["resolver.out_of_order"] > 0)
        check("time backwards, 2 shards: matches within 2 %",
              all(abs(got[k] - want[k]) <= 0.02 * want[k] for k in want), f"{got} vs {want}")
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
