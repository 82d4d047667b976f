#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The two replay sources see the same packets: a plain pcap mapped and handed
over in place (--pcap-via map, the default) and DPDK's pcap PMD (--pcap-via
pmd) must give the same JSON report, every table and counter, on every real
capture and on generated ones (fragments, DNS over TCP, truncated and
malformed packets, the benchmark mix, a file cut inside a record, one
rewritten big-endian with nanosecond stamps; records cut by a short snapshot
length, longer than an mbuf holds, and longer than libpcap accepts).

Usage: replay_sources.py DNSYN DNSYN_GEN TRACES_PCAPS_DIR

Only rx.multiseg may differ (the PMD chains a record longer than its mbufs'
data room, the mapping hands it over whole) and the timings (run.us, the
table's probe counts are work, not results, and are compared too). A pcapng
file and a pcap with records beyond its snapshot length take the PMD either
way: they are checked to still replay."""
import json
import os
import struct
import subprocess
import sys
import tempfile

from checks import Checks

IGNORED = {"run.us", "rx.multiseg"}


def report(dnsyn, pcap, via, tmp):
    rep = os.path.join(tmp, f"{via}.json")
    p = subprocess.run([dnsyn, "--pcap", pcap, "--pcap-via", via, "--quiet", "--no-progress",
                        "--report-json", rep], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        return None, p.stderr[-300:]
    with open(rep) as f:
        r = json.load(f)
    r["counters"] = {k: v for k, v in r["counters"].items() if k not in IGNORED}
    r.pop("run", None)  # file names, durations
    return r, ""


def diff(a, b):
    d = {k: (a[k], b.get(k)) for k in a if k != "counters" and a[k] != b.get(k)}
    d.update({k: (v, b["counters"].get(k)) for k, v in a["counters"].items()
              if v != b["counters"].get(k)})
    return str(d)[:500]


def other_order_ns(src, dst):
    """@src (a little-endian microsecond pcap) rewritten big-endian with
    nanosecond stamps: the mapped reader's other header variants."""
    with open(src, "rb") as f:
        data = f.read()
    magic, vmaj, vmin, zone, sig, snap, lt = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xa1b2c3d4, hex(magic)
    out = [struct.pack(">IHHiIII", 0xa1b23c4d, vmaj, vmin, zone, sig, snap, lt)]
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        out.append(struct.pack(">IIII", sec, usec * 1000 + 999, incl, orig))
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    with open(dst, "wb") as f:
        f.write(b"".join(out))
    return dst


def odd_lengths(src, tmp):
    """Records libpcap changes: @src with a 128-byte snapshot length (longer
    records are cut); with a 70,000-byte and a 65,600-byte UDP datagram
    appended (more than an mbuf holds: a chain; the first too big for dnsyn,
    the second not); and with a 300,000-byte record (libpcap refuses it: the
    file ends there, with an error)."""
    with open(src, "rb") as f:
        data = f.read()
    hdr, body = bytearray(data[:24]), data[24:]
    out = []
    snap = os.path.join(tmp, "snap128.pcap")
    struct.pack_into("<I", hdr, 16, 128)
    with open(snap, "wb") as f:
        f.write(bytes(hdr) + body)
    out.append(snap)
    struct.pack_into("<I", hdr, 16, 262144)

    def udp(n):  # Ethernet + IPv4 (length field as a real sender's) + UDP to port 53
        pay = bytes(n - 42)
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, min(n - 14, 65535), 1, 0, 64, 17, 0,
                         bytes([192, 0, 2, 1]), bytes([192, 0, 2, 53]))
        return (bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00" + ip +
                struct.pack(">HHHH", 5353, 53, min(n - 34, 65535), 0) + pay)

    def rec(frame, sec=2000000000):
        return struct.pack("<IIII", sec, 0, len(frame), len(frame)) + frame

    big = os.path.join(tmp, "big.pcap")
    with open(big, "wb") as f:
        f.write(bytes(hdr) + body + rec(udp(70000)) + rec(udp(65600)))
    out.append(big)
    refused = os.path.join(tmp, "refused.pcap")
    with open(refused, "wb") as f:
        f.write(bytes(hdr) + body + rec(udp(300000)) + rec(udp(100)))
    out.append(refused)
    return out


def main():
    dnsyn, gen, traces = sys.argv[1], sys.argv[2], sys.argv[3]
    check = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for scen in ("basic", "v6", "frag", "tcp", "malformed", "mix"):
            out = os.path.join(tmp, scen)
            args = ["--packets", "20000"] if scen == "mix" else []
            subprocess.run([gen, "--scenario", scen, "--seed", "5", "--out", out, *args],
                           check=True, capture_output=True)
            files.append(out + ".pcap")
        # a file that ends inside its last record
        with open(files[0], "rb") as f:
            whole = f.read()
        cut = os.path.join(tmp, "cut.pcap")
        with open(cut, "wb") as f:
            f.write(whole[:-7])
        files.append(cut)
        files.append(other_order_ns(files[1], os.path.join(tmp, "v6-be-ns.pcap")))
        files += odd_lengths(files[0], tmp)
        if os.path.isdir(traces):
            files += sorted(os.path.join(traces, f) for f in os.listdir(traces)
                            if f.endswith((".pcap", ".pcapng")))
        else:
            print(f"note: {traces} not found: generated captures only")
        for pcap in files:
            a, err_a = report(dnsyn, pcap, "map", tmp)
            b, err_b = report(dnsyn, pcap, "pmd", tmp)
            name = os.path.basename(pcap)
            if check(f"{name}: both replay", a is not None and b is not None, (err_a, err_b)):
                check(f"{name}: same report", a == b, diff(a, b))
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
