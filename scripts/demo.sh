#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Quick start: install, build, and run fabmon on the bundled demo capture of a
# small fab. Results go to out/demo/ (eve.json, evidence/, report.html).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
rm -rf out/demo
./build/fabmon -r demo/fab-demo.pcap -o out/demo
echo "fabmon: results in $(pwd)/out/demo/eve.json"
echo "fabmon: alerts (built-in reference fab policy, roles inferred from behaviour):"
jq -r 'select(.event_type=="alert") | "  \(.alert.severity_name)\t\(.alert.rule)\t\(.src_ip) -> \(.dest_ip):\(.dest_port // "-")\t\(.alert.signature)"' out/demo/eve.json
echo "fabmon: try   jq -c 'select(.event_type==\"flow\") | [.src_ip,.dest_ip,.dest_port,.app_proto]' out/demo/eve.json"
echo "fabmon: and   ./build/fabmon check-policy --builtin   for the zones, conduits and rules applied"
echo "fabmon: audit report (zones, zone x zone matrix, conduits, inventory): $(pwd)/out/demo/report.html"
echo "fabmon: evidence pcaps of the alerting flows: $(pwd)/out/demo/evidence/"
id=$(jq -r 'select(.event_type=="alert") | .alert.id' out/demo/eve.json | head -n 1)
[ -z "$id" ] || echo "fabmon: an incident bundle for the equipment vendor's PSIRT:   ./build/fabmon handoff out/demo --alert $id"
