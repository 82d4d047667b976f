#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dnsyn against the generator's ground truth: every scenario, several seeds,
one large basic trace, and benchmark mixes large enough that the generator
writes them in several flushes. Usage: generated.py DNSYN DNSYN_GEN"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    rc = 0
    with tempfile.TemporaryDirectory() as tmp:
        runs = [["--scenario", "all", "--seed", str(s), "--out", os.path.join(tmp, f"s{s}") + "/"]
                for s in (1, 2, 3)]
        runs.append(["--scenario", "basic", "--seed", "7", "--count", "20000",
                     "--out", os.path.join(tmp, "big", "basic-20000")])
        for scen, n in (("mix", 200000), ("min64", 100000)):
            runs.append(["--scenario", scen, "--seed", "7", "--packets", str(n),
                         "--out", os.path.join(tmp, "big", f"{scen}-{n}")])
        for args in runs:
            os.makedirs(os.path.join(tmp, "big"), exist_ok=True)
            r = subprocess.run([gen] + args, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"dnsyn_gen {' '.join(args)}: exit {r.returncode}: {r.stderr}")
                return 1
        for d in sorted(os.listdir(tmp)):
            path = os.path.join(tmp, d)
            print(f"== {d}")
            sys.stdout.flush()
            rc |= subprocess.run([sys.executable, os.path.join(HERE, "conformance.py"), dnsyn,
                                  path, path]).returncode
    return 1 if rc else 0


if __name__ == "__main__":
    sys.exit(main())
