#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dnsyn's command line and bad input, end to end on DPDK vdevs.

Usage: cli.py DNSYN PCAP_DIR
Every case runs the real binary; bad usage must give a one-line error and
exit status 2, bad captures must be counted and skipped with exit 0.
"""
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time

DNSYN, PCAPS = sys.argv[1], sys.argv[2]
failures = []
passed = 0


def run(args, timeout=60):
    return subprocess.run([DNSYN] + args, capture_output=True, text=True, timeout=timeout)


def case(name, ok, detail=""):
    global passed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failures.append(name)
        print(f"FAIL {name}: {detail}")


def usage_error(name, args, needle):
    r = run(args)
    err = r.stderr.strip().splitlines()
    case(name, r.returncode == 2 and len(err) >= 1 and needle in r.stderr,
         f"rc={r.returncode} stderr={r.stderr[-400:]!r}")


def pcap_bytes(records, linktype=1):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for ts, data in records:
        out += struct.pack("<IIII", int(ts), int((ts % 1) * 1e6), len(data), len(data)) + data
    return out


def udp_dns_answer(ts_ip=b"\x0a\x00\x00\x01", cli=b"\x0a\x00\x00\x02"):
    dns = bytes.fromhex("12348180000100010000000003777777076578616d706c6503636f6d0000010001"
                        "c00c000100010000003c00045db8d822")
    udp = struct.pack(">HHHH", 53, 40000, 8 + len(dns), 0) + dns
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, ts_ip, cli) + udp
    return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + ip


def main():
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.pcap")
        with open(good, "wb") as f:
            f.write(pcap_bytes([(1700000000.5, udp_dns_answer())] * 3))

        r = run(["--help"])
        case("help", r.returncode == 0 and "--pcap" in r.stdout and "--window" in r.stdout,
             r.stderr)
        usage_error("no_arguments", [], "--pcap")
        usage_error("unknown_option", ["--bogus"], "unknown option '--bogus'")
        usage_error("eal_option_without_dashdash", ["-l", "0-2", "--pcap", good], "'-l'")
        usage_error("missing_value", ["--pcap"], "needs a value")
        usage_error("bad_window", ["--pcap", good, "--window", "0"], "--window")
        usage_error("bad_ring_size", ["--pcap", good, "--ring-size", "1000"], "power of two")
        usage_error("missing_file", ["--pcap", os.path.join(tmp, "nope.pcap")], "nope.pcap")
        notpcap = os.path.join(tmp, "notpcap.txt")
        with open(notpcap, "w") as f:
            f.write("this is not a capture\n")
        usage_error("not_a_pcap", ["--pcap", notpcap], "notpcap.txt")
        comma = os.path.join(tmp, "a,b.pcap")
        with open(comma, "wb") as f:
            f.write(pcap_bytes([]))
        usage_error("comma_in_name", ["--pcap", comma], "','")
        wifi = os.path.join(tmp, "wifi.pcap")
        with open(wifi, "wb") as f:
            f.write(pcap_bytes([(1.0, b"\x00" * 40)], linktype=105))
        usage_error("unsupported_linktype", ["--pcap", wifi], "link type 105")

        # Readable but damaged captures: counted, skipped, exit 0.
        rep = os.path.join(tmp, "r.json")
        r = run(["--pcap", good, "--quiet", "--report-json", rep])
        ok = r.returncode == 0 and json.load(open(rep))["paper"]["table1"]["total_A_RRs"] == 3
        case("good_capture", ok, r.stderr)

        trunc = os.path.join(tmp, "trunc.pcap")
        data = open(good, "rb").read()
        with open(trunc, "wb") as f:
            f.write(data[:-10])  # the last record is cut inside its data
        r = run(["--pcap", trunc, "--quiet", "--report-json", rep])
        ok = r.returncode == 0 and "ends inside a record" in r.stderr
        if ok:
            j = json.load(open(rep))
            ok = j["paper"]["table1"]["dns_answers"] == 2 and j["counters"]["rx.pkts"] == 2
        case("truncated_file", ok, f"rc={r.returncode} {r.stderr[-300:]}")

        empty = os.path.join(tmp, "empty.pcap")
        with open(empty, "wb") as f:
            f.write(pcap_bytes([]))
        r = run(["--pcap", empty, "--quiet", "--report-json", rep])
        case("empty_file", r.returncode == 0 and
             json.load(open(rep))["counters"]["rx.pkts"] == 0, r.stderr)

        # Frames shorter than their headers claim: one drop counter each.
        frame = udp_dns_answer()
        cut = [(1700000000.0 + i / 1000, frame[:i]) for i in range(0, len(frame))]
        short = os.path.join(tmp, "short.pcap")
        with open(short, "wb") as f:
            f.write(pcap_bytes(cut + [(1700000001.0, frame)]))
        r = run(["--pcap", short, "--quiet", "--report-json", rep])
        ok = r.returncode == 0
        if ok:
            j = json.load(open(rep))
            c = j["counters"]
            drops = sum(v for k, v in c.items() if k.startswith("drop."))
            classes = sum(v for k, v in c.items() if k.startswith("class."))
            ok = (c["rx.pkts"] == len(cut) + 1 and drops + classes == c["rx.pkts"] and
                  drops > 0 and j["paper"]["table1"]["dns_answers"] >= 1)
        case("every_truncation_counted", ok, f"rc={r.returncode} {r.stderr[-300:]}")

        # Two files: one port, two queues; the counts add up.
        r = run(["--pcap", good, "--pcap", short, "--quiet", "--report-json", rep])
        ok = r.returncode == 0 and json.load(open(rep))["counters"]["rx.pkts"] == 3 + len(cut) + 1
        case("two_files_two_queues", ok, r.stderr[-300:])

        # DPDK convention: EAL options, then '--'.
        eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix", f"dnsyn-cli-{os.getpid()}",
               "--log-level", "lib.eal:error"]
        usage_error("eal_too_few_lcores", ["-l", "0"] + eal + ["--vdev", "net_null0", "--"],
                    "at least 2 worker lcores")
        usage_error("eal_no_port", ["--lcores", "0@0,1@0,2@0"] + eal + ["--"], "no DPDK port")
        usage_error("eal_bad_app_option", ["--lcores", "0@0,1@0,2@0"] + eal +
                    ["--vdev", "net_null0", "--", "--window", "x"], "--window")

        # Live mode on a pcap vdev: runs until SIGINT, then drains and reports.
        p = subprocess.Popen([DNSYN, "--lcores", "0@0,1@1,2@0"] + eal +
                             ["--vdev", f"net_pcap0,rx_pcap={good}", "--", "--quiet",
                              "--report-json", rep],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        p.send_signal(signal.SIGINT)
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        ok = p.returncode == 0
        if ok:
            j = json.load(open(rep))
            ok = j["paper"]["table1"]["dns_answers"] == 3 and j["counters"]["rx.pkts"] == 3
        case("live_sigint_drains", ok, f"rc={p.returncode} {err[-400:]}")

    config_cases()
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


def config_cases():
    """--config FILE (INI, rte_cfgfile) and --check."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "a.pcap")  # no shared traces needed
        with open(pcap, "wb") as f:
            f.write(pcap_bytes([(1700000000.5 + i, udp_dns_answer()) for i in range(5)]))
        ini, rep_f, rep_c = (os.path.join(tmp, x) for x in ("c.ini", "f.json", "c.json"))
        jsonl = os.path.join(tmp, "iv.jsonl")
        with open(ini, "w") as f:
            f.write(f"""# a comment
[input]
pcap = {pcap}
[correlation]
window = 0.25   # inline comment
key = client
shards = 2
[intervals]
interval = 10
jsonl = {jsonl}
[report]
quiet = yes
report-json = {rep_f}
""")
        r = run(["--config", ini])
        r2 = run(["--pcap", pcap, "--window", "0.25", "--key", "client", "--shards", "2",
                  "--interval", "10", "--quiet", "--report-json", rep_c])
        ok = r.returncode == 0 and r2.returncode == 0
        if ok:
            a, b = json.load(open(rep_f)), json.load(open(rep_c))
            ok = a["paper"] == b["paper"] and a["input"]["window_ns"] == 250000000 and \
                a["input"]["key"] == "client" and a["counters"]["corr.shards"] == 2 and \
                os.path.getsize(jsonl) > 0
        case("config_equals_command_line", ok, r.stderr[-300:] + r2.stderr[-300:])
        r = run(["--config", ini, "--window", "0.5", "--report-json", rep_c])
        ok = r.returncode == 0 and json.load(open(rep_c))["input"]["window_ns"] == 500000000
        case("config_command_line_wins", ok, r.stderr[-300:])
        os.unlink(rep_c)
        r = run(["--config", ini, "--check", "--report-json", rep_c])
        case("config_check_ok_touches_nothing",
             r.returncode == 0 and "configuration OK" in r.stdout and not os.path.exists(rep_c),
             f"rc={r.returncode} {r.stderr[-300:]}")
        r = run(["-l", "0-3", "--", "--config", ini, "--check"])
        case("config_check_live_mode_before_eal", r.returncode == 0 and "EAL" not in r.stderr,
             f"rc={r.returncode} {r.stderr[-300:]}")
        for name in ("dnsyn.ini", "backbone.ini", "replay.ini"):
            args = ["--config", os.path.join(root, "config", name), "--check"]
            # the replay example's files are placeholders: the command line replaces them
            r = run(["--pcap", pcap] + args if name != "backbone.ini" else ["-l", "0-8", "--"] + args)
            case(f"config_example_{name}_valid", r.returncode == 0, r.stderr[-300:])
        bad = [
            ("config_bad_value_line", "[correlation]\nwindow = 1\n\nshards = 99\n",
             ":4: --shards: expected an integer in [1, 16], got '99'"),
            ("config_unknown_key_line", "[correlation]\nwindw = 1\n", ":2: [correlation] has no key 'windw'"),
            ("config_key_in_wrong_section", "[report]\nwindow = 1\n", ":2: [report] has no key 'window'"),
            ("config_unknown_section", "[corr]\nwindow = 1\n", ":2: unknown section [corr]"),
            ("config_entry_before_section", "window = 1\n", ":1: 'window' before any [section]"),
            ("config_not_key_value", "[report]\nquiet\n", ":2: expected key = value"),
            ("config_bad_boolean", "[report]\nquiet = maybe\n", ":2: quiet: expected yes or no"),
            ("config_section_twice", "[report]\nquiet = no\n[report]\n", ":3: section [report] given twice"),
            ("config_bad_ipfix_target", "[export]\nipfix = smtp:x\n", ":2: --ipfix:"),
            ("config_shards_vs_lcores", "[correlation]\nshards = 3\ncorr-lcores = 1-2\n",
             "--shards 3 but --corr-lcores lists 2"),
        ]
        for name, text, needle in bad:
            with open(ini, "w") as f:
                f.write(text)
            usage_error(name, ["--config", ini, "--pcap", pcap, "--check"], needle)
        usage_error("config_missing_file", ["--config", os.path.join(tmp, "nope.ini"), "--pcap", pcap],
                    "No such file or directory")


if __name__ == "__main__":
    sys.exit(main())
