#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""func.plot: scripts/plot on a generated trace's report and JSON lines.

It writes fig5.png, dq.png and ports.png: valid PNGs (signature, IHDR of the
size asked for, image data that is not one flat colour) of some size; the
data files behind them agree with the report (the fitted exponential's
expected counts add up to the matched answers, the port bars to Table 3, one
Dq column per client drawn); without --jsonl only dq.png is left out. Bad
inputs fail with exit 2 and one line naming what is missing, never a Python
traceback: a file that is not JSON, JSON that is not a report, a report
without the "delay" object (the other plots still drawn), a report with no
delay at all, JSON lines without top_clients records, no --out.

Usage: plot.py DNSYN DNSYN_GEN SOURCE_ROOT
Exit 77 (skip) when gnuplot is not installed (scripts/deps.sh installs it).
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402

check = Checks()
W, H = 800, 400
PNG_SIG = b"\x89PNG\r\n\x1a\n"


def png_info(path):
    """(width, height, distinct octets of the decompressed image data) or a
    string saying what is wrong."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(PNG_SIG):
        return "no PNG signature"
    off, ihdr, idat = 8, None, b""
    while off + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[off:off + 8])
        body = data[off + 8:off + 8 + n]
        crc = struct.unpack(">I", data[off + 8 + n:off + 12 + n])[0]
        if zlib.crc32(kind + body) != crc:
            return f"bad CRC in chunk {kind!r}"
        if kind == b"IHDR":
            ihdr = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        off += 12 + n
    if ihdr is None or not idat:
        return "no IHDR or IDAT chunk"
    try:
        raw = zlib.decompress(idat)
    except zlib.error as e:
        return f"image data: {e}"
    return ihdr[0], ihdr[1], len(set(raw))


def plot(root, *args):
    return subprocess.run([sys.executable, os.path.join(root, "scripts", "plot"), *args],
                          capture_output=True, text=True, timeout=300)


def failed_cleanly(what, r, words):
    """Exit 2, a message naming the problem, no traceback."""
    return check(f"bad input, {what}: exit 2, says so, no traceback",
                 r.returncode == 2 and all(w in r.stderr for w in words) and
                 "Traceback" not in r.stderr, (r.returncode, r.stderr[-300:]))


def rows(path):
    with open(path) as f:
        return [[float(x) for x in line.split()] for line in f if line.strip()]


def main():
    dnsyn, gen, root = sys.argv[1], sys.argv[2], sys.argv[3]
    if shutil.which("gnuplot") is None:
        print("SKIP: gnuplot is not installed (scripts/deps.sh installs gnuplot-nox)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "basic")
        subprocess.run([gen, "--scenario", "basic", "--seed", "1", "--count", "2000", "--out",
                        prefix], check=True, capture_output=True)
        rep_path, jl = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.jsonl")
        r = subprocess.run([dnsyn, "--quiet", "--pcap", prefix + ".pcap", "--interval", "60",
                            "--report-json", rep_path, "--jsonl", jl],
                           capture_output=True, text=True, timeout=300)
        check("dnsyn run", r.returncode == 0, r.stderr[-300:])
        with open(rep_path) as f:
            rep = json.load(f)

        out = os.path.join(tmp, "out")
        r = plot(root, rep_path, "--jsonl", jl, "--out", out, "--size", f"{W}x{H}")
        names = ("fig5", "dq", "ports")
        check("scripts/plot: exit 0, names the three pictures",
              r.returncode == 0 and r.stdout.split() == [os.path.join(out, n + ".png")
                                                         for n in names], (r.returncode, r.stdout,
                                                                           r.stderr[-300:]))
        for n in names:
            path = os.path.join(out, n + ".png")
            info = png_info(path) if os.path.exists(path) else "missing"
            check(f"{n}.png: a valid PNG of {W}x{H}, not blank, over 8 KB",
                  isinstance(info, tuple) and info[:2] == (W, H) and info[2] > 8 and
                  os.path.getsize(path) > 8192, (info, os.path.exists(path) and
                                                 os.path.getsize(path)))
            check(f"{n}.gp: the gnuplot script is kept", os.path.exists(os.path.join(out, n + ".gp")))

        # The data behind the pictures agree with the report.
        fit = rep["delay"]["exp_fit"]["dst_only"]
        expect = sum(x[2] for x in rows(os.path.join(out, "fig5_10ms.dat")) if x[2] == x[2])
        check("fig5: the fitted exponential's expected counts add up to its answers",
              fit["ok"] and abs(expect - fit["n"]) < 0.001 * fit["n"], (expect, fit["n"]))
        hist = rep["paper"]["delay_hist_10ms"]["dst_only"]
        got = [int(x[1]) if x[1] == x[1] else 0 for x in rows(os.path.join(out, "fig5_10ms.dat"))]
        check("fig5: the 10 ms bins are the report's", got == hist)
        t3 = rep["paper"]["table3_top10_syn_dports"]
        bars = [[int(p), int(m + u)] for p, m, u in rows(os.path.join(out, "ports.dat"))]
        check("ports: matched + not matched = Table 3, port by port", bars == t3, (bars, t3))
        with open(jl) as f:
            tops = [json.loads(x) for x in f if '"top_clients"' in x]
        dq = rows(os.path.join(out, "dq.dat"))
        check("dq: a row per interval, a column per client drawn (5) and the total",
              len(dq) >= len(tops) > 10 and all(len(x) == 1 + 5 + 1 for x in dq),
              (len(dq), len(tops)))

        # Without --jsonl: dq.png is left out, the rest drawn.
        out2 = os.path.join(tmp, "out2")
        r = plot(root, rep_path, "--out", out2, "--size", f"{W}x{H}")
        check("without --jsonl: fig5 and ports drawn, dq left out with a note",
              r.returncode == 0 and os.path.exists(os.path.join(out2, "fig5.png")) and
              os.path.exists(os.path.join(out2, "ports.png")) and
              not os.path.exists(os.path.join(out2, "dq.png")) and "--jsonl" in r.stderr,
              (r.returncode, r.stderr[-300:]))

        # Bad inputs.
        bad = os.path.join(tmp, "bad")
        notjson = os.path.join(tmp, "n.json")
        with open(notjson, "w") as f:
            f.write("dnsyn report: answer->SYN window 1.000 s\n")  # the text report
        failed_cleanly("not JSON", plot(root, notjson, "--out", bad), ["not JSON"])
        other = os.path.join(tmp, "o.json")
        with open(other, "w") as f:
            json.dump({"records": []}, f)
        failed_cleanly("JSON, not a report", plot(root, other, "--out", bad),
                       ["not a dnsyn JSON report"])
        nodelay = os.path.join(tmp, "nodelay.json")
        with open(nodelay, "w") as f:
            json.dump({k: v for k, v in rep.items() if k != "delay"}, f)
        out3 = os.path.join(tmp, "out3")
        r = plot(root, nodelay, "--out", out3)
        failed_cleanly("no delay object", r, ["fig5", "\"delay\""])
        check("no delay object: the port plot is still drawn",
              os.path.exists(os.path.join(out3, "ports.png")) and
              not os.path.exists(os.path.join(out3, "fig5.png")))
        empty = json.loads(json.dumps(rep))
        for v in ("dst_only", "dst_and_client"):
            empty["paper"]["delay_hist_10ms"][v] = [0] * len(hist)
        nomatch = os.path.join(tmp, "nomatch.json")
        with open(nomatch, "w") as f:
            json.dump(empty, f)
        failed_cleanly("no delay at all", plot(root, nomatch, "--out", bad),
                       ["no answer->SYN delay"])
        ivonly = os.path.join(tmp, "iv.jsonl")
        with open(jl) as f, open(ivonly, "w") as g:
            g.writelines(x for x in f if '"top_clients"' not in x)
        failed_cleanly("JSON lines without top_clients",
                       plot(root, rep_path, "--jsonl", ivonly, "--out", bad), ["top_clients"])
        failed_cleanly("no --out", plot(root, rep_path), ["--out"])
        failed_cleanly("a missing file", plot(root, os.path.join(tmp, "missing.json"), "--out",
                                              bad), ["missing.json"])
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
