#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Install what fabmon needs from Debian 12's archive.
#   deps.sh build   - to build and run fabmon
#   deps.sh test    - also the real peers and decoders the tests use
# Packages already installed are not fetched again (no apt-get update then).
set -eu
BUILD="build-essential meson ninja-build pkg-config libpcap-dev libndpi-dev libmodbus-dev libyaml-dev libjansson-dev nettle-dev zlib1g-dev libzstd-dev liblzma-dev jq libck-dev libnats-dev"
TEST="clang libclang-rt-14-dev libndpi-bin tshark tcpreplay python3 python3-scapy python3-yaml iproute2 procps mbpoll util-linux chromium rsyslog gzip zstd xz-utils logrotate scdoc lintian debhelper fakeroot man-db python3-jsonschema faketime nats-server openssl fonts-noto-cjk"
case "${1:-build}" in
build) PKGS="$BUILD" ;;
test) PKGS="$BUILD $TEST" ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "fabmon: missing Debian packages:$missing" >&2
	echo "fabmon: run this as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "fabmon: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# tshark asks whether non-root users may capture: answer no, non-interactively
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get install -y -q --no-install-recommends $missing >/dev/null
