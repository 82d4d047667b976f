#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""/dnsyn/stats over DPDK's telemetry socket, from a running dnsyn (live mode
on a pcap vdev replaying a generated trace in a loop): the command is listed,
its figures move between two queries and agree with each other, per-lcore
arrays have one entry per RX lcore and per shard; DPDK's own client
(dpdk-telemetry.py, from dpdk-dev) gets the same command.

Usage: telemetry.py DNSYN DNSYN_GEN
"""
import json
import os
import signal
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402

check = Checks()


def query(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(10)
    s.connect(path)
    json.loads(s.recv(65536).decode())  # the greeting
    s.send(cmd.encode())
    out = json.loads(s.recv(1 << 20).decode())
    s.close()
    return out


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    prefix = f"dnsyn-tel-{os.getpid()}"
    sock = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "t")
        subprocess.run([gen, "--scenario", "basic", "--seed", "2", "--count", "500", "--out", trace],
                       check=True, capture_output=True)
        rep = os.path.join(tmp, "r.json")
        p = subprocess.Popen([dnsyn, "--lcores", "0@0,1@1,2@0,3@1", "--no-huge", "-m", "1024",
                              "--no-pci", f"--file-prefix={prefix}", "--vdev",
                              f"net_pcap0,rx_pcap={trace}.pcap,infinite_rx=1", "--", "--quiet",
                              "--mbufs", "16383", "--shards", "2", "--report-json", rep,
                              "--jsonl", os.path.join(tmp, "iv.jsonl"), "--interval", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for _ in range(100):
                if os.path.exists(sock) or p.poll() is not None:
                    break
                time.sleep(0.1)
            time.sleep(1.5)
            check("dnsyn runs with its telemetry socket", p.poll() is None and os.path.exists(sock),
                  p.stderr.read() if p.poll() is not None else sock)
            if p.poll() is not None:
                return 1
            cmds = query(sock, "/")["/"]
            check("/dnsyn/stats is listed", "/dnsyn/stats" in cmds, cmds)
            help_ = query(sock, "/help,/dnsyn/stats")
            check("/dnsyn/stats has help", "dnsyn" in json.dumps(help_), help_)
            a = query(sock, "/dnsyn/stats")["/dnsyn/stats"]
            time.sleep(1)
            b = query(sock, "/dnsyn/stats")["/dnsyn/stats"]
            check("one entry per RX lcore and per shard",
                  len(b["rx_lcore"]) == 1 and len(b["rx_packets"]) == 1 and
                  len(b["shard_lcore"]) == 2 and len(b["shard_events"]) == 2, b)
            check("packets and events move between queries",
                  b["rx_packets"][0] > a["rx_packets"][0] and b["events"] > a["events"] and
                  b["rx_packets_per_s"][0] > 0 and all(x > 0 for x in b["shard_events_per_s"]),
                  (a, b))
            check("figures agree: events = sum of the shards', occupancy within capacity",
                  b["events"] == sum(b["shard_events"]) and
                  b["table_occupancy"] == sum(b["shard_table_occupancy"]) and
                  all(o <= c for o, c in zip(b["shard_table_occupancy"], b["shard_table_capacity"])) and
                  b["drops_ring_full"] == sum(b["rx_drops_ring_full"]), b)
            check("no malformed drops on a clean trace, uptime counts",
                  b["drops_malformed"] == 0 and b["uptime_s"] >= 1, b)
            # live: packet time is the TSC's, so 1 s intervals close as it runs
            check("detection: the last interval's top DNS clients and recent alerts",
                  len(b["top_clients"]) > 0 and
                  len(b["top_clients_queries"]) == len(b["top_clients"]) and
                  b["top_clients_queries"] == sorted(b["top_clients_queries"], reverse=True) and
                  len(b["alerts_recent"]) <= 10 and b["alerts_total"] >= len(b["alerts_recent"]),
                  {k: b.get(k) for k in ("top_clients", "top_clients_queries", "alerts_recent",
                                         "alerts_total", "intervals_written")})
            tool = shutil.which("dpdk-telemetry.py")
            if tool:
                r = subprocess.run([sys.executable, tool, "-f", prefix], input="/dnsyn/stats\n",
                                   capture_output=True, text=True, timeout=30)
                check("dpdk-telemetry.py runs /dnsyn/stats",
                      r.returncode == 0 and '"/dnsyn/stats"' in r.stdout and "rx_packets" in r.stdout,
                      r.stdout[-300:] + r.stderr[-300:])
            else:
                print("note: dpdk-telemetry.py not installed, skipped")
        finally:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        check("SIGINT: clean exit with a report", p.returncode == 0 and os.path.exists(rep),
              p.stderr.read()[-300:] if p.stderr else "")
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
