#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dnsyn's IPFIX as real decoders see it. The sample exporter
(tests/ipfix/dnsyn_ipfix_sample.c) sends a known set of records over UDP to a
socket here and into an RFC 5655 file; then:

* tshark decodes the UDP datagrams (as captured: written to a pcap with their
  real source port) and the file's messages (each wrapped in a UDP packet)
  with `-d udp.port==4739,cflow`: no expert warnings or errors, no malformed
  packet, every record with the values the sample printed, sequence numbers
  that count the data records per observation domain, datagrams within the MTU
  from one source port;
* ipfixDump (libfixbuf-tools), when installed, counts in the file every record
  the sample says it wrote, and with --rfc5610 names every enterprise element
  from dnsyn's type records alone (float64 and boolean ones decoded as such).

Usage: ipfix_tshark.py DNSYN_IPFIX_SAMPLE
Exit 0 all good, 1 a difference, 77 (skip) when tshark is not installed.
"""
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

COLLECTOR_PORT = 4739
UDP_MTU = 576


def ip_checksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def write_pcap(path, payloads, sport):
    """Each payload as one Ethernet/IPv4/UDP packet 127.0.0.1:sport -> :4739."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(payloads):
            udp = struct.pack("!HHHH", sport, COLLECTOR_PORT, 8 + len(p), 0) + p
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17, 0,
                             bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
            ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
            frame = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame)


def split_messages(data):
    """An IPFIX file is messages back to back; the header carries the length."""
    out, off = [], 0
    while off + 4 <= len(data):
        n = struct.unpack("!H", data[off + 2:off + 4])[0]
        if n < 16:
            raise ValueError(f"message length {n} at offset {off}")
        out.append(data[off:off + n])
        off += n
    if off != len(data):
        raise ValueError(f"{len(data) - off} trailing octets")
    return out


def tshark_decode(tshark, pcap):
    """Packets as (odid, sequence, number of data records) and the records as
    dicts: field name -> (show, raw hex), enterprise fields as (pen, id)."""
    r = subprocess.run([tshark, "-r", pcap, "-d", f"udp.port=={COLLECTOR_PORT},cflow",
                        "-T", "pdml"], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"tshark: exit {r.returncode}: {r.stderr.strip()}")
    packets, records, problems = [], [], []
    for pkt in ET.fromstring(r.stdout).iter("packet"):
        names = {f.get("name") for f in pkt.iter("field")} | {p.get("name") for p in pkt.iter("proto")}
        if any(n and (n.startswith("_ws.malformed") or n.startswith("_ws.expert")) for n in names):
            problems.append(f"packet {len(packets) + 1}: malformed or expert info")
        cflow = next((p for p in pkt.iter("proto") if p.get("name") == "cflow"), None)
        if cflow is None:
            problems.append(f"packet {len(packets) + 1}: not decoded as cflow")
            continue
        top = {f.get("name"): f.get("show") for f in cflow if f.tag == "field"}
        udp_len = next((int(f.get("show")) for f in pkt.iter("field")
                        if f.get("name") == "udp.length"), None)
        # tshark shows a message cut short as "partial flow", with no expert info.
        if udp_len is None or int(top.get("cflow.len", -1)) != udp_len - 8:
            problems.append(f"packet {len(packets) + 1}: IPFIX length {top.get('cflow.len')}, "
                            f"UDP payload {udp_len - 8 if udp_len else None}")
        n_data = 0
        for setf in cflow:
            sid = next((int(c.get("show")) for c in setf if c.get("name") == "cflow.flowset_id"), None)
            if sid is None or sid < 256:
                continue
            for flow in setf:
                if not (flow.get("show") or "").startswith("Flow "):
                    continue
                rec = {"_tid": sid, "_odid": int(top["cflow.od_id"])}
                for f in flow.iter("field"):
                    name = f.get("name")
                    if name == "cflow.enterprise_private_entry":
                        m = re.search(r"\((.*?)\) Type (\d+):", f.get("showname", ""))
                        pen = "cert" if "CERT" in m.group(1) else "dnsyn"
                        rec[(pen, int(m.group(2)))] = bytes.fromhex(f.get("value") or "")
                    elif name and name not in rec:
                        rec[name] = (f.get("show"), f.get("value"))
                records.append(rec)
                n_data += 1
        packets.append((int(top["cflow.od_id"]), int(top["cflow.sequence"]), n_data))
    r = subprocess.run([tshark, "-r", pcap, "-d", f"udp.port=={COLLECTOR_PORT},cflow", "-q",
                        "-z", "expert"], capture_output=True, text=True, timeout=120)
    if re.search(r"^(Errors|Warnings) \(", r.stdout, re.M) or "Malformed" in r.stdout:
        problems.append("tshark -z expert: " + r.stdout.strip().replace("\n", " | ")[:400])
    return packets, records, problems


def num(rec, key):
    v = rec.get(key)
    if v is None:
        return None
    raw = v if isinstance(v, bytes) else bytes.fromhex(v[1])
    return int.from_bytes(raw, "big")


def show(rec, *names):
    for n in names:
        if n in rec:
            return rec[n][0]
    return None


def check_records(exp, records, label):
    """The decoded records against what the sample printed. Returns problems."""
    bad = []
    corr = [r for r in records if r["_tid"] in (256, 257)]
    if len(corr) != len(exp["corr"]):
        return [f"{label}: {len(corr)} correlation records, expected {len(exp['corr'])}"]
    for i, (r, e) in enumerate(zip(corr, exp["corr"])):
        got = {
            "client": show(r, "cflow.srcaddr", "cflow.srcaddrv6"),
            "server": show(r, "cflow.dstaddr", "cflow.dstaddrv6"),
            "dport": int(show(r, "cflow.dstport")),
            "first_ms": num(r, "cflow.abstimestart"),
            "last_ms": num(r, "cflow.abstimeend"),
            "syns": int(show(r, "cflow.packets")),
            "delay_min_us": num(r, ("dnsyn", 1)),
            "delay_max_us": num(r, ("dnsyn", 2)),
            "delay_sum_us": num(r, ("dnsyn", 3)),
            "ttl": num(r, ("dnsyn", 4)),
            "qname": r.get(("cert", 179), b"").decode("utf-8"),
        }
        want = {k: e[k] for k in got}
        if got != want:
            diff = {k: (got[k], want[k]) for k in got if got[k] != want[k]}
            bad.append(f"{label}: correlation record {i}: (got, expected) {diff}")
        if show(r, "cflow.protocol") != "6" or show(r, "cflow.tcpflags") != "0x0002":
            bad.append(f"{label}: correlation record {i}: protocol/flags")
    ports = [r for r in records if r["_tid"] == 258]
    got = [{"dport": int(show(r, "cflow.dstport")), "start_s": num(r, "cflow.abstimestart"),
            "end_s": num(r, "cflow.abstimeend"), "syn": int(show(r, "cflow.packets")),
            "matched": num(r, ("dnsyn", 5)), "unmatched": num(r, ("dnsyn", 6))} for r in ports]
    if got != exp["port"]:
        bad.append(f"{label}: port records {got} != {exp['port']}")
    clients = [r for r in records if r["_tid"] in (259, 260)]
    got = [{"client": show(r, "cflow.srcaddr", "cflow.srcaddrv6"), "q_a": num(r, ("dnsyn", 7)),
            "unmatched": num(r, ("dnsyn", 6)), "nxdomain": num(r, ("dnsyn", 14))} for r in clients]
    if got != exp["client"]:
        bad.append(f"{label}: client records {got} != {exp['client']}")
    alerts = [r for r in records if r["_tid"] in (265, 266)]
    got = [{"addr": show(r, "cflow.srcaddr", "cflow.srcaddrv6"),
            "plen": int(show(r, "cflow.srcmask", "cflow.srcmaskv6")),
            "detector": num(r, ("dnsyn", 26)),
            "resolver": {1: 1, 2: 0}.get(num(r, ("dnsyn", 28))),  # RFC 7011 boolean
            "score": struct.unpack(">d", r[("dnsyn", 27)])[0],
            "ev_name": r[("dnsyn", 29)].decode(),
            "ev_value": struct.unpack(">d", r[("dnsyn", 30)])[0],
            "reason": r[("dnsyn", 31)].decode()} for r in alerts]
    if got != exp["alert"] or any(num(r, "cflow.abstimeend") - num(r, "cflow.abstimestart") != 60
                                  for r in alerts):
        bad.append(f"{label}: alert records {got} != {exp['alert']}")
    top = [r for r in records if r["_tid"] in (267, 268)]
    got = [{"rank": num(r, ("dnsyn", 32)), "client": show(r, "cflow.srcaddr", "cflow.srcaddrv6"),
            "plen": int(show(r, "cflow.srcmask", "cflow.srcmaskv6")),
            "queries": num(r, ("dnsyn", 33))} for r in top]
    if got != exp["top"]:
        bad.append(f"{label}: top-client records {got} != {exp['top']}")
    meter = [r for r in records if r["_tid"] == 261]
    if len(meter) != 1 or int(show(meter[0], "cflow.permanent_packets")) != exp["meter"]["packets"] \
            or int(show(meter[0], "cflow.ignore_packets")) != exp["meter"]["ignored"] \
            or int(show(meter[0], "cflow.od_id")) != exp["odid"] or meter[0]["_odid"] != 0:
        bad.append(f"{label}: metering statistics record")
    rel = [r for r in records if r["_tid"] == 262]
    if len(rel) != 1 or int(show(rel[0], "cflow.notsent_flows")) != 0 or rel[0]["_odid"] != 0:
        bad.append(f"{label}: exporting reliability record")
    cnt = [r for r in records if r["_tid"] == 263]
    if len(cnt) != 1 or [num(cnt[0], ("dnsyn", k)) for k in range(15, 26)] != \
            [11, 12, 13, 14000, 1048576, 15, 16, 17, 18, 19, 20]:
        bad.append(f"{label}: dnsyn counters record")
    ietype = [r for r in records if r["_tid"] == 264]
    names = {show(r, "cflow.information_element_name") for r in ietype}
    if len(ietype) != 2 * exp["n_ie_infos"] or "answerSynDelayMinMicroseconds" not in names \
            or "dnsQName" not in names:
        bad.append(f"{label}: {len(ietype)} RFC 5610 type records, names {sorted(names)[:4]}...")
    return bad


def check_sequence(packets, label):
    """RFC 7011: the sequence number counts the data records sent before, per domain."""
    seen = {}
    for i, (odid, seq, n) in enumerate(packets):
        if odid in seen and seq != seen[odid]:
            return [f"{label}: packet {i + 1} (domain {odid}): sequence {seq}, expected {seen[odid]}"]
        seen[odid] = seq + n
    return []


def run_ipfixdump(ipfixdump, path, exp, target):
    bad = []
    r = subprocess.run([ipfixdump, "--in", path, "--stats"], capture_output=True, text=True,
                       timeout=60)
    m = re.search(r"(\d+) Messages, (\d+) Data Records", r.stdout)
    if r.returncode != 0 or m is None:
        return [f"ipfixDump --stats: exit {r.returncode}: {r.stdout[:200]} {r.stderr[:200]}"]
    if int(m.group(2)) != target["records"]:
        bad.append(f"ipfixDump counts {m.group(2)} data records, the exporter wrote "
                   f"{target['records']}")
    if int(m.group(1)) != target["messages"]:
        bad.append(f"ipfixDump counts {m.group(1)} messages, the exporter wrote "
                   f"{target['messages']}")
    per = {int(a): int(b) for a, b in re.findall(r"^\s*(\d+) \(0x[0-9a-f]+\)\|\s*(\d+)", r.stdout, re.M)}
    want = {256: 36, 257: 4, 258: len(exp["port"]), 259: 3, 260: 1, 261: 1, 262: 1, 263: 1,
            264: 2 * exp["n_ie_infos"], 265: 1, 266: 1, 267: 2, 268: 1}
    if per != want:
        bad.append(f"ipfixDump per template {per} != {want}")
    r = subprocess.run([ipfixdump, "--in", path, "--rfc5610", "--data"], capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0 or r.stderr.strip():
        bad.append(f"ipfixDump --rfc5610: exit {r.returncode}: {r.stderr.strip()[:300]}")
    if "_alienInformationElement" in r.stdout:
        bad.append("ipfixDump --rfc5610: elements left unnamed by the type records")
    if r.stdout.count("dnsQName :") != len(exp["corr"]) or \
            r.stdout.count("answerSynDelayMaxMicroseconds :") != len(exp["corr"]):
        bad.append("ipfixDump --rfc5610: dnsQName / delay fields not decoded on every record")
    # float64 and boolean types from the type records: the values, not their bits
    scores = re.findall(r"alertScore : (\S+)", r.stdout)
    if [float(x) for x in scores] != [a["score"] for a in exp["alert"]] or \
            re.findall(r"alertKeyIsResolver : (\S+)", r.stdout) != ["2", "1"]:
        bad.append(f"ipfixDump --rfc5610: alert scores {scores} != "
                   f"{[a['score'] for a in exp['alert']]}, or the resolver flags")
    return bad


def main():
    sample = sys.argv[1]
    tshark = shutil.which("tshark")
    if tshark is None:
        print("SKIP: tshark is not installed (scripts/deps.sh installs it)")
        return 77
    ipfixdump = shutil.which("ipfixDump")
    failures, passed = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sample.ipfix")
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        r = subprocess.run([sample, "--mtu", str(UDP_MTU), f"udp:127.0.0.1:{port}",
                            f"file:{path}"], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            print(f"FAIL sample exporter: exit {r.returncode}: {r.stderr}")
            print("0 passed, 1 failed")
            return 1
        exp = json.loads(r.stdout)
        udp_target, file_target = exp["targets"]
        datagrams, sources = [], set()
        sock.settimeout(0.5)
        try:
            while True:
                data, src = sock.recvfrom(65536)
                datagrams.append(data)
                sources.add(src[1])
        except socket.timeout:
            pass
        sock.close()

        # UDP, as captured.
        bad = []
        if len(datagrams) != udp_target["messages"]:
            bad.append(f"udp: {len(datagrams)} datagrams, exporter sent {udp_target['messages']}")
        if sources != {udp_target["src_port"]}:
            bad.append(f"udp: source ports {sorted(sources)}, expected {udp_target['src_port']}")
        if any(len(d) > UDP_MTU for d in datagrams):
            bad.append(f"udp: a datagram over the MTU of {UDP_MTU}")
        pcap = os.path.join(tmp, "udp.pcap")
        write_pcap(pcap, datagrams, udp_target["src_port"] or 50000)
        packets, records, problems = tshark_decode(tshark, pcap)
        bad += problems + check_records(exp, records, "udp") + check_sequence(packets, "udp")
        if len(records) != udp_target["records"]:
            bad.append(f"udp: tshark decoded {len(records)} data records, exporter sent "
                       f"{udp_target['records']}")
        if bad:
            failures += bad
        else:
            passed += 1
            print(f"ok   udp: tshark decodes {len(datagrams)} datagrams, {len(records)} records, "
                  "values, sequence numbers, no expert info")

        # The file, each message wrapped in a UDP packet.
        bad = []
        data = open(path, "rb").read()
        try:
            msgs = split_messages(data)
        except ValueError as e:
            msgs = []
            bad.append(f"file: {e}")
        if len(msgs) != file_target["messages"]:
            bad.append(f"file: {len(msgs)} messages, exporter wrote {file_target['messages']}")
        if msgs and struct.unpack("!H", msgs[0][16:18])[0] not in (2, 3):
            bad.append("file: does not start with templates")
        pcap = os.path.join(tmp, "file.pcap")
        write_pcap(pcap, msgs, 50000)
        packets, records, problems = tshark_decode(tshark, pcap)
        bad += problems + check_records(exp, records, "file") + check_sequence(packets, "file")
        if len(records) != file_target["records"]:
            bad.append(f"file: tshark decoded {len(records)} data records, exporter wrote "
                       f"{file_target['records']}")
        if bad:
            failures += bad
        else:
            passed += 1
            print(f"ok   file: tshark decodes {len(msgs)} messages, {len(records)} records")

        if ipfixdump is None:
            print("skip ipfixDump: libfixbuf-tools not installed (scripts/deps.sh installs it)")
        else:
            bad = run_ipfixdump(ipfixdump, path, exp, file_target)
            if bad:
                failures += bad
            else:
                passed += 1
                print(f"ok   file: ipfixDump counts all {file_target['records']} records and "
                      "names every element from the RFC 5610 type records")
    for f in failures:
        print(f"FAIL {f}")
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
