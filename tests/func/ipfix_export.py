#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dnsyn --ipfix end to end: the interval records it exports (to an IPFIX
file and to a UDP collector at once) must add up to the same figures as its
JSON-lines intervals, the statistics in observation domain 0 to its report's
counters, the alert and top-client records to its JSON-lines alerts and top
lists; a dead TCP collector must not hold the run up, and a bad target is
refused at start.

The decoder here is independent of dnsyn's C code (RFC 7011 templates,
options templates, enterprise bits, variable-length fields).

Usage: ipfix_export.py DNSYN DNSYN_GEN
"""
import datetime
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402

PEN = 4242
ODID = 7


def decode(stream, tmpl=None):
    """[(odid, tid, {(pen, ie): value})] of the data records of a byte stream
    of IPFIX messages (templates kept in @p tmpl per (odid, tid))."""
    tmpl = {} if tmpl is None else tmpl
    out, off = [], 0
    while off + 16 <= len(stream):
        ver, length, _, _, odid = struct.unpack(">HHIII", stream[off:off + 16])
        assert ver == 10, f"version {ver} at {off}"
        assert 16 <= length <= len(stream) - off, "message length"
        msg, off = stream[off:off + length], off + length
        p = 16
        while p + 4 <= len(msg):
            sid, slen = struct.unpack(">HH", msg[p:p + 4])
            assert slen >= 4 and p + slen <= len(msg), "set length"
            body, p = msg[p + 4:p + slen], p + slen
            if sid in (2, 3):
                q = 0
                while q + 4 <= len(body):
                    tid, n = struct.unpack(">HH", body[q:q + 4])
                    q += 4
                    if sid == 3:
                        q += 2  # scope field count
                    fields = []
                    for _ in range(n):
                        ie, flen = struct.unpack(">HH", body[q:q + 4])
                        q += 4
                        pen = 0
                        if ie & 0x8000:
                            pen = struct.unpack(">I", body[q:q + 4])[0]
                            q += 4
                            ie &= 0x7fff
                        fields.append((pen, ie, flen))
                    tmpl[(odid, tid)] = fields
            elif sid >= 256:
                fields = tmpl[(odid, sid)]
                q = 0
                minlen = sum(1 if f[2] == 65535 else f[2] for f in fields)
                while len(body) - q >= minlen and minlen > 0:
                    rec = {}
                    for pen, ie, flen in fields:
                        varlen = flen == 65535
                        if varlen:
                            flen = body[q]
                            q += 1
                            if flen == 255:
                                flen = struct.unpack(">H", body[q:q + 2])[0]
                                q += 2
                        v = body[q:q + flen]
                        q += flen
                        # numbers are fixed-length fields of 1-8 octets;
                        # the rest (addresses of 16, strings) stay bytes
                        rec[(pen, ie)] = int.from_bytes(v, "big") \
                            if not varlen and flen in (1, 2, 4, 8) else v
                    out.append((odid, sid, rec))
    return out


def skip_name(msg, off):
    """Offset after the (possibly compressed) name at @p off."""
    while off < len(msg):
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xc0 == 0xc0:
            return off + 2
        off += 1 + n
    raise ValueError("name runs off the message")


def query_names(pcap, interval_s):
    """{(interval start, IPv4 client bytes): set of lower-cased question names
    of its UDP queries} from an Ethernet pcap, and the clients that also
    queried over TCP or in fragments (not parsed here)."""
    with open(pcap, "rb") as f:
        raw = f.read()
    out, other, off = {}, set(), 24
    while off + 16 <= len(raw):
        sec = struct.unpack("<I", raw[off:off + 4])[0]
        caplen = struct.unpack("<I", raw[off + 8:off + 12])[0]
        fr, off = raw[off + 16:off + 16 + caplen], off + 16 + caplen
        try:
            if fr[12:14] != b"\x08\x00":
                continue
            if fr[23] != 17 or fr[20:22] not in (b"\0\0", b"\x40\0"):
                other.add(fr[26:30])  # TCP, fragments: its names are not all here
                continue
            udp = 14 + (fr[14] & 15) * 4
            if struct.unpack(">H", fr[udp + 2:udp + 4])[0] != 53:
                continue
            msg = fr[udp + 8:]
            flags, qd = struct.unpack(">HH", msg[2:6])
            if flags & 0x8000 or qd < 1:
                continue
            labels, p = [], 12
            while msg[p]:
                if msg[p] & 0xc0:
                    raise ValueError("compressed question")
                labels.append(msg[p + 1:p + 1 + msg[p]].lower())
                p += 1 + msg[p]
            out.setdefault((sec - sec % interval_s, fr[26:30]), set()).add(b".".join(labels))
        except (IndexError, ValueError, struct.error):
            continue
    return out, other


def names_by_address(pcap):
    """{IPv4 address bytes: set of question names of UDP answers naming it}
    from an Ethernet pcap: the names dnsyn may put in a correlation record."""
    with open(pcap, "rb") as f:
        raw = f.read()
    out, off = {}, 24
    while off + 16 <= len(raw):
        caplen = struct.unpack("<I", raw[off + 8:off + 12])[0]
        fr, off = raw[off + 16:off + 16 + caplen], off + 16 + caplen
        try:
            if fr[12:14] != b"\x08\x00" or fr[23] != 17:
                continue
            ihl = (fr[14] & 15) * 4
            udp = 14 + ihl
            if struct.unpack(">H", fr[udp:udp + 2])[0] != 53:
                continue
            msg = fr[udp + 8:]
            flags, qd, an = struct.unpack(">HHH", msg[2:8])
            if not flags & 0x8000 or qd < 1:
                continue
            labels, p = [], 12
            while msg[p]:
                labels.append(msg[p + 1:p + 1 + msg[p]].decode("ascii", "replace"))
                p += 1 + msg[p]
            name = ".".join(labels) or "."
            p += 1 + 4  # the root label, QTYPE, QCLASS
            for _ in range(an):
                p = skip_name(msg, p)
                t, c, _, rdl = struct.unpack(">HHIH", msg[p:p + 10])
                if t == 1 and c == 1 and rdl == 4:
                    out.setdefault(msg[p + 10:p + 14], set()).add(name)
                p += 10 + rdl
        except (IndexError, ValueError, struct.error):
            continue
    return out


def ip_text(rec):
    if (0, 8) in rec:
        return socket.inet_ntop(socket.AF_INET, rec[(0, 8)].to_bytes(4, "big"))
    return socket.inet_ntop(socket.AF_INET6, rec[(0, 27)])


DETECTORS = {1: "unresolved-scan", 2: "mx-storm", 3: "rate-jump", 4: "plateau",
             5: "resolver-dos", 6: "mail-model"}  # alertDetectorId (docs/ipfix.md)


def f64(v):
    """A float64 field (decode() gives its 8 octets as an integer)."""
    return struct.unpack(">d", v.to_bytes(8, "big"))[0]


def g6(x):
    """What the JSON lines print of a number (C's %.6g)."""
    return float(f"{x:.6g}")


def part_detection(dnsyn, gen, tmp, check):
    """The alert and top-client records (templates 265-268) against the JSON
    lines' "alert" and "top_clients" records of the same run, on the
    generator's mix with its scanners (as func.detect): keyed by host, and by
    /24 and /64 prefix (--detect aggregate=yes)."""
    prefix = os.path.join(tmp, "mix")
    subprocess.run([gen, "--scenario", "mix", "--seed", "3", "--packets", "400000", "--out",
                    prefix], check=True, capture_output=True)
    for tag, extra, plens in (("hosts", [], (32, 128)),
                              ("prefixes", ["--detect", "aggregate=yes"], (24, 64))):
        ipf, jsonl = os.path.join(tmp, f"{tag}.ipfix"), os.path.join(tmp, f"{tag}.jsonl")
        r = subprocess.run([dnsyn, "--quiet", "--pcap", prefix + ".pcap", "--interval", "3",
                            "--jsonl", jsonl, "--ipfix", f"file:{ipf}", "--ipfix-pen", str(PEN),
                            "--ipfix-odid", str(ODID)] + extra,
                           capture_output=True, text=True, timeout=300)
        check(f"{tag}: detection run", r.returncode == 0, r.stderr[-300:])
        with open(jsonl) as f:
            lines = [json.loads(x) for x in f]
        with open(ipf, "rb") as f:
            data = [(t, x) for o, t, x in decode(f.read()) if o == ODID]
        compare_detection(tag, lines, data, plens, check)


def compare_detection(tag, lines, data, plens, check):
    ja = [x for x in lines if x["record"] == "alert"]
    ia = [x for t, x in data if t in (265, 266)]
    check(f"{tag}: alert records: as many as the JSON-lines alerts", ja and len(ia) == len(ja),
          (len(ia), len(ja)))

    def start_of(rfc3339):
        return int(datetime.datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp())
    want = [(a["detector"], a["client"], start_of(a["time"]), start_of(a["time"]) + a["interval_s"],
             a["prefix_len"] - 96 if "." in a["client"] else a["prefix_len"], a["resolver"],
             a["score"], next(iter(a["evidence"].items()), ("", 0)), a["reason"]) for a in ja]
    got = [(DETECTORS.get(x[(PEN, 26)]), ip_text(x), x[(0, 150)], x[(0, 151)],
            x.get((0, 9), x.get((0, 29))), {1: True, 2: False}.get(x[(PEN, 28)]),
            g6(f64(x[(PEN, 27)])), (x[(PEN, 29)].decode(), g6(f64(x[(PEN, 30)]))),
            x[(PEN, 31)].decode()) for x in ia]
    diff = [(g, w) for g, w in zip(got, want) if g != w]
    check(f"{tag}: alert records: detector, client, interval, prefix, resolver flag, score, "
          "main evidence and reason as the JSON lines, in order", not diff, diff[:2])
    tops = [x for x in lines if x["record"] == "top_clients"]
    it = [x for t, x in data if t in (267, 268)]
    byiv = {}
    for x in it:
        byiv.setdefault(x[(0, 150)], []).append(x)
    bad = []
    for t in tops:
        recs = sorted(byiv.pop(t["start_s"], []), key=lambda x: x[(PEN, 32)])
        got = [[ip_text(x), x[(PEN, 33)]] for x in recs]
        if got != t["clients"] or [x[(PEN, 32)] for x in recs] != list(range(1, len(recs) + 1)) \
                or any(x[(0, 151)] - x[(0, 150)] != 3 for x in recs) \
                or any(x.get((0, 9), x.get((0, 29))) != plens[(0, 8) not in x] for x in recs):
            bad.append((t["start_s"], got[:3], t["clients"][:3]))
    check(f"{tag}: top-client records: per interval the top_clients line (rank, client, "
          f"prefix /{plens[0]} or /{plens[1]}, Dq)", tops and it and not bad and not byiv,
          (bad[:2], sorted(byiv)[:3]))


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    check = Checks()

    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "t")
        subprocess.run([gen, "--scenario", "basic", "--seed", "11", "--count", "3000",
                        "--out", prefix], check=True, capture_output=True)
        pcap = prefix + ".pcap"
        ipf, jsonl, rep_path = (os.path.join(tmp, x) for x in ("o.ipfix", "o.jsonl", "r.json"))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        cmd = [dnsyn, "--quiet", "--pcap", pcap, "--interval", "600", "--jsonl", jsonl,
               "--report-json", rep_path, "--ipfix", f"file:{ipf}",
               "--ipfix", f"udp:127.0.0.1:{port}", "--ipfix-pen", str(PEN),
               "--ipfix-odid", str(ODID)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        check("run", r.returncode == 0, r.stderr)
        with open(rep_path) as f:
            rep = json.load(f)
        with open(jsonl) as f:
            ivs = {j["start_s"]: j for j in map(json.loads, f) if j["record"] == "interval"}
        with open(ipf, "rb") as f:
            recs = decode(f.read())

        data = [(t, x) for o, t, x in recs if o == ODID]
        corr = [x for t, x in data if (0, 152) in x]
        ports = [x for t, x in data if (0, 11) in x and (PEN, 5) in x]
        clients = [x for t, x in data if (PEN, 13) in x]
        check("records of every kind", len(ports) > 0 and len(clients) > 0, (len(ports), len(clients)))
        check("enterprise elements under --ipfix-pen",
              all(pen in (0, PEN, 6871) for _, _, x in recs for pen, _ in x))
        for start, iv in sorted(ivs.items()):
            ps = [x for x in ports if x[(0, 150)] == start]
            cs = [x for x in clients if x[(0, 150)] == start]
            syn = sum(x[(0, 2)] for x in ps)
            matched = sum(x[(PEN, 5)] for x in ps)
            unmatched = sum(x[(PEN, 6)] for x in ps)
            want_m = iv["matched_syns_dst_only"]
            check(f"interval {start}: port records add up",
                  (syn, matched, unmatched) == (iv["syn"], want_m, iv["syn"] - want_m),
                  ((syn, matched, unmatched), (iv["syn"], want_m)))
            check(f"interval {start}: port records end with it",
                  all(x[(0, 151)] == start + 600 for x in ps))
            q = sum(x[(PEN, i)] for x in cs for i in range(7, 13))
            resp = sum(x[(PEN, 13)] for x in cs)
            nx = sum(x[(PEN, 14)] for x in cs)
            um = sum(x[(PEN, 6)] for x in cs)
            check(f"interval {start}: client records add up",
                  (q, resp, nx, um) == (iv["dns_queries"], iv["dns_answers"], iv["nxdomain"],
                                        iv["syn"] - want_m),
                  ((q, resp, nx, um), iv))
            co = [x for x in corr if start * 1000 <= x[(0, 152)] < (start + 600) * 1000]
            check(f"interval {start}: correlation records add up to its matched SYNs",
                  sum(x[(0, 2)] for x in co) == want_m, (sum(x[(0, 2)] for x in co), want_m))
            by_client = {ip_text(x): x[(PEN, 6)] for x in cs}
            top = iv["unmatched_syn_clients"]["top"]
            check(f"interval {start}: top unmatched clients agree",
                  all(by_client.get(a) == c for a, c in top), (top, by_client))
        # Distinct names per client: a 128-bit linear count, within a few
        # names of the truth at these sizes.
        qn, skip = query_names(pcap, 600)
        far = [(ip_text(x), x[(PEN, 34)], len(qn.get((x[(0, 150)], x[(0, 8)].to_bytes(4, "big")), ())))
               for x in clients if (0, 8) in x and x[(0, 8)].to_bytes(4, "big") not in skip]
        far = [f for f in far if abs(f[1] - f[2]) > max(2, f[2] // 5)]
        check("client records: distinct names estimate the queries' names",
              any(x[(PEN, 34)] > 0 for x in clients) and not far, far[:5])
        known = names_by_address(pcap)
        bad = [x for x in corr
               if not (x[(PEN, 1)] <= x[(PEN, 2)] <= 1000000 and
                       x[(PEN, 1)] * x[(0, 2)] <= x[(PEN, 3)] <= x[(PEN, 2)] * x[(0, 2)] and
                       x[(0, 152)] <= x[(0, 153)] and x[(0, 4)] == 6 and x[(PEN, 4)] > 0)]
        check("correlation records: delays, times, TTL consistent", corr and not bad, bad[:2])
        # Answers over TCP or in fragments are not parsed here: only servers
        # named by plain UDP answers are checked.
        named = [x for x in corr if (0, 12) in x and x[(0, 12)].to_bytes(4, "big") in known]
        wrong = [x for x in named
                 if x[(6871, 179)].decode() not in known[x[(0, 12)].to_bytes(4, "big")]]
        check("correlation records: the name of an answer that named the server",
              named and not wrong, [(x[(6871, 179)], ip_text(x)) for x in wrong[:3]])
        check("every interval exported",
              {x[(0, 150)] for x in ports + clients} <= set(ivs) and
              {s for s, iv in ivs.items() if iv["syn"]} <= {x[(0, 150)] for x in ports})

        # Statistics: options records in domain 0, scoped to the data domain.
        meter = [x for o, t, x in recs if o == 0 and (0, 86) in x]
        cnt = [x for o, t, x in recs if o == 0 and (PEN, 18) in x]
        expo = [x for o, t, x in recs if o == 0 and (0, 41) in x]
        check("statistics records", meter and cnt and expo, (len(meter), len(cnt), len(expo)))
        if meter and cnt:
            c = rep["counters"]
            check("metering statistics: packets seen", meter[-1][(0, 86)] == c["rx.pkts"] and
                  meter[-1][(0, 149)] == ODID and meter[-1][(0, 164)] == 0, meter[-1])
            check("dnsyn counters: table capacity", cnt[-1][(PEN, 19)] > 0 and
                  cnt[-1][(PEN, 16)] == c["table.evicted_addrs"], cnt[-1])
        if expo:
            check("exporting process: nothing lost", expo[-1][(0, 166)] == 0, expo[-1])

        # The UDP collector got the same data records.
        udp.setblocking(False)
        dgrams, tm = [], {}
        while True:
            try:
                dgrams.append(udp.recv(65535))
            except BlockingIOError:
                break
        urecs = [x for d in dgrams for x in decode(d, tm)]

        def key(x):
            return tuple(sorted((k, v if isinstance(v, int) else v.hex()) for k, v in x.items()))
        fdata = sorted(key(x) for o, t, x in recs if o == ODID)
        udata = sorted(key(x) for o, t, x in urecs if o == ODID)
        check("UDP collector: same data records as the file", fdata == udata,
              (len(fdata), len(udata)))
        check("UDP collector: each datagram one message within the MTU",
              all(len(d) <= 1400 and struct.unpack(">H", d[2:4])[0] == len(d) for d in dgrams))

        # Two shards: the same data records.
        ipf2 = os.path.join(tmp, "o2.ipfix")
        r = subprocess.run([dnsyn, "--quiet", "--pcap", pcap, "--interval", "600", "--shards", "2",
                            "--ipfix", f"file:{ipf2}", "--ipfix-pen", str(PEN),
                            "--ipfix-odid", str(ODID)], capture_output=True, text=True, timeout=300)
        with open(ipf2, "rb") as f:
            data2 = sorted(key(x) for o, t, x in decode(f.read()) if o == ODID)
        check("two shards: the same data records", r.returncode == 0 and data2 == fdata,
              (r.stderr, len(data2), len(fdata)))

        if shutil.which("ipfixDump"):
            d = subprocess.run(["ipfixDump", "--in", ipf], capture_output=True, text=True)
            check("ipfixDump (libfixbuf) reads the file", d.returncode == 0 and
                  "tid:   258" in d.stdout, d.stderr[-300:])
        else:
            print("note: ipfixDump not installed, libfixbuf check skipped")

        # A dead TCP collector: the run completes all the same.
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))
        dport = dead.getsockname()[1]
        dead.close()
        r = subprocess.run([dnsyn, "--quiet", "--pcap", pcap, "--ipfix", f"tcp:127.0.0.1:{dport}"],
                           capture_output=True, text=True, timeout=120)
        check("dead TCP collector: run completes", r.returncode == 0, r.stderr)
        r = subprocess.run([dnsyn, "--quiet", "--pcap", pcap, "--ipfix", "smtp:example"],
                           capture_output=True, text=True, timeout=60)
        check("bad target refused", r.returncode == 2 and "--ipfix" in r.stderr, r.stderr)
        part_detection(dnsyn, gen, tmp, check)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
