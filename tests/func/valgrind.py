# SPDX-License-Identifier: BSD-3-Clause
"""func.valgrind: the whole program under valgrind's memcheck on every small
real capture (< 200 KB), with the JSON lines, an IPFIX file, detection and
privacy options on, one and two shards: zero reports (invalid reads or
writes, uninitialised values, leaks of dnsyn's own memory), and the same
paper tables as the run without valgrind. tests/func/valgrind.supp names
the only suppressions: blocks DPDK's driver plugins and control threads keep.
Usage: valgrind.py DNSYN PCAP_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402

SMALL = 200 * 1024
SUPP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "valgrind.supp")


def main():
    dnsyn, pcaps = sys.argv[1], sys.argv[2]
    check = Checks()
    if shutil.which("valgrind") is None:
        print("valgrind not installed (scripts/deps.sh installs it)")
        return 1
    files = sorted(f for f in os.listdir(pcaps) if os.path.getsize(os.path.join(pcaps, f)) < SMALL)
    check("small captures found", len(files) >= 10, files)
    with tempfile.TemporaryDirectory() as tmp:
        key = os.path.join(tmp, "key")
        with open(os.open(key, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:
            f.write(os.urandom(16))
        for i, name in enumerate(files):
            pcap = os.path.join(pcaps, name)
            # alternate the options so both paths of each stay covered
            shards = "2" if i % 2 else "1"
            priv = ["--privacy-clients", "pseudonymise", "--privacy-names", "hash",
                    "--privacy-key", key] if i % 3 == 0 else []
            common = ["--pcap", pcap, "--quiet", "--interval", "1", "--shards", shards,
                      "--jsonl", os.path.join(tmp, "o.jsonl"),
                      "--ipfix", "file:" + os.path.join(tmp, "o.ipfix")] + priv
            ref = subprocess.run([dnsyn] + common + ["--report-json", os.path.join(tmp, "a.json")],
                                 capture_output=True, text=True, timeout=120)
            r = subprocess.run(["valgrind", "--error-exitcode=99", "--leak-check=full",
                                "--errors-for-leak-kinds=definite,possible",
                                f"--suppressions={SUPP}", "-q", dnsyn] + common +
                               ["--report-json", os.path.join(tmp, "b.json")],
                               capture_output=True, text=True, timeout=600)
            reports = [ln for ln in r.stderr.splitlines() if re.match(r"==\d+==", ln)]
            ok = ref.returncode == 0 and r.returncode == 0 and not reports
            if ok:
                with open(os.path.join(tmp, "a.json")) as f:
                    a = json.load(f)["paper"]
                with open(os.path.join(tmp, "b.json")) as f:
                    b = json.load(f)["paper"]
                ok = a == b
            check(f"{name} (shards {shards}{', privacy' if priv else ''}): no valgrind report, "
                  "same tables", ok,
                  f"rc={ref.returncode}/{r.returncode} " + "\n".join(reports[:30]) +
                  r.stderr[-300:] * (not reports))
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
