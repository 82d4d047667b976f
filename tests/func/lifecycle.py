#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A running dnsyn's lifecycle (live mode on a pcap vdev):

* SIGINT mid-run (the vdev replays a trace in a loop, so traffic is flowing):
  exit 0, every event the RX lcore sent was consumed by the shards, the
  accounting identity holds (dnsyn checks it, exit 1 otherwise), the JSON
  lines end with a whole line, and the IPFIX file decodes to its end with a
  last metering record that counts every packet of the report;
* SIGHUP with --config: new IPFIX targets are applied (the new file gets the
  records from then on, the old one is closed whole), a changed window is
  named as not reloaded, a broken file keeps the running configuration.

Usage: lifecycle.py DNSYN DNSYN_GEN
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ipfix_export import decode  # noqa: E402
from telemetry import query  # noqa: E402
from checks import Checks, stop  # noqa: E402

check = Checks()


def start(dnsyn, prefix, vdev, args):
    p = subprocess.Popen([dnsyn, "--lcores", "0@0,1@1,2@0", "--no-huge", "-m", "1024", "--no-pci",
                          f"--file-prefix={prefix}", "--vdev", vdev, "--"] + args,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sock = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    for _ in range(300):  # ready once /dnsyn/stats answers
        try:
            if "/dnsyn/stats" in query(sock, "/dnsyn/stats"):
                return p, sock
        except (OSError, ValueError):
            pass
        if p.poll() is not None:
            break
        time.sleep(0.1)
    return p, sock


def sigint_mid_run(dnsyn, trace, tmp):
    ipf, jsonl, rep = (os.path.join(tmp, x) for x in ("m.ipfix", "m.jsonl", "m.json"))
    p, sock = start(dnsyn, f"dnsyn-lc1-{os.getpid()}",
                    f"net_pcap0,rx_pcap={trace},infinite_rx=1",
                    ["--quiet", "--mbufs", "16383", "--interval", "10", "--jsonl", jsonl,
                     "--ipfix", f"file:{ipf}", "--report-json", rep])
    time.sleep(2)
    moving = query(sock, "/dnsyn/stats")["/dnsyn/stats"]["rx_packets"][0] > 0
    err = stop(p)
    check("SIGINT mid-run: traffic was flowing, clean exit", moving and p.returncode == 0,
          f"rc={p.returncode} {err[-400:]}")
    if p.returncode != 0:
        return
    with open(rep) as f:
        c = json.load(f)["counters"]
    check("SIGINT mid-run: every event sent was consumed (rings drained)",
          c["corr.events"] == c["ev.sent"], (c["corr.events"], c["ev.sent"]))
    with open(jsonl) as f:
        text = f.read()
    lines = text.splitlines()
    check("SIGINT mid-run: the JSON lines are whole",
          text.endswith("\n") and
          all(json.loads(x)["record"] in ("interval", "alert", "top_clients") for x in lines) and
          any(json.loads(x)["record"] == "interval" for x in lines),
          text[-200:])
    with open(ipf, "rb") as f:
        data = f.read()
    try:
        recs = decode(data)
        meters = [x for o, t, x in recs if o == 0 and (0, 86) in x]
        ok = meters and meters[-1][(0, 86)] == c["rx.pkts"]
        detail = (meters[-1] if meters else None, c["rx.pkts"])
    except (AssertionError, KeyError, ValueError, IndexError) as e:
        ok, detail = False, e
    check("SIGINT mid-run: the IPFIX file decodes to its end, last statistics count every packet",
          ok, detail)


def sighup(dnsyn, trace, tmp):
    ini, a, b, rep = (os.path.join(tmp, x) for x in ("h.ini", "a.ipfix", "b.ipfix", "h.json"))

    def write(target, window, extra=""):
        with open(ini, "w") as f:
            f.write(f"[correlation]\nwindow = {window}\n[export]\nipfix = file:{target}\n"
                    f"[report]\nquiet = yes\nreport-json = {rep}\n{extra}")

    write(a, 1)
    # the file is replayed once: dnsyn then idles, live, until SIGINT
    p, _ = start(dnsyn, f"dnsyn-lc2-{os.getpid()}", f"net_pcap0,rx_pcap={trace}",
                 ["--config", ini, "--interval", "10"])
    time.sleep(1)
    write(b, 2, "[detect]\nscan-syn-min = 40\nmx-z = 8\nk = 8192\n")
    p.send_signal(signal.SIGHUP)
    time.sleep(1)
    with open(ini, "w") as f:
        f.write("[correlation]\nwindow = x\n")
    p.send_signal(signal.SIGHUP)
    time.sleep(1)
    alive = p.poll() is None
    err = stop(p)
    check("SIGHUP: dnsyn keeps running, then exits cleanly", alive and p.returncode == 0,
          f"rc={p.returncode} {err[-400:]}")
    check("SIGHUP: new IPFIX targets applied", "IPFIX export reloaded: 1 target" in err, err[-400:])
    check("SIGHUP: detector thresholds applied, what sizes the detector named",
          "detector parameters reloaded: 2 changed" in err and
          "k changed but is not reloaded" in err, err[-600:])
    check("SIGHUP: a changed window is named, not applied",
          "window changed but is not reloaded" in err, err[-400:])
    check("SIGHUP: a broken file keeps the running configuration",
          "window: expected seconds" in err and "the running configuration stays" in err,
          err[-400:])
    try:
        with open(a, "rb") as f:
            ra = decode(f.read())
        with open(b, "rb") as f:
            rb = decode(f.read())
        with open(rep) as f:
            r = json.load(f)
        last = [x for o, t, x in rb if o == 0 and (0, 86) in x]
        ok = ra and last and last[-1][(0, 86)] == r["counters"]["rx.pkts"] and \
            r["input"]["window_ns"] == 1000000000 and any(t == 258 for _, t, _ in ra + rb)
        detail = (len(ra), len(rb), last[-1] if last else None)
    except (OSError, AssertionError, KeyError, ValueError, IndexError) as e:
        ok, detail = False, e
    check("SIGHUP: the old file is whole, the new one has the final statistics", ok, detail)


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "t")
        subprocess.run([gen, "--scenario", "basic", "--seed", "6", "--count", "500", "--out", prefix],
                       check=True, capture_output=True)
        sigint_mid_run(dnsyn, prefix + ".pcap", tmp)
        sighup(dnsyn, prefix + ".pcap", tmp)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
