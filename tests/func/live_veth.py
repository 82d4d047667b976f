#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The live path without a NIC: a veth pair in a network namespace of the
test's own; tcpreplay sends a generated trace into one end, dnsyn captures
the other with net_af_packet (live mode, SIGINT at the end). Its report must
equal the report of the same trace replayed with --pcap, except what depends
on timing (named below). Then a link flap on a net_tap port: logged,
counted, the probe goes on. Skips (77) where namespaces or tcpreplay are not
available; always removes its namespace.

Usage: live_veth.py DNSYN DNSYN_GEN
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from telemetry import query  # noqa: E402
from checks import Checks, stop  # noqa: E402

NS = f"dnsyn-veth-{os.getpid()}"
# Packet time is the capture's on one side and the arrival time on the
# other: what a SYN matches within the window, delays, time buckets and
# what aged out of the table differ.
TIMING = {"matched_dst_only", "matched_answers_dst_only", "matched_dst_and_client",
          "matched_answers_dst_and_client", "table4_matched_syn_dports", "delay_hist_10ms",
          "queries_per_client", "matched_syns_dst_only", "matched_syns_dst_and_client",
          "delay_sum_ns_dst_only", "delay_sum_ns_dst_and_client", "pending_answer_addrs",
          "pending_expired", "timestamps_going_backwards"}
# ... and net_af_packet hands over IPv4 fragments reassembled by the kernel.
DEFRAG = {"answers_from_reassembled_ip_fragments"}


def sh(*cmd, check=True):
    return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=60)


def drop_timing(d):
    return {k: (drop_timing(v) if isinstance(v, dict) else v) for k, v in d.items()
            if k not in TIMING | DEFRAG}


def link_flap(dnsyn, ns, tmp):
    """A link that goes down and up is logged and counted, and the probe goes
    on. net_af_packet reports no link state (its link_update does nothing),
    so this uses net_tap, whose link follows its interface."""
    rep = os.path.join(tmp, "tap.json")
    p = subprocess.Popen(ns + [dnsyn, "--lcores", "0@0,1@1,2@0", "--no-huge", "-m", "512",
                               "--no-pci", f"--file-prefix={NS}-tap", "--vdev",
                               "net_tap0,iface=dtap0", "--", "--quiet", "--report-json", rep],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        if sh(*ns, "ip", "link", "show", "dtap0", check=False).returncode == 0 or \
                p.poll() is not None:
            break
        time.sleep(0.1)
    time.sleep(1.5)  # up, and seen up once
    sh(*ns, "ip", "link", "set", "dtap0", "down", check=False)
    time.sleep(2.5)  # the main lcore looks every second
    sh(*ns, "ip", "link", "set", "dtap0", "up", check=False)
    time.sleep(2.5)
    alive = p.poll() is None
    err = stop(p)
    ok = alive and p.returncode == 0 and "link down" in err and "link up" in err
    if ok:
        with open(rep) as f:
            ok = json.load(f)["counters"]["port.link_down"] == 1
    print(f"{'ok  ' if ok else 'FAIL'} a link flap (net_tap) is logged and counted, the probe "
          f"goes on{'' if ok else ': ' + err[-500:]}")
    return 0 if ok else 1


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    if not shutil.which("tcpreplay") or not shutil.which("ip"):
        print("skip: tcpreplay or ip (iproute2) not installed")
        return 77
    if sh("ip", "netns", "add", NS, check=False).returncode != 0:
        print("skip: cannot create a network namespace here (needs root and CAP_SYS_ADMIN)")
        return 77
    failed = 0
    try:
        ns = ["ip", "netns", "exec", NS]
        # jumbo MTU: no frame of the trace is too big; no IPv6 on the pair:
        # the kernel sends no router or neighbour solicitations into it
        sh(*ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
        sh(*ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1")
        sh(*ns, "ip", "link", "add", "v0", "mtu", "9000", "type", "veth", "peer", "name", "v1",
           "mtu", "9000")
        for dev in ("v0", "v1", "lo"):
            sh(*ns, "ip", "link", "set", dev, "up")
        with tempfile.TemporaryDirectory() as tmp:
            trace = os.path.join(tmp, "t")
            sh(gen, "--scenario", "basic", "--seed", "4", "--count", "1000", "--out", trace)
            ref_path, live_path = os.path.join(tmp, "ref.json"), os.path.join(tmp, "live.json")
            sh(dnsyn, "--pcap", trace + ".pcap", "--quiet", "--report-json", ref_path)
            p = subprocess.Popen(ns + [dnsyn, "--lcores", "0@0,1@1,2@0", "--no-huge", "-m", "512",
                                       "--no-pci", f"--file-prefix={NS}", "--vdev",
                                       "net_af_packet0,iface=v1", "--", "--quiet",
                                       "--report-json", live_path],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            # Ready once /dnsyn/stats answers: it is registered after the
            # port started, just before the lcores are launched.
            sock = f"/var/run/dpdk/{NS}/dpdk_telemetry.v2"
            for _ in range(300):
                try:
                    if "/dnsyn/stats" in query(sock, "/dnsyn/stats"):
                        break
                except (OSError, ValueError):
                    pass
                if p.poll() is not None:
                    break
                time.sleep(0.1)
            time.sleep(0.5)
            r = sh(*ns, "tcpreplay", "-q", "-i", "v0", "--pps", "5000", trace + ".pcap",
                   check=False)
            with open(ref_path) as f:
                rc = json.load(f)["counters"]
            want = rc["rx.pkts"] - rc["class.ip_fragment"] + rc["frag.reassembled"]
            for _ in range(150):  # until everything sent was received, or 15 s
                try:
                    if sum(query(sock, "/dnsyn/stats")["/dnsyn/stats"]["rx_packets"]) >= want:
                        break
                except (OSError, ValueError, KeyError):
                    pass
                time.sleep(0.1)
            time.sleep(0.5)
            err = stop(p)
            if r.returncode != 0 or p.returncode != 0:
                print(f"FAIL run: tcpreplay {r.returncode} {r.stderr[-300:]}; dnsyn "
                      f"{p.returncode} {err[-500:]}")
                return 1
            with open(ref_path) as f:
                ref = json.load(f)
            with open(live_path) as f:
                live = json.load(f)
            rc, lc = ref["counters"], live["counters"]
            # net_af_packet joins a fanout group with PACKET_FANOUT_FLAG_DEFRAG:
            # the kernel hands over IPv4 datagrams reassembled.
            want_pkts = rc["rx.pkts"] - rc["class.ip_fragment"] + rc["frag.reassembled"]
            checks = [
                ("every packet arrived (IPv4 fragments reassembled by the kernel)",
                 lc["rx.pkts"] == want_pkts, (lc["rx.pkts"], want_pkts)),
                ("nothing dropped", lc["ev.ring_full"] == 0 and
                 sum(v for k, v in lc.items() if k.startswith("drop.")) ==
                 sum(v for k, v in rc.items() if k.startswith("drop."))
                 , {k: v for k, v in lc.items() if k.startswith(("drop.", "ev."))}),
                ("paper: equal but for timing", drop_timing(live["paper"]) == drop_timing(ref["paper"]),
                 (drop_timing(live["paper"]), drop_timing(ref["paper"]))),
                ("detail: equal but for timing", drop_timing(live["detail"]) == drop_timing(ref["detail"]),
                 (live["detail"], ref["detail"])),
                ("some SYNs matched live too", live["paper"]["table2"]["matched_dst_only"] > 0, ""),
            ]
            for name, ok, detail in checks:
                print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + str(detail)[:600] if not ok else ''}")
                failed += not ok
            print(f"not compared: timing {sorted(TIMING)}, af_packet defrag {sorted(DEFRAG)}")
            failed += link_flap(dnsyn, ns, tmp)
    finally:
        sh("ip", "netns", "del", NS, check=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
