#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare dnsyn with the DNS facts stated by other projects' test outputs.

Usage: peers.py DNSYN TRACES_DIR

TRACES_DIR holds pcaps/<stem>.pcap[ng] and expected/<stem>/, the expected
outputs of the test suites the captures come from (tcpdump, suricata-verify,
Arkime, nDPI). For every capture with peer outputs, this test derives the DNS
facts those outputs state *and* that map exactly onto one of dnsyn's
aggregates, runs `DNSYN --pcap FILE --quiet --report-json OUT`, and compares.
Peer statements that do not map are listed as "not comparable" with the
reason, never silently dropped. Exit 0 when every compared fact agrees, 1 when
one differs, dnsyn fails, or nothing at all was compared; 77 (skip) when
TRACES_DIR is missing. The last line is "N passed, M failed" over the
compared facts.

dnsyn's definitions (docs/report.md): a DNS message is a UDP or TCP payload
(TCP: reassembled, cut at the 2-byte length prefix) with source or destination
port 53, at least 12 bytes; an answer is a message with QR=1; queries are
QR=0; A/AAAA RRs are ANSWER-section records of TYPE 1/28, CLASS IN, RDLENGTH
4/16; CNAME RRs are ANSWER-section records of TYPE 5; `dns_rcodes` counts
answers by header RCODE (4 bits).

Mapping rules, per peer
-----------------------
tcpdump (`tcpdump-<name>.out`): only the output of the default invocation is
used, i.e. the TESTLIST line whose option field is empty (-v/-vv variants
print the names, the question, and with -vv the authority and additional
sections too; the default variant prints exactly the ANSWER section after
the `an/ns/ar` counts, which is what dnsyn counts). A line is a DNS message
when one of its ports is 53 and its payload is dissected as DNS. tcpdump
prints a message as a response (`id[flags] an/ns/ar RR, RR, ... (len)`) iff
QR=1, as a request otherwise, and:
  * dns_answers / dns_queries = response / request lines;
  * answers_tcp / answers_ipv6 = response lines over TCP (`Flags [..]`) /
    over IPv6 (`IP6`);
  * total_A_RRs = answer records printed `A a.b.c.d` with no class word
    (tcpdump names the class only when it is not IN); answers_with_A =
    response lines with at least one; AAAA likewise; CNAME records are counted
    whatever their class (dnsyn counts TYPE 5 in any class);
  * dns_rcodes: tcpdump prints the RCODE by name (`NXDomain`, ...), the
    extended one when an OPT RR carries it; its low 4 bits are the header
    RCODE dnsyn counts.
tcpdump does not reassemble: it dissects a TCP segment only when it holds
exactly one length-prefixed message (`[prefix length(..) != length(..)]`
otherwise) and prints IP fragments as `ip-proto-N`. Any such line, a
truncated dissection (`[|domain]`) or answer records that cannot be split
one per ANCOUNT makes the affected facts not comparable. Residual
assumption: tcpdump prints an A/AAAA RR whatever its RDLENGTH (it reads 4/16
bytes), dnsyn requires RDLENGTH 4/16; the two differ only on a malformed RR,
which would show up here as DIFFER.

suricata-verify (`test.yaml`): checks are `filter`s asserting that exactly
`count` EVE events match. They are read as Suricata 8 would run them: checks
whose `requires` exclude every 8.x version (`lt-version: 8`, pre-8 EVE where
answers were `dns.type: answer` and could be logged one event per RR) are
not applicable. In Suricata 8 (EVE DNS v3) every parsed DNS message on a
port-53 flow is one `event_type: dns` event, `dns.type: request` (QR=0) or
`response` (QR=1), so:
  * a filter matching only `event_type: dns` and `dns.type: response`
    (`request`) states dns_answers (dns_queries) exactly; one matching only
    `event_type: dns` states dns_queries + dns_answers;
  * a filter that also restricts addresses, MACs, `dns.answers.__len`, ...
    counts a subset, so it states a lower bound (`>= count`), which is
    compared as such; a count of 0 on a subset states nothing dnsyn counts;
  * per-message filters (`pcap_cnt` + `count: 1`) give lower bounds on the
    request/response counts; they become exact when the test's flow checks
    account for every record of the capture and every packet of each
    port-53 UDP flow is one of those messages (then also the RCODEs,
    transports and IP versions of the responses are known exactly). Their
    `dns.answers[i]` lists carry no `__len`, so they never give A counts.
A test whose suricata.yaml tunes the DNS logger (requests/responses/types/
formats) is not comparable.

Arkime (`<name>.test`, the sessions3 documents): the `dns` objects merge
messages by query and list the records of all three sections with no section
mark, so they are only used where each message is individually described:
every UDP port-53 session has at most one packet per direction, every TCP
port-53 session exactly one length-prefixed message per direction
(client/server bytes = prefix + 2). Then `srcPayload8`/`dstPayload8` hold the
header of each message: QR, RCODE and (UDP) ANCOUNT, and `client/server.bytes`
its size (>= 12). That gives dns_answers, dns_queries, answers_tcp,
answers_ipv6 and dns_rcodes exactly (checked against the `status` Arkime
dissected). For a UDP response with ANCOUNT known and exactly one dissected
`dns` object, the first ANCOUNT entries of its `answers` list are the ANSWER
section (Arkime appends records in wire order, lists A only with CLASS IN and
RDLENGTH 4, AAAA with RDLENGTH 16): A/AAAA/CNAME counts. Residual assumption:
Arkime silently drops a malformed answer record (non-IN class, bad RDATA),
which would let an authority record slide into the first ANCOUNT entries; a
list shorter than ANCOUNT makes the facts not comparable. The `ip` fields
(deduplicated, any section) are not used.

Suricata and Arkime also decode PPPoE, MPLS and IP tunnels (GRE, IP-in-IP,
VXLAN, Teredo, ...), where dnsyn sees only the outer packet. Their facts are
therefore not compared on a capture that holds any of these (or an ethertype
that may carry IP, or a link type dnsyn does not know); the capture is
scanned here with the standard library. tcpdump's default output puts an
inner packet after the outer one's addresses (or on a line of its own), which
the line parser above does not take for a port-53 message.

nDPI (`ndpiReader` flow lists): per-flow packet/byte counts and one
hostname/address per flow; QR, per-message counts and answer sections are
not stated, so nothing is comparable.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

# ----------------------------------------------------------------------------
# Facts and dnsyn's side
# ----------------------------------------------------------------------------


def _rcodes(rep):
    return {int(k): v for k, v in rep["paper"]["dns_rcodes"].items() if v}


DNSYN_FIELDS = {
    "dns_answers": lambda r: r["paper"]["table1"]["dns_answers"],
    "answers_with_A": lambda r: r["paper"]["table1"]["answers_with_A"],
    "total_A_RRs": lambda r: r["paper"]["table1"]["total_A_RRs"],
    "answers_with_AAAA": lambda r: r["paper"]["aaaa_extension"]["answers_with_AAAA"],
    "total_AAAA_RRs": lambda r: r["paper"]["aaaa_extension"]["total_AAAA_RRs"],
    "answers_with_CNAME": lambda r: r["detail"]["answers_with_CNAME"],
    "total_CNAME_RRs": lambda r: r["detail"]["total_CNAME_RRs"],
    "dns_queries": lambda r: r["paper"]["dns_queries"],
    "dns_queries+dns_answers": lambda r: (r["paper"]["dns_queries"]
                                          + r["paper"]["table1"]["dns_answers"]),
    "dns_rcodes": _rcodes,
    "answers_tcp": lambda r: r["detail"]["answers_tcp"],
    "answers_ipv6": lambda r: r["detail"]["answers_ipv6"],
}

# The facts a complete per-message description yields, in table order.
MESSAGE_FACTS = ("dns_answers", "dns_queries", "answers_tcp", "answers_ipv6", "dns_rcodes")
RR_FACTS = ("answers_with_A", "total_A_RRs", "answers_with_AAAA", "total_AAAA_RRs",
            "answers_with_CNAME", "total_CNAME_RRs")


class Fact:
    """One statement of a peer. reason None = comparable; relation '==' or '>='."""

    def __init__(self, name, value=None, relation="==", reason=None, note=""):
        self.name, self.value, self.relation = name, value, relation
        self.reason, self.note = reason, note
        self.dnsyn = self.result = None


def comparable(name, value, relation="==", note=""):
    return Fact(name, value, relation, None, note)


def not_comparable(name, reason):
    return Fact(name, None, "==", reason)


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, dict):
        return ",".join(f"{k}:{v[k]}" for k in sorted(v)) or "{}"
    return str(v)


# ----------------------------------------------------------------------------
# A small YAML reader: block mappings and sequences, plain and quoted scalars,
# simple flow lists/maps, comments. Enough for suricata-verify's test.yaml;
# anything else raises YamlError (the file is then reported not comparable).
# ----------------------------------------------------------------------------


class YamlError(ValueError):
    pass


def _strip_comment(line):
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"" and (i == 0 or line[i - 1] in " \t:-[{,"):
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _split_outside_quotes(text, sep):
    parts, cur, quote, depth = [], [], None, 0
    for c in text:
        if quote:
            cur.append(c)
            if c == quote:
                quote = None
            continue
        if c in "'\"":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return parts


def _scalar(text):
    t = text.strip()
    if not t:
        return None
    if t[0] in "|>":
        raise YamlError(f"block scalar not supported: {t!r}")
    if t[0] == "'":
        if len(t) < 2 or t[-1] != "'":
            raise YamlError(f"unterminated quote: {t!r}")
        return t[1:-1].replace("''", "'")
    if t[0] == '"':
        if len(t) < 2 or t[-1] != '"':
            raise YamlError(f"unterminated quote: {t!r}")
        return json.loads(t) if "\\" in t else t[1:-1]
    if t[0] == "[":
        if t[-1] != "]":
            raise YamlError(f"multi-line flow sequence: {t!r}")
        inner = t[1:-1].strip()
        return [_scalar(p) for p in _split_outside_quotes(inner, ",")] if inner else []
    if t[0] == "{":
        if t[-1] != "}":
            raise YamlError(f"multi-line flow mapping: {t!r}")
        inner = t[1:-1].strip()
        out = {}
        for p in _split_outside_quotes(inner, ",") if inner else []:
            kv = _split_key(p.strip())
            if kv is None:
                raise YamlError(f"unsupported flow mapping: {t!r}")
            out[kv[0]] = _scalar(kv[1])
        return out
    low = t.lower()
    if low in ("~", "null"):
        return None
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if re.fullmatch(r"[-+]?\d+", t):
        return int(t)
    return t


KEY = re.compile(r"""(?P<key>'[^']*'|"[^"]*"|[^\s#'"\[\]{},:-][^:]*?|-[^\s:][^:]*?)"""
                 r":(?:\s+(?P<rest>.*))?$")


def _split_key(content):
    """'key: value' -> (key, value text); 'key:' -> (key, ''); None if not a key."""
    m = KEY.match(content)
    if not m:
        return None
    key = m.group("key")
    if key[0] in "'\"":
        key = key[1:-1]
    return key.strip(), (m.group("rest") or "").strip()


def parse_yaml(text):
    lines = []
    for raw in text.splitlines():
        if raw.startswith("%") or raw.strip() in ("---", "..."):
            continue
        s = _strip_comment(raw).rstrip()
        if not s.strip():
            continue
        body = s.lstrip(" ")
        if body.startswith("\t"):
            raise YamlError("tab indentation")
        lines.append([len(s) - len(body), body])
    if not lines:
        return None
    value, pos = _block(lines, 0, lines[0][0])
    if pos != len(lines):
        raise YamlError(f"unexpected indentation at {lines[pos][1]!r}")
    return value


def _is_item(content):
    return content == "-" or content.startswith("- ")


def _block(lines, pos, indent):
    if _is_item(lines[pos][1]):
        return _seq(lines, pos, indent)
    return _map(lines, pos, indent)


def _seq(lines, pos, indent):
    items = []
    while pos < len(lines) and lines[pos][0] == indent and _is_item(lines[pos][1]):
        rest = lines[pos][1][1:].lstrip(" ")
        if not rest:
            if pos + 1 < len(lines) and lines[pos + 1][0] > indent:
                value, pos = _block(lines, pos + 1, lines[pos + 1][0])
            else:
                value, pos = None, pos + 1
        elif _is_item(rest) or _split_key(rest):
            # "- key: value" opens a mapping (or "- - x" a sequence) whose
            # column is that of its first key.
            col = indent + len(lines[pos][1]) - len(rest)
            lines[pos] = [col, rest]
            value, pos = _block(lines, pos, col)
        else:
            value, pos = _scalar(rest), pos + 1
        items.append(value)
    return items, pos


def _map(lines, pos, indent):
    out = {}
    while pos < len(lines) and lines[pos][0] == indent and not _is_item(lines[pos][1]):
        kv = _split_key(lines[pos][1])
        if kv is None:
            raise YamlError(f"expected 'key: value', got {lines[pos][1]!r}")
        key, rest = kv
        pos += 1
        if rest:
            out[key] = _scalar(rest)
        elif pos < len(lines) and (lines[pos][0] > indent
                                   or (lines[pos][0] == indent and _is_item(lines[pos][1]))):
            out[key], pos = _block(lines, pos, lines[pos][0])
        else:
            out[key] = None
    if pos < len(lines) and lines[pos][0] > indent:
        raise YamlError(f"unexpected indentation at {lines[pos][1]!r}")
    return out, pos


# ----------------------------------------------------------------------------
# tcpdump
# ----------------------------------------------------------------------------

TD_LINE = re.compile(r"^\s*\d+\s+\S+ \S+ (?P<ip>IP6?) (?P<src>\S+) > (?P<dst>\S+?): (?P<rest>.*)$")
TD_TCP = re.compile(r"^Flags \[[^\]]*\],.*? length (?P<len>\d+)(?: (?P<dns>.*))?$")
TD_RESPONSE = re.compile(r"^(?P<id>\d+)(?P<hdr>[^/?]*?) (?P<an>\d+)/(?P<ns>\d+)/(?P<ar>\d+)"
                         r"(?P<rrs>.*) \((?P<len>\d+)\)$")
TD_REQUEST = re.compile(r"^\d+\S*(?: .*)? \((?P<len>\d+)\)$")
TD_RCODES = {"FormErr": 1, "ServFail": 2, "NXDomain": 3, "NotImp": 4, "Refused": 5,
             "YXDomain": 6, "YXRRSet": 7, "NXRRSet": 8, "NotAuth": 9, "NotZone": 10,
             "NoChange": 15, "BadVers": 16, "BadCookie": 23}
TD_RCODE = re.compile(r"(?<![A-Za-z])(" + "|".join(TD_RCODES) + r"|Resp(\d+))(?![A-Za-z])")
TD_CLASS = re.compile(r"^(CHAOS|HS|ANY|\(Class \d+\)) (.*)$")
IPV4 = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def _td_port(endpoint, v6):
    addr, _, port = endpoint.rpartition(".")
    if not addr or not (port.isdigit() or port == "domain"):
        return None
    if (not v6 and not IPV4.match(addr)) or (v6 and ":" not in addr):
        return None
    return 53 if port == "domain" else int(port)


def _td_records(rrs):
    """Answer records of a default-verbosity response: [(class word or None, type, data)]."""
    recs = []
    for part in _split_outside_quotes(rrs, ","):
        p = part.strip()
        if not p:
            return None
        cls = None
        m = TD_CLASS.match(p)
        if m and " " in p:
            cls, p = m.group(1), m.group(2)
        typ, _, data = p.partition(" ")
        recs.append((cls, typ, data))
    return recs


def tcpdump_default_out(expdir):
    """(path, None) of the .out of the default invocation, or (None, reason)."""
    testlist = os.path.join(expdir, "tcpdump-TESTLIST-lines.txt")
    if not os.path.exists(testlist):
        return None, "no TESTLIST lines to tell which .out is the default invocation"
    with open(testlist) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 3:          # name, pcap, output: no options
                path = os.path.join(expdir, "tcpdump-" + fields[2])
                if os.path.exists(path):
                    return path, None
    return None, "no .out of the default invocation (only -v/-vv/... variants)"


def tcpdump_facts(expdir):
    path, why = tcpdump_default_out(expdir)
    if path is None:
        return [not_comparable("-", why)]
    src = os.path.basename(path)
    resp = req = tcp = v6 = 0
    with_a = a = with_aaaa = aaaa = with_cname = cname = 0
    rcodes = {}
    broken = []        # reasons the line-level view is not the message-level one
    rr_broken = []
    with open(path) as f:
        lines = f.read().splitlines()
    for n, line in enumerate(lines, 1):
        m = TD_LINE.match(line)
        if not m:
            continue
        is6 = m.group("ip") == "IP6"
        rest = m.group("rest")
        if rest.startswith("ip-proto-"):
            broken.append(f"line {n}: IP fragment, tcpdump does not reassemble")
            continue
        sport, dport = _td_port(m.group("src"), is6), _td_port(m.group("dst"), is6)
        if 53 not in (sport, dport):
            continue
        over_tcp = rest.startswith("Flags [")
        if over_tcp:
            t = TD_TCP.match(rest)
            if not t:
                broken.append(f"line {n}: unparsed TCP line")
                continue
            dns = t.group("dns")
            if dns is None:
                continue                          # no payload
        else:
            dns = rest
        if "[length" in dns and "< 12]" in dns:
            continue                              # < 12 bytes: not DNS for dnsyn either
        if "[|domain]" in dns or "(invalid)" in dns or "[prefix length" in dns:
            broken.append(f"line {n}: DNS not fully dissected ({dns[-40:]})")
            continue
        r = TD_RESPONSE.match(dns)
        if r:
            resp += 1
            tcp += over_tcp
            v6 += is6
            code = 0
            rm = TD_RCODE.search(r.group("hdr"))
            if rm:
                code = int(rm.group(2)) if rm.group(2) else TD_RCODES[rm.group(1)]
            rcodes[code & 0xF] = rcodes.get(code & 0xF, 0) + 1
            an = int(r.group("an"))
            recs = _td_records(r.group("rrs")) if an else []
            if recs is None or len(recs) != an:
                rr_broken.append(f"line {n}: {an} answers but records do not split")
                continue
            na = sum(1 for c, t, d in recs if c is None and t == "A" and IPV4.match(d))
            n6 = sum(1 for c, t, d in recs if c is None and t == "AAAA" and ":" in d)
            nc = sum(1 for c, t, d in recs if t == "CNAME")
            with_a += na > 0
            a += na
            with_aaaa += n6 > 0
            aaaa += n6
            with_cname += nc > 0
            cname += nc
        elif TD_REQUEST.match(dns):
            req += 1
        else:
            broken.append(f"line {n}: port-53 payload not recognised as DNS")
    if broken:
        reason = f"{src}: " + broken[0] + (f" (+{len(broken) - 1} more)" if len(broken) > 1 else "")
        return [not_comparable(k, reason) for k in MESSAGE_FACTS + RR_FACTS]
    facts = [comparable("dns_answers", resp), comparable("dns_queries", req),
             comparable("answers_tcp", tcp), comparable("answers_ipv6", v6),
             comparable("dns_rcodes", rcodes)]
    if rr_broken:
        facts += [not_comparable(k, f"{src}: {rr_broken[0]}") for k in RR_FACTS]
    else:
        facts += [comparable("answers_with_A", with_a), comparable("total_A_RRs", a),
                  comparable("answers_with_AAAA", with_aaaa), comparable("total_AAAA_RRs", aaaa),
                  comparable("answers_with_CNAME", with_cname),
                  comparable("total_CNAME_RRs", cname)]
    for f in facts:
        f.note = src
    return facts


# ----------------------------------------------------------------------------
# The capture itself: record count, and encapsulations a peer may decode that
# dnsyn does not (Suricata and Arkime decode PPPoE, MPLS, GRE, VXLAN, ...; a DNS
# message inside them is theirs but not dnsyn's).
# ----------------------------------------------------------------------------

PCAP_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d")


def pcap_frames(path):
    """Yield (linktype, frame) for every record of a pcap or pcapng file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in PCAP_MAGICS:
        end = "<" if magic[0] in (0xd4, 0x4d) else ">"
        linktype = struct.unpack_from(end + "I", data, 20)[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(data):
            incl = struct.unpack_from(end + "I", data, off + 8)[0]
            if off + 16 + incl > len(data):
                return
            yield linktype, data[off + 16:off + 16 + incl]
            off += 16 + incl
        return
    if magic != b"\x0a\x0d\x0d\x0a":
        raise ValueError(f"{path}: not a pcap/pcapng file")
    off, end, ifaces = 0, "<", []
    while off + 12 <= len(data):
        if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":            # section header
            end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        btype, blen = struct.unpack_from(end + "II", data, off)
        if blen < 12 or off + blen > len(data):
            return
        if btype == 1:                                            # interface description
            ifaces.append(struct.unpack_from(end + "H", data, off + 8)[0])
        elif btype in (2, 6):                                     # (obsolete) packet block
            iface = struct.unpack_from(end + ("H" if btype == 2 else "I"), data, off + 8)[0]
            caplen = struct.unpack_from(end + "I", data, off + 20)[0]
            yield (ifaces[iface] if iface < len(ifaces) else None), data[off + 28:off + 28 + caplen]
        elif btype == 3:                                          # simple packet block
            orig = struct.unpack_from(end + "I", data, off + 8)[0]
            yield (ifaces[0] if ifaces else None), data[off + 12:off + 12 + min(orig, blen - 16)]
        off += blen


VLAN_TAGS = (0x8100, 0x88A8, 0x9100)
# Ethertypes that carry no IP datagram (802.3 lengths < 0x600 are LLC frames).
NO_IP_ETHERTYPES = {0x0806, 0x8035, 0x88CC, 0x9000, 0x888E, 0x8809, 0x88F7, 0x8137,
                    0x809B, 0x80F3, 0x0842}
TUNNEL_PROTOS = {4: "IP-in-IP", 41: "IPv6-in-IP", 47: "GRE", 97: "EtherIP", 115: "L2TPv3"}
TUNNEL_UDP_PORTS = {3544: "Teredo", 4789: "VXLAN", 6081: "Geneve", 2152: "GTP-U", 1701: "L2TP"}


def _ip_encapsulation(pkt):
    """Name of the tunnel an IP datagram carries, or None."""
    if not pkt:
        return None
    if pkt[0] >> 4 == 4 and len(pkt) >= 20:
        proto, hl = pkt[9], (pkt[0] & 15) * 4
        first = struct.unpack_from(">H", pkt, 6)[0] & 0x1FFF == 0
    elif pkt[0] >> 4 == 6 and len(pkt) >= 40:
        proto, hl, first = pkt[6], 40, True
        while proto in (0, 43, 44, 51, 60) and hl + 8 <= len(pkt):
            if proto == 44:
                first = struct.unpack_from(">H", pkt, hl + 2)[0] & 0xFFF8 == 0
                step = 8
            else:
                step = (pkt[hl + 1] + 2) * 4 if proto == 51 else (pkt[hl + 1] + 1) * 8
            proto, hl = pkt[hl], hl + step
    else:
        return None
    if proto in TUNNEL_PROTOS:
        return TUNNEL_PROTOS[proto]
    if proto == 17 and first and hl + 4 <= len(pkt):
        sport, dport = struct.unpack_from(">HH", pkt, hl)
        return TUNNEL_UDP_PORTS.get(dport) or TUNNEL_UDP_PORTS.get(sport)
    return None


def foreign_encapsulations(path):
    """Sorted names of what the capture holds that dnsyn does not decode but a
    peer may: non-IP ethertypes that can carry IP (PPPoE, MPLS, ...), IP tunnels,
    unknown link types. ARP, LLC/STP, LLDP and the like are not listed."""
    found = set()
    for linktype, frame in pcap_frames(path):
        if linktype in (1, 113, 276):
            off = {1: 12, 113: 14, 276: 0}[linktype]
            if off + 2 > len(frame):
                continue
            etype = struct.unpack_from(">H", frame, off)[0]
            off += 2 if linktype != 276 else 20
            while linktype == 1 and etype in VLAN_TAGS and off + 4 <= len(frame):
                etype, off = struct.unpack_from(">H", frame, off + 2)[0], off + 4
            if etype in (0x0800, 0x86DD):
                kind = _ip_encapsulation(frame[off:])
            elif etype < 0x0600 or etype in NO_IP_ETHERTYPES:
                kind = None
            else:
                kind = f"ethertype 0x{etype:04x}"
        elif linktype in (101, 12, 14, 228, 229):
            kind = _ip_encapsulation(frame)
        elif linktype in (0, 108):
            kind = _ip_encapsulation(frame[4:])
        else:
            kind = f"link type {linktype}"
        if kind:
            found.add(kind)
    return sorted(found)


def encapsulation_guard(facts, peer, kinds):
    """No fact of a peer that decodes more than dnsyn compares on such a capture."""
    if kinds:
        for f in facts:
            if f.reason is None:
                f.reason = (f"capture has {', '.join(kinds)}, which {peer} decodes "
                            "and dnsyn does not")


# ----------------------------------------------------------------------------
# suricata-verify
# ----------------------------------------------------------------------------

SURICATA_MAJOR = 8
SV_RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4,
             "REFUSED": 5, "YXDOMAIN": 6, "YXRRSET": 7, "NXRRSET": 8, "NOTAUTH": 9,
             "NOTZONE": 10}
# Keys that identify an event rather than select a DNS subset.
SV_NEUTRAL = {"event_type", "dns.type"}


def _version(v):
    return tuple(int(x) for x in re.findall(r"\d+", str(v)))


def sv_applies(requires):
    """Whether a check's claim holds for some Suricata 8.x (EVE DNS v3)."""
    if not requires:
        return True, ""
    if not isinstance(requires, dict):
        return False, f"unreadable requires {requires!r}"
    lo, lt, eq = requires.get("min-version"), requires.get("lt-version"), requires.get("version")
    if lo is not None and _version(lo)[:1] > (SURICATA_MAJOR,):
        return False, f"requires min-version {lo}"
    if lt is not None and _version(lt) <= (SURICATA_MAJOR,):
        return False, f"requires lt-version {lt} (pre-8 EVE DNS format)"
    if eq is not None and _version(eq)[:1] != (SURICATA_MAJOR,):
        return False, f"requires version {eq}"
    return True, ""


SV_DNS_LOGGER_KEYS = {"requests", "responses", "types", "formats", "version", "query", "answer"}


def sv_dns_logger_tuning(expdir):
    """Why the test's suricata.yaml makes DNS events differ from the default, or None."""
    path = os.path.join(expdir, "suricata-verify-suricata.yaml")
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            conf = parse_yaml(f.read()) or {}
    except (OSError, ValueError) as e:
        return f"suricata.yaml not readable: {e}"
    if not isinstance(conf, dict):
        return "suricata.yaml is not a mapping"
    for output in conf.get("outputs") or []:
        eve = output.get("eve-log") if isinstance(output, dict) else None
        for t in (eve or {}).get("types") or []:
            if isinstance(t, dict) and isinstance(t.get("dns"), dict):
                tuned = sorted(SV_DNS_LOGGER_KEYS & set(t["dns"]))
                if tuned:
                    return f"suricata.yaml sets dns logger {', '.join(tuned)}"
    return None


def _sv_per_message(pinned, flows, pcap):
    """Facts from per-message filters (pcap_cnt, count 1) and the flow checks."""
    msgs = {}
    for m in pinned:
        msgs.setdefault(m["pcap_cnt"], []).append(m)
    reqs = {c for c, ms in msgs.items() if any(x.get("dns.type") == "request" for x in ms)}
    resps = {c: next(x for x in ms if x.get("dns.type") == "response")
             for c, ms in msgs.items() if any(x.get("dns.type") == "response" for x in ms)}
    facts = []
    # Exactness: the flow checks must account for every record of the capture,
    # and every packet of each port-53 flow must be one of the pinned messages.
    why = None
    tuples = {(f.get("proto"), f.get("src_ip"), f.get("src_port"), f.get("dest_ip"),
               f.get("dest_port")) for f in flows}
    total = sum(f.get("flow.pkts_toserver", 0) + f.get("flow.pkts_toclient", 0) for f in flows)
    nrec = sum(1 for _ in pcap_frames(pcap))
    if any(x.get("proto") != "UDP" for ms in msgs.values() for x in ms):
        why = "a per-message event is not UDP (one packet may carry several messages)"
    elif len(tuples) != len(flows) or any(None in t for t in tuples):
        why = "flow checks do not identify distinct flows"
    elif total != nrec:
        why = f"flow checks cover {total} of the capture's {nrec} records"
    else:
        seen = set()
        for f in flows:
            if 53 not in (f.get("src_port"), f.get("dest_port")):
                continue
            if f.get("proto") != "UDP":
                why = "a port-53 flow is not UDP"
                break
            cli = (f["src_ip"], f["src_port"])
            srv = (f["dest_ip"], f["dest_port"])
            ts = {c for c, ms in msgs.items()
                  if (ms[0].get("src_ip"), ms[0].get("src_port")) == cli
                  and (ms[0].get("dest_ip"), ms[0].get("dest_port")) == srv}
            tc = {c for c, ms in msgs.items()
                  if (ms[0].get("src_ip"), ms[0].get("src_port")) == srv
                  and (ms[0].get("dest_ip"), ms[0].get("dest_port")) == cli}
            if len(ts) != f.get("flow.pkts_toserver") or len(tc) != f.get("flow.pkts_toclient"):
                why = (f"flow {cli[0]}:{cli[1]} has {f.get('flow.pkts_toserver')}/"
                       f"{f.get('flow.pkts_toclient')} packets but {len(ts)}/{len(tc)} "
                       "per-message checks")
                break
            seen |= ts | tc
        if why is None and seen != set(msgs):
            why = "per-message checks outside the listed port-53 flows"
    note = f"{len(msgs)} per-message checks"
    if why is None:
        note += f"; flow checks cover all {nrec} records"
        facts.append(comparable("dns_answers", len(resps), note=note))
        facts.append(comparable("dns_queries", len(reqs), note=note))
        facts.append(comparable("answers_tcp", 0, note=note + " (all UDP)"))
        facts.append(comparable("answers_ipv6", sum(":" in str(x.get("src_ip"))
                                                    for x in resps.values()), note=note))
        codes = [SV_RCODES.get(x.get("dns.rcode")) for x in resps.values()]
        if None in codes:
            facts.append(not_comparable("dns_rcodes", "a response check names no known dns.rcode"))
        else:
            rc = {}
            for c in codes:
                rc[c] = rc.get(c, 0) + 1
            facts.append(comparable("dns_rcodes", rc, note=note))
    else:
        note += f"; not exact: {why}"
        if resps:
            facts.append(comparable("dns_answers", len(resps), ">=", note=note))
        if reqs:
            facts.append(comparable("dns_queries", len(reqs), ">=", note=note))
    facts.append(not_comparable(
        "answers_with_A/total_A_RRs",
        "per-message checks list dns.answers[i] without dns.answers.__len, "
        "so the answer lists may be longer"))
    return facts


def suricata_facts(expdir, pcap):
    path = os.path.join(expdir, "suricata-verify-test.yaml")
    try:
        with open(path) as f:
            doc = parse_yaml(f.read()) or {}
    except (OSError, ValueError) as e:
        return [not_comparable("-", f"test.yaml not readable: {e}")]
    if not isinstance(doc, dict):
        return [not_comparable("-", "test.yaml is not a mapping")]
    ok, why = sv_applies(doc.get("requires"))
    if not ok:
        return [not_comparable("-", f"test {why}")]
    tuning = sv_dns_logger_tuning(expdir)
    if tuning:
        return [not_comparable("-", tuning)]
    facts, other, pinned, flows = [], {}, [], []
    for i, check in enumerate(doc.get("checks") or [], 1):
        flt = check.get("filter") if isinstance(check, dict) else None
        if not isinstance(flt, dict):
            kind = next(iter(check)) if isinstance(check, dict) and check else "?"
            other.setdefault(f"'{kind}' check", []).append(i)
            continue
        match, count = flt.get("match") or {}, flt.get("count")
        if not isinstance(match, dict):
            facts.append(not_comparable(f"check {i}", "match is not a mapping"))
            continue
        ok, why = sv_applies(flt.get("requires"))
        etype = match.get("event_type")
        if not ok:
            if etype == "dns":
                facts.append(not_comparable(f"check {i}", f"not applicable to Suricata 8: {why}"))
            continue
        if etype == "flow" and count == 1 and "flow.pkts_toserver" in match:
            flows.append(match)
            continue
        if etype != "dns":
            other.setdefault(f"event_type {etype}", []).append(i)
            continue
        dtype = match.get("dns.type")
        if not isinstance(count, int):
            facts.append(not_comparable(f"check {i}", "no integer count"))
            continue
        if dtype not in (None, "request", "response"):
            facts.append(not_comparable(f"check {i}", f"dns.type {dtype} is pre-8 EVE"))
            continue
        if "pcap_cnt" in match and count == 1:
            if dtype is None:
                facts.append(not_comparable(f"check {i}", "per-message check without dns.type"))
            else:
                pinned.append(match)
            continue
        name = {"request": "dns_queries", "response": "dns_answers",
                None: "dns_queries+dns_answers"}[dtype]
        extra = sorted(set(match) - SV_NEUTRAL)
        if not extra:
            facts.append(comparable(name, count, note=f"check {i}"))
        elif count > 0:
            facts.append(comparable(name, count, ">=",
                                    note=f"check {i}, subset by {', '.join(extra)}"))
        else:
            facts.append(not_comparable(
                f"check {i}", f"count 0 on a subset ({', '.join(extra)}): no dnsyn aggregate"))
    if pinned:
        facts += _sv_per_message(pinned, flows, pcap)
    for kind, idx in sorted(other.items()):
        facts.append(not_comparable(
            f"check{'s' if len(idx) > 1 else ''} {','.join(map(str, idx))}",
            f"{kind}: no DNS fact"))
    return facts


# ----------------------------------------------------------------------------
# Arkime
# ----------------------------------------------------------------------------

ARKIME_RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMPL", "REFUSED",
                 "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
                 "12", "13", "14", "15"]


def _arkime_messages(body):
    """The DNS messages of one port-53 session, or (None, reason)."""
    tcp = body.get("ipProtocol") == 6
    v6 = ":" in body["source"]["ip"]
    msgs = []
    for side, counter, p8key in (("source", "client", "srcPayload8"),
                                 ("destination", "server", "dstPayload8")):
        pkts = body[side].get("packets", 0)
        nbytes = (body.get(counter) or {}).get("bytes", 0)
        p8 = bytes.fromhex(body.get(p8key, ""))
        if nbytes == 0:
            continue
        if tcp:
            if len(p8) < 6 or (p8[0] << 8 | p8[1]) + 2 != nbytes:
                return None, (f"TCP {side} side carries {nbytes} bytes, not one "
                              "length-prefixed message")
            size, hdr = nbytes - 2, p8[2:]
        else:
            if pkts != 1:
                return None, f"UDP {side} side has {pkts} packets"
            size, hdr = nbytes, p8
        if size < 12:
            continue                        # not a DNS message for dnsyn
        if len(hdr) < 4:
            return None, f"{p8key} too short"
        ancount = hdr[6] << 8 | hdr[7] if not tcp and len(hdr) >= 8 else None
        msgs.append({"qr": hdr[2] >> 7, "rcode": hdr[3] & 0xF, "tcp": tcp, "v6": v6,
                     "ancount": ancount})
    return msgs, None


def arkime_facts(path):
    try:
        with open(path) as f:
            sessions = json.load(f)["sessions3"]
    except (OSError, ValueError, KeyError) as e:
        return [not_comparable("-", f"{os.path.basename(path)} not readable: {e}")]
    resp = req = tcp = v6 = 0
    rcodes = {}
    rr = {k: 0 for k in RR_FACTS}
    opaque, rr_why = [], None
    for s in sessions:
        b = s["body"]
        if b.get("ipProtocol") not in (6, 17):
            continue
        ports = (b["source"].get("port"), b["destination"].get("port"))
        if 53 not in ports:
            continue
        where = f"{b['source']['ip']}:{ports[0]}->{b['destination']['ip']}:{ports[1]}"
        msgs, why = _arkime_messages(b)
        if msgs is None:
            opaque.append(f"session {where}: {why}")
            continue
        answers = [m for m in msgs if m["qr"]]
        req += len(msgs) - len(answers)
        resp += len(answers)
        tcp += sum(m["tcp"] for m in answers)
        v6 += sum(m["v6"] for m in answers)
        for m in answers:
            rcodes[m["rcode"]] = rcodes.get(m["rcode"], 0) + 1
        if not answers:
            continue
        objs = [o for o in b.get("dns", []) if "status" in o]
        if len(answers) != 1 or len(objs) != 1:
            rr_why = rr_why or f"session {where}: {len(answers)} answers, {len(objs)} dissected"
            continue
        m, o = answers[0], objs[0]
        if o["status"] != ARKIME_RCODES[m["rcode"]]:
            opaque.append(f"session {where}: status {o['status']} but header RCODE {m['rcode']}")
            continue
        if m["ancount"] is None:
            rr_why = rr_why or f"session {where}: ANCOUNT not visible (DNS over TCP)"
            continue
        lst = o.get("answers", [])
        if len(lst) < m["ancount"]:
            rr_why = rr_why or (f"session {where}: {len(lst)} records listed "
                                f"< ANCOUNT {m['ancount']}")
            continue
        types = [a.get("type") for a in lst[:m["ancount"]]]
        for t, nk, tk in (("A", "answers_with_A", "total_A_RRs"),
                          ("AAAA", "answers_with_AAAA", "total_AAAA_RRs"),
                          ("CNAME", "answers_with_CNAME", "total_CNAME_RRs")):
            n = types.count(t)
            rr[nk] += n > 0
            rr[tk] += n
    src = os.path.basename(path)
    if opaque:
        reason = opaque[0] + (f" (+{len(opaque) - 1} more)" if len(opaque) > 1 else "")
        return [not_comparable(k, reason) for k in MESSAGE_FACTS + RR_FACTS]
    facts = [comparable("dns_answers", resp), comparable("dns_queries", req),
             comparable("answers_tcp", tcp), comparable("answers_ipv6", v6),
             comparable("dns_rcodes", rcodes)]
    if rr_why:
        facts += [not_comparable(k, rr_why) for k in RR_FACTS]
    else:
        facts += [comparable(k, rr[k]) for k in RR_FACTS]
    for f in facts:
        f.note = src
    return facts


# ----------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------


def run_dnsyn(dnsyn, pcap, tmp):
    """(JSON report, None) or (None, error)."""
    out = os.path.join(tmp, os.path.basename(pcap) + ".json")
    try:
        r = subprocess.run([dnsyn, "--pcap", pcap, "--quiet", "--report-json", out],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            return None, f"dnsyn exit {r.returncode}: {r.stderr.strip()[:200]}"
        with open(out) as f:
            return json.load(f), None
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        return None, f"dnsyn: {e}"


def peer_facts(expdir, pcap):
    """[(peer, [Fact])] for the outputs present in expdir."""
    names = sorted(os.listdir(expdir))
    out = []
    if any(n.startswith("tcpdump-") for n in names):
        out.append(("tcpdump", tcpdump_facts(expdir)))
    if "suricata-verify-test.yaml" in names:
        out.append(("suricata", suricata_facts(expdir, pcap)))
    for n in names:
        if n.startswith("arkime-") and n.endswith(".test"):
            out.append(("arkime", arkime_facts(os.path.join(expdir, n))))
    if any(n.startswith("nDPI-result-") for n in names):
        out.append(("nDPI", [not_comparable(
            "-", "flow list: per-flow packet counts and one name/address per flow; "
                 "QR, per-message counts and answer sections are not stated")]))
    return out


def compare(fact, report, err):
    """Fill fact.dnsyn and fact.result; True/False when compared, None when not."""
    if fact.name in DNSYN_FIELDS and report is not None:
        fact.dnsyn = DNSYN_FIELDS[fact.name](report)
    if fact.reason is not None:
        fact.result = f"not comparable ({fact.reason})"
        return None
    if report is None:
        fact.result = f"DIFFER ({err})"
        return False
    if isinstance(fact.value, dict):
        ok = {k: v for k, v in fact.value.items() if v} == fact.dnsyn
    elif fact.relation == ">=":
        ok = fact.dnsyn >= fact.value
    else:
        ok = fact.dnsyn == fact.value
    fact.result = ("agree" if ok else "DIFFER") + (f"  [{fact.note}]" if fact.note else "")
    return ok


def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0]} DNSYN TRACES_DIR", file=sys.stderr)
        return 2
    dnsyn, traces = argv[1], argv[2]
    expected, pcaps = os.path.join(traces, "expected"), os.path.join(traces, "pcaps")
    if not os.path.isdir(expected) or not os.path.isdir(pcaps):
        print(f"SKIP: {traces} (with pcaps/ and expected/) not found")
        return 77
    rows, passed, failed = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for stem in sorted(os.listdir(expected)):
            expdir = os.path.join(expected, stem)
            if not os.path.isdir(expdir):
                continue
            pcap = next((os.path.join(pcaps, stem + ext) for ext in (".pcap", ".pcapng")
                         if os.path.exists(os.path.join(pcaps, stem + ext))), None)
            report, err = None, "capture missing"
            if pcap is None:
                groups = [("-", [comparable("-", None)])]
            else:
                groups = peer_facts(expdir, pcap)
                if any(f.reason is None or f.name in DNSYN_FIELDS for _, fs in groups for f in fs):
                    report, err = run_dnsyn(dnsyn, pcap, tmp)
                kinds = None
                for peer, facts in groups:
                    if peer in ("suricata", "arkime"):
                        kinds = foreign_encapsulations(pcap) if kinds is None else kinds
                        encapsulation_guard(facts, peer, kinds)
            for peer, facts in groups:
                for fact in facts:
                    ok = compare(fact, report, err)
                    passed += ok is True
                    failed += ok is False
                    rows.append((stem, peer, fact))
    wc = max([7] + [len(r[0]) for r in rows])
    print(f"{'capture':{wc}}  {'peer':8}  {'fact':26}  {'peer value':>12}  {'dnsyn':>10}  result")
    for stem, peer, f in rows:
        pv = ("" if f.relation == "==" else ">= ") + fmt(f.value)
        print(f"{stem:{wc}}  {peer:8}  {f.name:26}  {pv:>12}  {fmt(f.dnsyn):>10}  {f.result}")
    if passed + failed == 0:
        print("no fact was compared: a test that compares nothing does not pass")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed + failed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
