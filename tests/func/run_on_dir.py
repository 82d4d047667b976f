#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run PROGRAM on every capture in DIR (exit 77, skip, when DIR is missing)."""
import os
import subprocess
import sys

prog, d = sys.argv[1], sys.argv[2]
if not os.path.isdir(d):
    print(f"SKIP: {d} not found")
    sys.exit(77)
files = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith((".pcap", ".pcapng")))
sys.exit(subprocess.run([prog] + files).returncode)
