#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two processes over net_memif, the way a benchmarker drives the probe
(docs/load-generation.md): dnsyn in live mode is the memif server, and
dpdk-testpmd, the client, replays a generated trace from a net_pcap port
into it once (io forwarding with TX retry, so a full memif ring holds the
sender back instead of dropping). dnsyn must receive every packet (rx.pkts,
no drops: ev.ring_full, port.imissed, port.rx_nombuf) and report what a
--pcap run of the same file reports, but for what depends on packet time
(named below). Skips (77) without dpdk-testpmd (package dpdk-dev) or
DPDK's memif/pcap PMDs.

Usage: memif.py DNSYN DNSYN_GEN
"""
import glob
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from telemetry import query  # noqa: E402
from checks import Checks, stop  # noqa: E402

TAG = f"dnsyn-memif-{os.getpid()}"
# The match window of both runs. The live run stamps packets with the TSC
# as they arrive, so the 16.7 s trace comes in within a fraction of a second
# (a few seconds on a loaded machine): with the default 1 s window the live
# run sees more answer->SYN pairs within the window than the replay (more
# SYNs matched, nothing expired). With a window longer than both the trace
# and the live run, every answer that precedes a SYN is still pending when
# the SYN comes, in both runs: which SYN matches which answer then depends
# only on packet order, which memif keeps (one ring, one queue), and the
# matched counts, Table 4 and the AAAA extension must be equal too.
WINDOW_S = 60
# What still depends on packet time: the delays themselves, the (client,
# minute) keys of the query counts (compared summed per client), the
# table's time buckets and expiry, wall time; and what one mode only has:
# ring waits (replay waits for ring space), horizon skips (live merges).
TIMING_PAPER = {"delay_hist_10ms", "queries_per_client"}
TIMING_DETAIL = {"delay_sum_ns_dst_only", "delay_sum_ns_dst_and_client",
                 "timestamps_going_backwards"}
TIMING_COUNTERS = {"run.us", "table.probes", "table.expired_addrs", "table.early_rolls",
                   "rx.ts_backwards", "ev.ring_waits", "corr.horizon_skips"}
# testpmd: io forwarding that retries a full TX ring (10 us apart, up to
# 10 s) instead of dropping; set before forwarding starts.
TESTPMD_CMDS = "set fwd io retry\nset burst tx delay 10 retry 1000000\n"


def runtime_dir(prefix):
    base = "/var/run" if os.geteuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


def have_pmds():
    """Debian's DPDK loads its PMDs as plugins: both must be there."""
    roots = ["/usr/lib", "/usr/lib64", "/usr/local/lib", "/usr/local/lib64"]
    found = {drv: any(glob.glob(os.path.join(r, pat, f"librte_net_{drv}.so*"))
                      for r in roots for pat in ("dpdk/pmds-*", "*/dpdk/pmds-*"))
             for drv in ("memif", "pcap")}
    return [d for d, ok in found.items() if not ok]


def pcap_records(path):
    """Records in a classic pcap file (what dnsyn_gen writes)."""
    n = 0
    with open(path, "rb") as f:
        magic = f.read(24)[:4]
        end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        while True:
            h = f.read(16)
            if len(h) < 16:
                return n
            f.seek(struct.unpack(end + "IIII", h)[2], 1)
            n += 1


def tel(sock, cmd):
    """One telemetry command, None while the socket is not there yet."""
    try:
        return query(sock, cmd)
    except (OSError, ValueError):
        return None


def dnsyn_rx(sock):
    r = tel(sock, "/dnsyn/stats")
    try:
        return sum(r["/dnsyn/stats"]["rx_packets"])
    except (TypeError, KeyError):
        return None


def port_stats(sock, port):
    r = tel(sock, f"/ethdev/stats,{port}")
    try:
        return r["/ethdev/stats"]
    except (TypeError, KeyError):
        return None


def wait(cond, timeout, procs=()):
    """Poll cond() every 50 ms until true, a process in procs exits, or timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        if any(p.poll() is not None for p in procs):
            return cond()
        time.sleep(0.05)
    return cond()


# Each child leads a process group of its own (killed whole at the end), but
# stays in the test's session: with the scheduler's autogroups (one per
# session) a testpmd started with setsid() took 15-40 s to create each EAL
# control thread here while dnsyn's lcores polled both CPUs.
GROUP = {"process_group": 0} if sys.version_info >= (3, 11) else {"preexec_fn": os.setpgrp}


def kill_group(p):
    """Whatever is left of a process started in its own session."""
    if p is not None and p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=10)


def sub(d, drop):
    return {k: v for k, v in d.items() if k not in drop}


def qpc_per_client(paper):
    return {c: sum(m.values()) for c, m in paper["queries_per_client"]["counts"].items()}


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    testpmd = shutil.which("dpdk-testpmd")
    if not testpmd:
        print("skip: dpdk-testpmd not installed (package dpdk-dev)")
        return 77
    missing = have_pmds()
    if missing:
        print(f"skip: DPDK PMD plugin(s) not found: {', '.join('net_' + m for m in missing)}")
        return 77
    check = Checks()
    t0 = time.monotonic()
    srv = cli = None
    prefixes = (TAG, TAG + "-tpmd")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            trace = os.path.join(tmp, "t")
            subprocess.run([gen, "--scenario", "mix", "--seed", "1", "--packets", "20000",
                            "--out", trace], check=True, capture_output=True, timeout=60)
            pcap = trace + ".pcap"
            n = pcap_records(pcap)
            ref_path, live_path = os.path.join(tmp, "ref.json"), os.path.join(tmp, "live.json")
            subprocess.run([dnsyn, "--pcap", pcap, "--window", str(WINDOW_S), "--quiet",
                            "--report-json", ref_path], check=True, capture_output=True,
                           timeout=60)
            # A socket file of the test's own (not the abstract namespace):
            # gone with the temporary directory whatever happens.
            msock = os.path.join(tmp, "memif.sock")
            memif = f"socket={msock},socket-abstract=no"
            srv_log, cli_log = os.path.join(tmp, "dnsyn.err"), os.path.join(tmp, "testpmd.out")
            cmds = os.path.join(tmp, "testpmd.cmds")
            with open(cmds, "w") as f:
                f.write(TESTPMD_CMDS)

            # The server first: the client connects when its port starts.
            # Main and correlation lcores on CPU 0, RX on CPU 1.
            with open(srv_log, "w") as err:
                srv = subprocess.Popen(
                    [dnsyn, "--lcores", "0@0,1@1,2@0", "--no-huge", "-m", "512", "--no-pci",
                     f"--file-prefix={TAG}", "--log-level=pmd.net.memif:info", "--vdev",
                     f"net_memif0,role=server,{memif}", "--",
                     "--quiet", "--no-progress", "--window", str(WINDOW_S),
                     "--report-json", live_path],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                    **GROUP)
            ssock = os.path.join(runtime_dir(TAG), "dpdk_telemetry.v2")
            # /dnsyn/stats is registered after the port started, just
            # before the lcores are launched.
            ready = wait(lambda: dnsyn_rx(ssock) is not None, 30, [srv])
            if not check("dnsyn (memif server) up", ready, open(srv_log).read()[-800:]):
                return check.summary()

            # testpmd: its forwarding lcore shares CPU 1 with dnsyn's RX
            # lcore (a full ring makes it wait, it never outruns the RX
            # lcore for long), its main lcore sleeps on CPU 0.
            # --no-flush-rx: testpmd otherwise drains its RX queues before
            # forwarding, which reads the whole pcap and throws it away.
            with open(cli_log, "w") as out:
                cli = subprocess.Popen(
                    [testpmd, "--lcores", "0@0,1@1", "--no-huge", "-m", "256", "--no-pci",
                     f"--file-prefix={TAG}-tpmd", "--log-level=pmd.net.memif:info", "--vdev",
                     f"net_pcap0,rx_pcap={pcap},infinite_rx=0", "--vdev",
                     f"net_memif1,role=client,{memif}", "--", "--forward-mode=io",
                     "--no-flush-rx", "--stats-period", "1", "--total-num-mbufs", "16384",
                     f"--cmdline-file={cmds}"],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                    **GROUP)
            csock = os.path.join(runtime_dir(TAG + "-tpmd"), "dpdk_telemetry.v2")

            # testpmd waits up to 9 s for the memif link, then forwards; give
            # up when nothing more was sent for 12 s, or at 40 s in all.
            last = {"n": -1, "t": time.monotonic()}

            def sent_or_stalled():
                s = port_stats(csock, 1)
                now = time.monotonic()
                if s is not None and s["opackets"] != last["n"]:
                    last["n"], last["t"] = s["opackets"], now
                return (s is not None and s["opackets"] >= n) or now - last["t"] > 12

            wait(sent_or_stalled, 40 - (time.monotonic() - t0), [cli, srv])
            tx = port_stats(csock, 1) or {}
            rxd = port_stats(csock, 0) or {}
            # Everything sent is in dnsyn's ring or behind it: a moment.
            wait(lambda: (dnsyn_rx(ssock) or 0) >= n, 5, [srv])
            got = dnsyn_rx(ssock)
            link = (tel(ssock, "/ethdev/link_status,0") or {}).get("/ethdev/link_status") or {}
            srv_alive = srv.poll() is None
            # dnsyn first, while the link is still up (port.link_down stays 0).
            stop(srv, timeout=20)
            cli.send_signal(signal.SIGINT)
            try:
                cli.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kill_group(cli)
            srv_err, cli_out = open(srv_log).read(), open(cli_log, errors="replace").read()
            fwd = cli_out[cli_out.find("Forward statistics"):][:1500]
            print(f"testpmd: port 0 (pcap) read {rxd.get('ipackets')}, port 1 (memif) sent "
                  f"{tx.get('opackets')} of {n}; dnsyn received {got}; "
                  f"{time.monotonic() - t0:.1f} s")
            # memif logs why a connection was refused ("Disconnect received:
            # Invalid ring index": the server has fewer queues than the
            # client has rings).
            why = [ln.strip() for ln in (srv_err + cli_out).splitlines() if "isconnect" in ln]
            if not check("memif connected (dnsyn's port link up)", link.get("status") == "UP",
                         (link, why[:4] or cli_out[-600:])):
                return check.summary()
            check("testpmd read and sent the whole trace over memif",
                  rxd.get("ipackets") == n and tx.get("opackets") == n, fwd or cli_out[-1500:])
            check("dnsyn ran until stopped and exited 0", srv_alive and srv.returncode == 0,
                  (srv.returncode, srv_err[-800:]))
            if srv.returncode != 0 or not os.path.exists(live_path):
                return check.summary()

            with open(ref_path) as f:
                ref = json.load(f)
            with open(live_path) as f:
                live = json.load(f)
            rc, lc = ref["counters"], live["counters"]
            check("the replay saw every record", rc["rx.pkts"] == n, (rc["rx.pkts"], n))
            check("dnsyn received every packet sent", lc["rx.pkts"] == n and
                  lc["rx.bytes"] == rc["rx.bytes"], (lc["rx.pkts"], lc["rx.bytes"], n))
            # net_memif reports neither imissed nor rx_nombuf (a packet it
            # cannot take stays in the ring): the evidence of no loss on the
            # way in is testpmd's count against rx.pkts, above; these must
            # be 0 all the same.
            drops = {k: lc[k] for k in ("ev.ring_full", "port.imissed", "port.rx_nombuf",
                                        "port.ierrors", "port.link_down", "port.queue_stalls")}
            check("no drops, the link stayed up", not any(drops.values()), drops)
            span = (live["input"]["last_ts_ns"] - live["input"]["first_ts_ns"]) / 1e9
            trace_span = (ref["input"]["last_ts_ns"] - ref["input"]["first_ts_ns"]) / 1e9
            check(f"both runs within the {WINDOW_S} s window (trace {trace_span:.1f} s, "
                  f"live {span:.2f} s)", span < WINDOW_S and trace_span < WINDOW_S,
                  (trace_span, span))
            rp, lp = ref["paper"], live["paper"]
            check("Table 1 (answers, A RRs) equal", lp["table1"] == rp["table1"],
                  (lp["table1"], rp["table1"]))
            check("Table 2 (SYNs, distinct, SYN-ACKs, matched) equal",
                  lp["table2"] == rp["table2"], (lp["table2"], rp["table2"]))
            check("Tables 3 and 4 (ports) equal",
                  lp["table3_top10_syn_dports"] == rp["table3_top10_syn_dports"] and
                  lp["table4_matched_syn_dports"] == rp["table4_matched_syn_dports"],
                  (lp["table3_top10_syn_dports"], lp["table4_matched_syn_dports"]))
            check("the rest of the paper equal but for timing",
                  sub(lp, TIMING_PAPER) == sub(rp, TIMING_PAPER),
                  (sub(lp, TIMING_PAPER), sub(rp, TIMING_PAPER)))
            check("queries per client equal (summed over minutes)",
                  qpc_per_client(lp) == qpc_per_client(rp), "")
            check("Fig. 5: as many delays (the delays themselves differ)",
                  sum(lp["delay_hist_10ms"]["dst_only"]) ==
                  sum(rp["delay_hist_10ms"]["dst_only"]),
                  (sum(lp["delay_hist_10ms"]["dst_only"]),
                   sum(rp["delay_hist_10ms"]["dst_only"])))
            check("detail equal but for timing",
                  sub(live["detail"], TIMING_DETAIL) == sub(ref["detail"], TIMING_DETAIL),
                  (live["detail"], ref["detail"]))
            cdiff = {k: (lc.get(k), rc[k]) for k in rc
                     if k not in TIMING_COUNTERS and lc.get(k) != rc[k]}
            check("counters equal but for timing", not cdiff, cdiff)
            check("some SYNs matched", lp["table2"]["matched_dst_only"] > 0,
                  lp["table2"])
            print(f"not compared: paper {sorted(TIMING_PAPER)} (but per-client sums and the "
                  f"histogram total), detail {sorted(TIMING_DETAIL)}, counters "
                  f"{sorted(TIMING_COUNTERS)}")
            return check.summary()
    finally:
        kill_group(cli)
        kill_group(srv)
        for pfx in prefixes:
            shutil.rmtree(runtime_dir(pfx), ignore_errors=True)
        print(f"runtime {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
