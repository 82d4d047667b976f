#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dnsyn's own IPFIX export (not the sample exporter) into the collectors
operators run, all on loopback, started here:

* the element files in config/ are what dnsyn's RFC 5610 records say
  (scripts/ipfix_elements.py --check);
* ipfixDump --stats counts every message and data record dnsyn says it
  wrote (export.* counters), per template as this script's decoder does;
  with --element-file config/dnsyn-ipfix.xml it names every dnsyn element;
* tshark decodes dnsyn's UDP datagrams with no expert info or malformed
  packet, sequence numbers counting data records per domain, and the
  correlation records' packetDeltaCount adds up to the report's matched SYNs;
  the alert records (one per alert of the report) and top-client records are
  among them;
* pmacct's nfacctd, with config/dnsyn-pmacct-primitives.lst, aggregates the
  correlation records by (src, dst, port, delay, name): its packet total is
  the report's matched SYNs, every row has its name;
* nfdump's nfcapd sees no sequence failure, and counts the report's SYNs plus
  its matched SYNs as packets (port records carry all SYNs, correlation
  records the matched ones);
* a TCP collector that goes away mid-run and comes back: dnsyn finishes,
  reconnects, resends templates on the new connection (its stream decodes
  alone), and counts what it could not send.

Usage: ipfix_collectors.py DNSYN DNSYN_GEN SOURCE_ROOT
Each part is skipped (with a note) when its tool is not installed; exit 77
when none is.
"""
import csv
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ipfix_export import decode  # noqa: E402
from ipfix_tshark import check_sequence, tshark_decode, write_pcap, COLLECTOR_PORT  # noqa: E402
from checks import Checks  # noqa: E402

check = Checks()


def free_port(kind=socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_dnsyn(dnsyn, pcap, tmp, *targets, extra=()):
    rep = os.path.join(tmp, "rep.json")
    cmd = [dnsyn, "--quiet", "--pcap", pcap, "--interval", "600", "--report-json", rep, *extra]
    for t in targets:
        cmd += ["--ipfix", t]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    with open(rep) as f:
        return json.load(f)


def matched(rep):
    return rep["paper"]["table2"]["matched_dst_only"] + \
        rep["paper"]["aaaa_extension"]["matched_syns_dst_only"]


def wait_for(pred, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


def part_files(dnsyn, pcap, tmp, root):
    ipf = os.path.join(tmp, "f.ipfix")
    rep = run_dnsyn(dnsyn, pcap, tmp, f"file:{ipf}")
    r = subprocess.run([sys.executable, os.path.join(root, "scripts", "ipfix_elements.py"), ipf,
                        "--check", "--out", os.path.join(root, "config")],
                       capture_output=True, text=True)
    check("config/ element files match dnsyn's type records", r.returncode == 0, r.stderr)
    dump = shutil.which("ipfixDump")
    if not dump:
        print("note: ipfixDump not installed, libfixbuf checks skipped")
        return rep, ipf, False
    r = subprocess.run([dump, "--in", ipf, "--stats"], capture_output=True, text=True, timeout=60)
    m = re.search(r"(\d+) Messages, (\d+) Data Records", r.stdout)
    c = rep["counters"]
    check("ipfixDump --stats: every message and record dnsyn wrote",
          m and (int(m.group(1)), int(m.group(2))) == (c["export.messages"], c["export.records"]),
          (m and m.groups(), c["export.messages"], c["export.records"]))
    per = {int(a): int(b) for a, b in re.findall(r"^\s*(\d+) \(0x[0-9a-f]+\)\|\s*(\d+)",
                                                 r.stdout, re.M)}
    with open(ipf, "rb") as f:
        mine = {}
        for _, t, _ in decode(f.read()):
            mine[t] = mine.get(t, 0) + 1
    check("ipfixDump and this decoder agree per template",
          {t: n for t, n in per.items() if n} == mine, (per, mine))
    r = subprocess.run([dump, "--in", ipf, "--data", "--element-file",
                        os.path.join(root, "config", "dnsyn-ipfix.xml")],
                       capture_output=True, text=True, timeout=60)
    check("ipfixDump --element-file names every dnsyn element",
          r.returncode == 0 and "answerSynDelayMinMicroseconds" in r.stdout and
          not re.search(r"\(32473/\d+\)\s+_alien", r.stdout), r.stderr[-300:])
    return rep, ipf, True


def part_tshark(dnsyn, pcap, tmp):
    tshark = shutil.which("tshark")
    if not tshark:
        print("note: tshark not installed, skipped")
        return False
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    udp.bind(("127.0.0.1", 0))
    rep = run_dnsyn(dnsyn, pcap, tmp, f"udp:127.0.0.1:{udp.getsockname()[1]}")
    udp.setblocking(False)
    dgrams = []
    while True:
        try:
            dgrams.append(udp.recvfrom(65535))
        except BlockingIOError:
            break
    sports = {a[1] for _, a in dgrams}
    cap = os.path.join(tmp, "udp.pcap")
    write_pcap(cap, [d for d, _ in dgrams], sports.pop() if len(sports) == 1 else 1)
    packets, records, problems = tshark_decode(tshark, cap)
    check("tshark: no expert info, no malformed packet", not problems, problems[:3])
    check("tshark: sequence numbers count data records per domain",
          not check_sequence(packets, "udp"), check_sequence(packets, "udp"))
    corr = [r for r in records if r["_tid"] in (256, 257)]
    total = sum(int(r["cflow.packets"][0]) for r in corr if "cflow.packets" in r)
    check("tshark: correlation records add up to the matched SYNs",
          corr and total == matched(rep), (len(corr), total, matched(rep)))
    alerts = [r for r in records if r["_tid"] in (265, 266)]
    top = [r for r in records if r["_tid"] in (267, 268)]
    check("tshark: an alert record per alert of the report, top-client records",
          alerts and len(alerts) == rep["alerts"]["total"] and top and
          all(r.get(("dnsyn", 31)) for r in alerts), (len(alerts), rep["alerts"]["total"], len(top)))
    return True


def part_nfacctd(dnsyn, pcap, tmp, root):
    nfacctd = shutil.which("nfacctd")
    if not nfacctd:
        print("note: nfacctd (pmacct) not installed, skipped")
        return False
    port, out = free_port(), os.path.join(tmp, "nfacctd.csv")
    conf = os.path.join(tmp, "nfacctd.conf")
    with open(conf, "w") as f:
        f.write(f"""daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: {port}
aggregate_primitives: {os.path.join(root, "config", "dnsyn-pmacct-primitives.lst")}
aggregate: src_host, dst_host, dst_port, proto, answer_syn_delay_min_microseconds, dns_qname
plugins: print
print_output: csv
print_output_file: {out}
print_output_file_append: true
print_refresh_time: 1
nfacctd_time_new: true
! dnsyn sends each interval's records in a burst: room for it in the kernel
! socket (rmem_max allows 4 MB by default). No plugin_buffer_size: a buffer
! between nfacctd's processes is handed on only once full, and the last
! records of a run would wait in it.
nfacctd_pipe_size: 4194304
""")
    log = open(os.path.join(tmp, "nfacctd.log"), "w")
    # its own session: nfacctd forks a process per plugin, all killed at the end
    proc = subprocess.Popen([nfacctd, "-f", conf], stdout=log, stderr=log,
                            start_new_session=True)
    try:
        time.sleep(1.5)
        rep = run_dnsyn(dnsyn, pcap, tmp, f"udp:127.0.0.1:{port}")

        def rows():
            try:
                with open(out) as f:
                    return [r for r in csv.DictReader(f) if r.get("DST_IP") not in (None, "", "DST_IP")]
            except OSError:
                return []

        want = matched(rep)
        wait_for(lambda: sum(int(r["PACKETS"]) for r in rows()) >= want)
        got = rows()
        total = sum(int(r["PACKETS"]) for r in got)
        check("nfacctd: correlation records' packets equal the matched SYNs", total == want,
              (total, want))
        check("nfacctd: every correlation row has its name and delay",
              got and all(r["dns_qname"] and int(r["answer_syn_delay_min_microseconds"]) <= 1000000
                          for r in got), got[:2])
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    return True


def part_nfcapd(dnsyn, pcap, tmp):
    nfcapd, nfdump = shutil.which("nfcapd"), shutil.which("nfdump")
    if not (nfcapd and nfdump):
        print("note: nfcapd/nfdump not installed, skipped")
        return False
    port, d = free_port(), os.path.join(tmp, "nfcapd")
    os.mkdir(d)
    log = open(os.path.join(tmp, "nfcapd.log"), "w")
    proc = subprocess.Popen([nfcapd, "-b", "127.0.0.1", "-p", str(port), "-w", d],
                            stdout=log, stderr=log)
    time.sleep(1)
    rep = run_dnsyn(dnsyn, pcap, tmp, f"udp:127.0.0.1:{port}")
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    files = sorted(glob.glob(os.path.join(d, "nfcapd.*")))
    stat = {}
    for fn in files:
        r = subprocess.run([nfdump, "-r", fn, "-I"], capture_output=True, text=True, timeout=60)
        for k, v in re.findall(r"^(\w[\w ]*\w): (\d+)$", r.stdout, re.M):
            stat[k] = stat.get(k, 0) + int(v)
    check("nfcapd: no sequence failures", files and stat.get("Sequence failures") == 0, stat)
    want = rep["paper"]["table2"]["total_syn"] + matched(rep)
    check("nfcapd: packets = all SYNs (port records) + matched SYNs (correlation records)",
          stat.get("Packets") == want, (stat.get("Packets"), want))
    return True


def part_tcp_outage(dnsyn, gen, tmp):
    """The collector reads the first connection a while, drops it and its
    listener, comes back on the same port and reads to the end."""
    prefix = os.path.join(tmp, "long")
    subprocess.run([gen, "--scenario", "basic", "--seed", "3", "--count", "20000", "--out", prefix],
                   check=True, capture_output=True)
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 0))
    port = lst.getsockname()[1]
    lst.listen(1)
    streams = [b"", b""]

    def collector():
        conn, _ = lst.accept()
        conn.settimeout(20)
        while len(streams[0]) < 4000:
            b = conn.recv(65536)
            if not b:
                break
            streams[0] += b
        conn.close()
        lst.close()
        time.sleep(0.6)  # down: dnsyn's connects are refused meanwhile
        l2 = socket.socket()
        l2.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l2.bind(("127.0.0.1", port))
        l2.listen(1)
        l2.settimeout(30)
        try:
            conn, _ = l2.accept()
        except socket.timeout:
            return
        conn.settimeout(30)
        while True:
            b = conn.recv(65536)
            if not b:
                break
            streams[1] += b
        conn.close()
        l2.close()

    th = threading.Thread(target=collector, daemon=True)
    th.start()
    rep = run_dnsyn(dnsyn, prefix + ".pcap", tmp, f"tcp:127.0.0.1:{port}", extra=("--interval", "10"))
    th.join(timeout=40)
    c = rep["counters"]
    check("TCP outage: dnsyn finished and reconnected",
          c["export.connects"] >= 2 and c["export.disconnects"] >= 1,
          {k: v for k, v in c.items() if k.startswith("export")})
    try:
        second = decode(streams[1])  # fresh template state: the templates came again
        ok = any(t == 258 for _, t, _ in second)
    except (AssertionError, KeyError, ValueError) as e:
        ok, second = False, str(e)
    check("TCP outage: the new connection starts with templates and decodes alone", ok,
          (len(streams[1]), second if isinstance(second, str) else len(second)))
    rel = [x for o, t, x in second if o == 0 and (0, 166) in x] if ok else []
    check("TCP outage: records lost in the outage are counted and reported",
          rel and rel[-1][(0, 166)] == c["export.not_sent"] and
          (c["export.not_sent"] > 0 or c["export.disconnects"] == 0),
          (rel[-1] if rel else None, c["export.not_sent"]))


def main():
    dnsyn, gen, root = sys.argv[1], sys.argv[2], sys.argv[3]
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "t")
        subprocess.run([gen, "--scenario", "basic", "--seed", "11", "--count", "3000",
                        "--out", prefix], check=True, capture_output=True)
        pcap = prefix + ".pcap"
        _, _, had_dump = part_files(dnsyn, pcap, tmp, root)
        ran = [had_dump, part_tshark(dnsyn, pcap, tmp), part_nfacctd(dnsyn, pcap, tmp, root),
               part_nfcapd(dnsyn, pcap, tmp)]
        part_tcp_outage(dnsyn, gen, tmp)
    if check.summary():
        return 1
    return 0 if any(ran) else 77


if __name__ == "__main__":
    sys.exit(main())
