#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The report must not depend on how traffic is spread over RX queues or
over correlation shards.

Each capture is split into 2 and 4 pcap files by a symmetric hash of its IP
address pair (what a symmetric RSS key does: both directions of a flow, and
every fragment of a datagram, land in one queue; an answer and the SYN it
explains usually do not). dnsyn replays the files as one port with one queue
per file, with 1, 2 or 4 correlation shards, and its `paper`, `delay` and
`detail` objects (but the table diagnostics, which depend on how addresses
are spread over tables) and its interval lines must equal those of the
single-file, single-shard run.

Usage: multiqueue.py DNSYN DNSYN_GEN TRACES_DIR
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

ETH_TYPES = {0x0800: 4, 0x86dd: 6}
VLANS = (0x8100, 0x88a8, 0x9100)


def ip_pair(data, linktype):
    """Symmetric key of the outermost IP addresses, or b'' when not IP."""
    off = {1: 14, 113: 16, 276: 20}.get(linktype)
    if off is None:
        return b""
    if linktype == 1:
        et = struct.unpack(">H", data[12:14])[0] if len(data) >= 14 else 0
    elif linktype == 113:
        et = struct.unpack(">H", data[14:16])[0] if len(data) >= 16 else 0
    else:
        et = struct.unpack(">H", data[0:2])[0] if len(data) >= 2 else 0
    while et in VLANS and len(data) >= off + 4:
        et = struct.unpack(">H", data[off + 2:off + 4])[0]
        off += 4
    ver = ETH_TYPES.get(et)
    if ver == 4 and len(data) >= off + 20:
        a, b = data[off + 12:off + 16], data[off + 16:off + 20]
    elif ver == 6 and len(data) >= off + 40:
        a, b = data[off + 8:off + 24], data[off + 24:off + 40]
    else:
        return b""
    return min(a, b) + max(a, b)


def split(path, n, outdir):
    """Split a classic pcap into n files; returns their paths (None for pcapng)."""
    with open(path, "rb") as f:
        raw = f.read()
    magic = raw[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return None
    linktype = struct.unpack(end + "I", raw[20:24])[0] & 0xffff
    outs = [bytearray(raw[:24]) for _ in range(n)]
    off = 24
    while off + 16 <= len(raw):
        caplen = struct.unpack(end + "I", raw[off + 8:off + 12])[0]
        rec = raw[off:off + 16 + caplen]
        if len(rec) < 16 + caplen:
            break
        key = ip_pair(rec[16:], linktype)
        outs[zlib.crc32(key) % n if key else 0] += rec
        off += 16 + caplen
    stem = os.path.basename(path).rsplit(".", 1)[0]
    paths = []
    for i, data in enumerate(outs):
        p = os.path.join(outdir, f"{stem}-{n}q{i}.pcap")
        with open(p, "wb") as f:
            f.write(data)
        paths.append(p)
    return paths


# (queues, shards) runs compared with (1, 1): every queue count with one
# shard, every shard count with one queue, and both at once.
LAYOUTS = ((2, 1), (4, 1), (1, 2), (1, 4), (2, 2), (4, 4))
# the real captures are many and small: the corners of the same grid
LAYOUTS_REAL = ((4, 1), (1, 4), (2, 2), (4, 4))
# detail keys that count the table's own state, not the traffic's
TABLE_STATE = ("pending_answer_addrs", "pending_expired")


def report(dnsyn, files, out, shards=1):
    """The JSON report and the interval lines of one run."""
    jsonl = out + ".jsonl"
    cmd = [dnsyn, "--quiet", "--report-json", out, "--jsonl", jsonl, "--interval", "10",
           "--shards", str(shards)]
    for f in files:
        cmd += ["--pcap", f]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    with open(out) as f:
        rep = json.load(f)
    with open(jsonl) as f:
        rep["intervals"] = f.read()
    return rep


def differences(one, many):
    """Names of what differs between two runs' reports."""
    diffs = [k for k in one["paper"] if one["paper"][k] != many["paper"].get(k)]
    if one["delay"] != many["delay"]:
        diffs.append("delay")
    diffs += [f"detail.{k}" for k in one["detail"]
              if k not in TABLE_STATE and one["detail"][k] != many["detail"].get(k)]
    if one["intervals"] != many["intervals"]:
        diffs.append("intervals")
    if many["counters"]["rx.pkts"] != one["counters"]["rx.pkts"]:
        diffs.append("packets")
    return diffs


def main():
    dnsyn, gen, traces = sys.argv[1], sys.argv[2], sys.argv[3]
    failed = compared = 0
    with tempfile.TemporaryDirectory() as tmp:
        inputs = []
        # basic at 20000 is the large one (~150k packets)
        for scen, count in (("basic", 3000), ("basic", 20000), ("v6", 1000), ("tcp", 10),
                            ("frag", 10)):
            prefix = os.path.join(tmp, f"{scen}{count}")
            subprocess.run([gen, "--scenario", scen, "--seed", "5", "--count", str(count),
                            "--out", prefix], check=True, capture_output=True)
            inputs.append(prefix + ".pcap")
        pcaps = os.path.join(traces, "pcaps")
        if os.path.isdir(pcaps):
            inputs += sorted(os.path.join(pcaps, f) for f in os.listdir(pcaps))
        else:
            print(f"note: {pcaps} not found, generated traces only")
        print(f"{'capture':44} {'queues':>6} {'shards':>6}  result")
        for path in inputs:
            stem = os.path.basename(path)
            one = report(dnsyn, [path], os.path.join(tmp, "one.json"))
            splits = {1: [path]}
            for n in (2, 4):
                splits[n] = split(path, n, tmp)
            for nq, ns in (LAYOUTS if path.startswith(tmp) else LAYOUTS_REAL):
                if splits[nq] is None:
                    print(f"{stem:44} {nq:6} {ns:6}  skipped (pcapng: the splitter reads "
                          "classic pcap)")
                    continue
                many = report(dnsyn, splits[nq], os.path.join(tmp, f"q{nq}s{ns}.json"), ns)
                compared += 1
                diffs = differences(one, many)
                if diffs:
                    failed += 1
                    print(f"{stem:44} {nq:6} {ns:6}  DIFFER: {', '.join(diffs)}")
                    for k in diffs:
                        if k in one["paper"]:
                            print(f"    {k}: 1/1 {json.dumps(one['paper'][k])[:150]}")
                            print(f"    {k}: {nq}/{ns} {json.dumps(many['paper'].get(k))[:150]}")
                else:
                    print(f"{stem:44} {nq:6} {ns:6}  identical")
    print(f"{compared - failed} passed, {failed} failed")
    return 1 if failed or not compared else 0


if __name__ == "__main__":
    sys.exit(main())
