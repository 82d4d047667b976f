# SPDX-License-Identifier: BSD-3-Clause
"""func.privacy: the --privacy-* options on a realistic mix with scanners.

With pseudonymised clients and hashed names, no real client address is left in
any output (JSON lines, JSON report, IPFIX file with its alert and top-client
records, stderr), the correlation figures are the same as without, per-client
figures are the same multiset (a bijection), the pseudonyms keep the prefixes
clients share, the same key gives the same outputs and another key others.
Truncation merges clients of a /24 without losing a count. Files are written
0640 at most, a key others can read and a configuration anyone can write are
refused, and dnsyn opens no listening network socket.
Usage: privacy.py DNSYN DNSYN_GEN"""
import collections
import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks, stop  # noqa: E402
from ipfix_export import decode  # noqa: E402

PEN = 32473
check = Checks()
ADDR_RE = re.compile(r'"((?:\d{1,3}\.){3}\d{1,3}|[0-9a-f:]*:[0-9a-f:.]+)"')


def run(dnsyn, pcap, tmp, tag, extra, rc=0):
    out = {k: os.path.join(tmp, f"{tag}.{k}") for k in ("jsonl", "json", "ipfix")}
    r = subprocess.run([dnsyn, "--pcap", pcap, "--quiet", "--interval", "3",
                        "--jsonl", out["jsonl"], "--report-json", out["json"],
                        "--ipfix", "file:" + out["ipfix"]] + extra,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != rc:
        raise RuntimeError(f"{tag}: exit {r.returncode}: {r.stderr[-500:]}")
    res = {"stderr": r.stderr, "files": out}
    if rc:
        return res
    with open(out["jsonl"]) as f:
        res["jsonl_text"] = f.read()
    res["lines"] = [json.loads(x) for x in res["jsonl_text"].splitlines()]
    with open(out["json"]) as f:
        res["report_text"] = f.read()
    res["report"] = json.loads(res["report_text"])
    with open(out["ipfix"], "rb") as f:
        recs = decode(f.read())
    res["clients"] = [x for o, t, x in recs if o == 1 and (PEN, 13) in x]
    res["corr"] = [x for o, t, x in recs if o == 1 and (0, 152) in x]
    res["alerts"] = [x for o, t, x in recs if o == 1 and t in (265, 266)]
    res["top"] = [x for o, t, x in recs if o == 1 and t in (267, 268)]
    return res


def rec_addr(x):
    """The client of an IPFIX client or correlation record, as text."""
    if (0, 8) in x:
        return socket.inet_ntop(socket.AF_INET, x[(0, 8)].to_bytes(4, "big"))
    return socket.inet_ntop(socket.AF_INET6, x[(0, 27)])


def rec_counts(x):
    return tuple(x[(PEN, i)] for i in range(6, 15))


def clients_of(res):
    """Every client address the outputs name."""
    s = set()
    for x in res["lines"]:
        if x["record"] == "alert":
            s.add(x["client"])
        elif x["record"] == "top_clients":
            s.update(c for c, _ in x["clients"])
        elif x["record"] == "interval":
            s.update(c for c, _ in x["unmatched_syn_clients"]["top"])
    s.update(res["report"]["paper"]["queries_per_client"]["counts"].keys())
    s.update(rec_addr(x) for x in res["clients"] + res["corr"] + res["alerts"] + res["top"])
    return s


def qpc_totals(res):
    qpc = res["report"]["paper"]["queries_per_client"]["counts"]
    return {c: sum(b.values()) for c, b in qpc.items()}


def common_bits(a, b):
    x = int(ipaddress.ip_address(a)) ^ int(ipaddress.ip_address(b))
    return 32 - x.bit_length()


def pseudonyms(base, priv):
    """real -> pseudonym, for clients whose IPFIX count tuple is unique."""
    def unique(res):
        by = collections.defaultdict(set)
        for x in res["clients"]:
            by[(x[(0, 150)], rec_counts(x))].add(rec_addr(x))
        return {k: next(iter(v)) for k, v in by.items() if len(v) == 1}
    u, v = unique(base), unique(priv)
    return {u[k]: v[k] for k in u if k in v}


def outputs_and_figures(dnsyn, pcap, tmp, key):
    base = run(dnsyn, pcap, tmp, "base", [])
    priv = run(dnsyn, pcap, tmp, "pseudo", ["--privacy-clients", "pseudonymise",
                                            "--privacy-names", "hash", "--privacy-key", key])
    real = clients_of(base)
    check("the baseline names clients everywhere",
          len(real) > 50 and base["clients"] and base["corr"] and
          any(x["record"] == "alert" for x in base["lines"]), len(real))
    texts = priv["jsonl_text"] + priv["report_text"] + priv["stderr"]
    leaked = {a for a in ADDR_RE.findall(texts) if a in real}
    leaked |= {a for a in re.findall(r"alert \S+ (\S+):", priv["stderr"]) if a in real}
    check("pseudonymised: no real client in JSON lines, report or stderr", not leaked,
          sorted(leaked)[:5])
    ip_leaked = {rec_addr(x) for x in priv["clients"] + priv["corr"]} & real
    check("pseudonymised: no real client in the IPFIX records", not ip_leaked,
          sorted(ip_leaked)[:5])

    def detection(res):
        """(alert clients, top clients) of the IPFIX records and of the JSON lines."""
        ja = [x["client"] for x in res["lines"] if x["record"] == "alert"]
        jt = [c for x in res["lines"] if x["record"] == "top_clients" for c, _ in x["clients"]]
        return ([rec_addr(x) for x in res["alerts"]], [rec_addr(x) for x in res["top"]]), (ja, jt)
    (ia, it), (ja, jt) = detection(base)
    check("baseline: the IPFIX alert and top-client records name the real clients",
          ia and it and ia == ja and sorted(it) == sorted(jt) and set(ia + it) <= real,
          (len(ia), len(ja), len(it), len(jt)))
    (ia, it), (ja, jt) = detection(priv)
    det_leaked = set(ia + it) & real
    check("pseudonymised: no real client in the IPFIX alert and top-client records",
          ia and it and not det_leaked, sorted(det_leaked)[:5])
    check("pseudonymised: those records show the JSON lines' pseudonyms",
          ia == ja and sorted(it) == sorted(jt), (ia[:3], ja[:3]))
    def figures(res):
        return {k: v for k, v in res["report"]["paper"].items() if k != "queries_per_client"}
    check("correlation runs on the real addresses: same paper and delay figures",
          figures(base) == figures(priv) and
          base["report"]["delay"] == priv["report"]["delay"])
    ivs = [x for x in base["lines"] if x["record"] == "interval"]
    pivs = [x for x in priv["lines"] if x["record"] == "interval"]
    strip = ("unmatched_syn_clients",)
    check("interval figures identical but for the clients' names",
          [{k: v for k, v in x.items() if k not in strip} for x in ivs] ==
          [{k: v for k, v in x.items() if k not in strip} for x in pivs] and
          [sorted(n for _, n in x["unmatched_syn_clients"]["top"]) for x in ivs] ==
          [sorted(n for _, n in x["unmatched_syn_clients"]["top"]) for x in pivs])
    check("per-client figures: the same multiset (one pseudonym per client)",
          sorted(qpc_totals(base).values()) == sorted(qpc_totals(priv).values()) and
          len(qpc_totals(base)) == len(qpc_totals(priv)) and
          sorted(rec_counts(x) for x in base["clients"]) ==
          sorted(rec_counts(x) for x in priv["clients"]))
    alerts = [(x["detector"], x["time"]) for x in base["lines"] if x["record"] == "alert"]
    palerts = [(x["detector"], x["time"]) for x in priv["lines"] if x["record"] == "alert"]
    check("detection sees the real clients: the same alerts", alerts == palerts,
          (len(alerts), len(palerts)))
    m = pseudonyms(base, priv)
    pairs = [(a, b) for a in m for b in m if a < b and ":" not in a + b]
    bad = [(a, b) for a, b in pairs if common_bits(a, b) != common_bits(m[a], m[b])]
    check("prefix-preserving: pseudonyms share exactly the prefix the clients share",
          len(pairs) > 100 and not bad, (len(pairs), bad[:3]))
    check("every pseudonym is consistent across outputs",
          all(c in set(m.values()) | clients_of(priv) for c in m.values()) and
          {rec_addr(x) for x in priv["corr"]} <= {rec_addr(x) for x in priv["clients"]})
    names = {bytes(x[(6871, 179)]).decode() for x in base["corr"] if (6871, 179) in x}
    pnames = {bytes(x[(6871, 179)]).decode() for x in priv["corr"] if (6871, 179) in x}
    check("names hashed: h- and 16 hex digits, one per distinct name",
          names and all(re.fullmatch(r"h-[0-9a-f]{16}", n) for n in pnames) and
          len(pnames) == len({n.lower() for n in names}), (len(names), sorted(pnames)[:3]))
    return base, priv


def same_and_other_key(dnsyn, pcap, tmp, key, key2, priv):
    again = run(dnsyn, pcap, tmp, "again", ["--privacy-clients", "pseudonymise",
                                            "--privacy-names", "hash", "--privacy-key", key])
    other = run(dnsyn, pcap, tmp, "other", ["--privacy-clients", "pseudonymise",
                                            "--privacy-names", "hash", "--privacy-key", key2])
    check("the same key: the same outputs",
          again["jsonl_text"] == priv["jsonl_text"] and again["clients"] == priv["clients"] and
          again["corr"] == priv["corr"])
    a, b = clients_of(priv), clients_of(other)
    check("another key: other pseudonyms", len(a & b) < len(a) // 10, len(a & b))


def truncation(dnsyn, pcap, tmp, base):
    tr = run(dnsyn, pcap, tmp, "trunc", ["--privacy-clients", "truncate",
                                         "--privacy-prefix", "24/48", "--privacy-names", "drop"])
    shown = clients_of(tr)
    check("truncate: every client shown as its /24 or /48",
          shown and all(c.endswith(".0") if ":" not in c else
                        ipaddress.ip_address(c).packed[6:] == bytes(10) for c in shown),
          sorted(shown)[:5])
    nets = collections.Counter()
    for c, n in qpc_totals(base).items():
        plen = 48 if ":" in c else 24
        nets[str(ipaddress.ip_network(f"{c}/{plen}", strict=False).network_address)] += n
    check("truncate: the /24s' query counts are the clients' sums",
          dict(nets) == qpc_totals(tr), (len(nets), len(qpc_totals(tr))))
    for k in range(6, 15):
        if sum(x[(PEN, k)] for x in base["clients"]) != sum(x[(PEN, k)] for x in tr["clients"]):
            check(f"truncate: IPFIX client element {k} keeps its total", False)
            break
    else:
        check("truncate: IPFIX client records keep every total", True)
    per_iv = collections.Counter((x[(0, 150)], rec_addr(x)) for x in tr["clients"])
    check("truncate: one record per /24 and interval", max(per_iv.values()) == 1)
    check("names dropped: correlation records carry empty names",
          tr["corr"] and all(len(x[(6871, 179)]) == 0 for x in tr["corr"]))
    check("output files: no access for others (0640 at most)",
          all(os.stat(p).st_mode & 0o027 == 0 for p in tr["files"].values()),
          {p: oct(os.stat(p).st_mode) for p in tr["files"].values()})


def refusals(dnsyn, pcap, tmp, key):
    loose = os.path.join(tmp, "loose.key")
    with open(loose, "wb") as f:
        f.write(os.urandom(16))
    os.chmod(loose, 0o644)
    r = run(dnsyn, pcap, tmp, "loose", ["--privacy-clients", "pseudonymise", "--privacy-key",
                                        loose], rc=2)
    check("a key others can read is refused", "chmod 600" in r["stderr"], r["stderr"][-300:])
    chk = subprocess.run([dnsyn, "--pcap", pcap, "--privacy-clients", "pseudonymise",
                          "--privacy-key", key, "--check"], capture_output=True, text=True,
                         timeout=60)
    with open(key) as f:
        secret = f.read().strip()
    check("--check reads the key; the key never shows in messages",
          chk.returncode == 0 and secret not in chk.stdout + chk.stderr + r["stderr"],
          chk.stderr)
    ini = os.path.join(tmp, "d.ini")
    with open(ini, "w") as f:
        f.write("[privacy]\nprivacy-clients = truncate\n")
    os.chmod(ini, 0o666)
    r = subprocess.run([dnsyn, "--pcap", pcap, "--config", ini, "--check"],
                       capture_output=True, text=True, timeout=60)
    check("a configuration anyone can write is refused",
          r.returncode == 2 and "writable by anyone" in r.stderr, r.stderr)
    os.chmod(ini, 0o664)
    r = subprocess.run([dnsyn, "--pcap", pcap, "--config", ini, "--check"],
                       capture_output=True, text=True, timeout=60)
    check("a group-writable one is warned about",
          r.returncode == 0 and "warning" in r.stderr and "group" in r.stderr, r.stderr)


def socket_inodes(pid):
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            t = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if t.startswith("socket:["):
            out.add(t[8:-1])
    return out


def no_listening_port(dnsyn, pcap, tmp):
    """Live mode with UDP and TCP collectors: no LISTEN socket, UDP connected."""
    coll = socket.socket()
    coll.bind(("127.0.0.1", 0))
    coll.listen(1)
    port = coll.getsockname()[1]
    prefix = f"dnsyn-priv-{os.getpid()}"
    p = subprocess.Popen([dnsyn, "--lcores", "0@0,1@1,2@0", "--no-huge", "-m", "1024",
                          "--no-pci", f"--file-prefix={prefix}", "--vdev",
                          f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "--", "--quiet",
                          "--mbufs", "16383", "--interval", "1",
                          "--ipfix", f"tcp:127.0.0.1:{port}", "--ipfix", "udp:127.0.0.1:9"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        conn = None
        coll.settimeout(30)
        try:
            conn, _ = coll.accept()
        except socket.timeout:
            pass
        time.sleep(1)
        if not check("live dnsyn runs", p.poll() is None, p.poll() is not None and
                     p.stderr.read()[-400:]):
            return
        inodes = socket_inodes(p.pid)
        rows = []
        for proto in ("tcp", "tcp6", "udp", "udp6"):
            with open(f"/proc/{p.pid}/net/{proto}") as f:
                for line in f.readlines()[1:]:
                    c = line.split()
                    if c[9] in inodes:
                        rows.append((proto, c[2], c[3]))
        check("live dnsyn exported over TCP and UDP", conn is not None and
              {r[0][:3] for r in rows} == {"tcp", "udp"}, rows)
        check("no listening network socket",
              not [r for r in rows if r[0].startswith("tcp") and r[2] == "0A"], rows)
        check("the UDP exporter's socket is connected (takes nothing from others)",
              all(not r[1].endswith(":0000") for r in rows if r[0].startswith("udp")), rows)
        sock = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
        st = os.stat(sock) if os.path.exists(sock) else None
        check("the telemetry socket is closed to others",
              st is not None and st.st_mode & 0o007 == 0 and
              os.stat(os.path.dirname(sock)).st_mode & 0o077 == 0,
              oct(st.st_mode) if st else "missing")
        if conn:
            conn.close()
    finally:
        err = stop(p)
        coll.close()
    check("live run ends cleanly", p.returncode == 0, err[-300:])


def main():
    dnsyn, gen = sys.argv[1], sys.argv[2]
    os.umask(0o022)  # what an operator's shell has: dnsyn must tighten it itself
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "mix")
        subprocess.run([gen, "--scenario", "mix", "--seed", "3", "--packets", "400000", "--out",
                        prefix], check=True, capture_output=True)
        pcap = prefix + ".pcap"
        key, key2 = os.path.join(tmp, "k1"), os.path.join(tmp, "k2")
        for k in (key, key2):
            with open(os.open(k, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
                f.write(os.urandom(16).hex() + "\n")
        base, priv = outputs_and_figures(dnsyn, pcap, tmp, key)
        same_and_other_key(dnsyn, pcap, tmp, key, key2, priv)
        truncation(dnsyn, pcap, tmp, base)
        refusals(dnsyn, pcap, tmp, key)
        # infinite_rx holds the whole file in mbufs: a small one
        small = os.path.join(tmp, "small")
        subprocess.run([gen, "--scenario", "basic", "--seed", "2", "--count", "500", "--out",
                        small], check=True, capture_output=True)
        no_listening_port(dnsyn, small + ".pcap", tmp)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
