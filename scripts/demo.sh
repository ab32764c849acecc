#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Quick start: install, build, and run fabmon on the bundled demo capture of a
# small fab. Results go to out/demo/ (eve.json, evidence/, report.html).
# Every step's output goes to a log; when a step fails, its output is shown
# with what to do, and the script stops (exit 1).
set -u
cd "$(dirname "$0")/.."
LOG=$(mktemp "${TMPDIR:-/tmp}/fabmon-demo.XXXXXX") || exit 1
trap 'rm -f "$LOG"' EXIT

# step WHAT HINT COMMAND...: run COMMAND, its output in the log
step() {
	what=$1
	hint=$2
	shift 2
	echo "fabmon demo: $what"
	"$@" >"$LOG" 2>&1 || {
		rc=$?
		echo "fabmon demo: FAILED (exit $rc): $what" >&2
		echo "---- output of: $* ----" >&2
		cat "$LOG" >&2
		echo "----" >&2
		echo "fabmon demo: $hint" >&2
		exit 1
	}
}

configure() {
	[ -f build/build.ninja ] || meson setup build --buildtype=release
}

run_demo() {
	rm -rf out/demo && ./build/fabmon -r demo/fab-demo.pcap -o out/demo
}

step "installing the Debian packages fabmon needs (scripts/deps.sh build)" \
	"run this script as root (it installs Debian 12 packages with apt-get), or install the packages named above yourself" \
	sh scripts/deps.sh build
step "configuring the build (meson setup build)" \
	"meson's messages above name what is missing; if build/ is left over from an earlier attempt, remove it (rm -rf build) and run this again" \
	configure
# only fabmon itself: the test captures (python3-scapy) are the test suite's
step "building fabmon (ninja -C build fabmon)" \
	"the compiler's messages are above; on a clean checkout of Debian 12 this is a bug: please report it with this output" \
	ninja -C build fabmon
step "running fabmon on demo/fab-demo.pcap (./build/fabmon -r demo/fab-demo.pcap -o out/demo)" \
	"fabmon's message above says what went wrong (README.md, 'Exit codes')" \
	run_demo
sed 's/^/  /' "$LOG"

# the alerts, most severe first (file order within a severity)
ALERTS='[inputs | select(.event_type=="alert" and (.alert.repeat | not))] | to_entries
        | sort_by([.value.alert.severity, .key]) | map(.value)'
step "listing the alerts (jq)" \
	"jq could not read out/demo/eve.json: is jq installed (sh scripts/deps.sh build)?" \
	jq -nr "$ALERTS"' | .[] | "  \(.alert.severity_name)\t\(.alert.rule_id)\t\(.src_ip) -> \(.dest_ip):\(.dest_port // "-")\t\(.alert.signature)"' out/demo/eve.json
echo "fabmon: alerts of the built-in reference fab policy (roles inferred from behaviour), most severe first:"
cat "$LOG"
echo "fabmon: results in $(pwd)/out/demo/eve.json"
echo "fabmon: audit report (zones, zone x zone matrix, conduits, inventory): $(pwd)/out/demo/report.html"
echo "fabmon: evidence pcaps of the alerting flows: $(pwd)/out/demo/evidence/"
echo "fabmon: try   jq -c 'select(.event_type==\"flow\") | [.src_ip,.dest_ip,.dest_port,.app_proto]' out/demo/eve.json"
echo "fabmon: and   ./build/fabmon check-policy --builtin   for the zones, conduits and rules applied"
step "choosing the most severe alert (jq)" \
	"jq could not read out/demo/eve.json" \
	jq -nr "$ALERTS"' | first // empty | "\(.alert.id) \(.alert.rule_id) \(.alert.severity_name)"' out/demo/eve.json
read -r id rule sev <"$LOG" || id=""
if [ -n "$id" ]; then
	echo "fabmon: an incident bundle of the most severe alert ($sev, $rule) for the equipment vendor's PSIRT:"
	echo "  ./build/fabmon handoff out/demo --alert $id"
fi
