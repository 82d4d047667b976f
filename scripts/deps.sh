#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install what dnsyn needs to build and test, from Debian 12's archive.
# Idempotent and quiet when everything is already there.
set -eu
# tshark, libfixbuf-tools (ipfixDump), pmacct (nfacctd) and nfdump (nfcapd): the
# real IPFIX collectors func.ipfix_tshark and func.ipfix_collectors run;
# tcpreplay and iproute2 for func.live_veth; valgrind for func.valgrind;
# gnuplot-nox (no X11; has the pngcairo terminal) for scripts/plot and func.plot.
PKGS="meson ninja-build pkg-config gcc libc6-dev python3 libdpdk-dev dpdk-dev libnuma-dev \
libpcap-dev libcmocka-dev tshark libfixbuf-tools pmacct nfdump tcpreplay iproute2 valgrind \
gnuplot-nox"
[ $# -gt 0 ] && PKGS="$PKGS $*"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
echo "dnsyn: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
