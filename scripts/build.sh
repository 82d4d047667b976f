#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Configure (once) and build dnsyn in ./build. Extra arguments go to meson setup.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
	meson setup build -Dtests=true -Dwerror=true "$@" >/dev/null
fi
ninja -C build >/dev/null
