#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# The recorded fuzz campaign (issue 16 item 4): builds the libFuzzer targets
# with clang, ASan and UBSan in their own build directory, seeds each from
# its committed corpus and from the test captures, runs each until it
# reaches its execution goal or the time cap, and writes a table of
# executions, speed, coverage, corpus and findings.
#
#   tests/fuzz/campaign.sh [TARGET...]     (default: every target)
#
# Environment (defaults in brackets):
#   FUZZ_BUILD         build directory [build-campaign]
#   FUZZ_GOAL          executions per target [10000000]
#   FUZZ_GOAL_PIPELINE for the whole-pipeline targets [1000000]
#   FUZZ_MAX_SECONDS   time cap per target [1800]
#   FUZZ_JOBS          parallel libFuzzer processes per target [1]; the
#                      goal is split between them
#   FUZZ_NICE          nice level [19]
#   FUZZ_RESULTS       the table [tests/fuzz/campaign-results.md]
#   FUZZ_SKIP_BUILD=1  use the build directory as it is
#   FUZZ_ROWS_ONLY=1   no fuzzing: the table again from the logs
#   FUZZ_NOTE          a line for the table's header (the machine's load...)
#
# Rows of targets run before stay in the table (FUZZ_BUILD/campaign/rows),
# so the campaign can be run a few targets at a time. A crash (or an oracle
# abort) stops that target: its input is copied to
# tests/fuzz/corpus/TARGET/ (crash-SHA1, timeout-SHA1...), which the fuzz suite then replays,
# and the stack is in FUZZ_BUILD/campaign/logs/TARGET.log.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
cd "$src"
B=${FUZZ_BUILD:-build-campaign}
GOAL=${FUZZ_GOAL:-10000000}
GOAL_PIPE=${FUZZ_GOAL_PIPELINE:-1000000}
CAP=${FUZZ_MAX_SECONDS:-1800}
JOBS=${FUZZ_JOBS:-1}
NICE=${FUZZ_NICE:-19}
RESULTS=${FUZZ_RESULTS:-tests/fuzz/campaign-results.md}
case $B in /*) ;; *) B=$src/$B ;; esac
C=$B/campaign

all=$(sed -n "/^fuzz_targets = \[/,/\]/p" tests/meson.build | tr -d "[]=,'\n" | sed 's/fuzz_targets//')
targets=${*:-$all}

# per target: whole-pipeline or not, and the largest input worth trying
is_pipeline() {
	case $1 in pipeline|eve-output|learn-yaml|report) return 0 ;; esac
	return 1
}
max_len() {
	# a scanner's speed is linear in the input: no larger than what its
	# input holds in practice (an EVE line, a frame run, a PDU)
	case $1 in
	rfc3339) echo 64 ;;
	syslog-target) echo 512 ;;
	eve-reader|eve-reader-scan|secs2) echo 1024 ;;
	report) echo 4096 ;;
	policy-excerpt) echo 8192 ;;
	*) echo 2048 ;;
	esac
}

# the findings of target $1 into its committed corpus, where the fuzz
# suite replays them
keep_findings() {
	for f in "$C/findings/$1"/crash-* "$C/findings/$1"/leak-* "$C/findings/$1"/timeout-* \
		 "$C/findings/$1"/oom-*; do
		[ -f "$f" ] && cp "$f" "tests/fuzz/corpus/$1/"
	done
	return 0
}

# the table row of target $1, from its log and what campaign.sh noted
row() {
	log=$C/logs/$1.log
	read -r wall rc goal <"$C/logs/$1.meta"
	# the final stats of each job, summed; cov/ft/corp of the last status line
	execs=$(awk '/stat::number_of_executed_units/ {n += $NF} END {print n + 0}' "$log")
	last=$(grep -aEo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)
	cov=$(echo "$last" | awk '{print $2}')
	ft=$(echo "$last" | awk '{print $4}')
	corp=$(echo "$last" | awk '{print $6}')
	rate=$((execs / (wall > 0 ? wall : 1)))
	found=$(find "$C/findings/$1" -type f | wc -l)
	what=$found
	[ "$found" -eq 0 ] && [ "$rc" -ne 0 ] && what="exit $rc (see log)"
	[ "$execs" -ge "$goal" ] && reached=yes || reached=no
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %ss |\n' "$1" "$execs" "$reached" \
		"$rate" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$what" "$wall" >"$C/rows/$1.md"
	cat "$C/rows/$1.md" >&2
}

if [ "${FUZZ_ROWS_ONLY:-0}" = 1 ]; then
	# the table again from the logs of targets already run (no fuzzing)
	for t in $targets; do
		[ -f "$C/logs/$t.meta" ] && row "$t"
	done
	targets=
	FUZZ_SKIP_BUILD=1
fi

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
	if [ ! -f "$B/build.ninja" ]; then
		CC=clang nice -n "$NICE" meson setup "$B" -Dfuzzing_engine=libfuzzer \
			-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
	fi
	nice -n "$NICE" ninja -C "$B" $(for t in $targets; do echo "tests/fuzz-$t"; done)
fi

mkdir -p "$C/rows" "$C/logs" "$C/seeds" "$C/corpus" "$C/findings"
if [ ! -d "$C/seeds/decode" ]; then
	/usr/bin/python3 tests/fuzz/seed_captures.py "$C/seeds" 4096 \
		$(find tests/captures demo -name '*.pcap' | sort)
fi

for t in $targets; do
	exe=$B/tests/fuzz-$t
	[ -x "$exe" ] || { echo "no $exe" >&2; exit 1; }
	goal=$GOAL
	is_pipeline "$t" && goal=$GOAL_PIPE
	work=$C/corpus/$t
	# the findings of an earlier run are in the committed corpus already
	# (keep_findings): set them aside, so that the row counts this run's
	if [ -d "$C/findings/$t" ] && [ -n "$(ls -A "$C/findings/$t")" ]; then
		mkdir -p "$C/findings-old/$t"
		mv "$C/findings/$t"/* "$C/findings-old/$t/"
	fi
	mkdir -p "$work" "$C/findings/$t"
	seeds="$src/tests/fuzz/corpus/$t"
	[ -d "$C/seeds/$t" ] && seeds="$seeds $C/seeds/$t"
	log=$C/logs/$t.log
	echo "== $t: goal $goal executions or ${CAP}s, $JOBS job(s)" >&2
	start=$(date +%s)
	rc=0
	opts="-max_len=$(max_len "$t") -timeout=10 -rss_limit_mb=2560 -print_final_stats=1
	      -max_total_time=$CAP -artifact_prefix=$C/findings/$t/"
	# the whole-pipeline targets keep their state (hosts, assets, rules)
	# from input to input on purpose, so every input that finds something
	# new would be run again for a leak check (a full LSan scan, most of
	# their time): leaks are checked at exit instead, and by the fuzz suite
	case $t in pipeline|eve-output|learn-yaml) opts="$opts -detect_leaks=0" ;; esac
	# libFuzzer's entropic scheduler updates a frequency per feature on
	# every new input: with the 40,000+ features of the whole-pipeline
	# targets that was three quarters of their time (perf), so they run
	# with the plain scheduler (eve-output: 72 -> 241 exec/s)
	is_pipeline "$t" && opts="$opts -entropic=0"
	# their input sometimes includes setting up a fresh pipeline (nDPI,
	# the rule tables), which a loaded machine can stretch past 10 s of
	# wall clock: a minute before a timeout is a finding
	is_pipeline "$t" && opts="$opts -timeout=60"
	if [ "$JOBS" -gt 1 ]; then
		# each job a share of the goal; logs fuzz-N.log in the current directory
		(cd "$C/logs" && rm -f fuzz-*.log &&
		 nice -n "$NICE" "$exe" $opts -runs=$((goal / JOBS)) -jobs="$JOBS" \
			-workers="$JOBS" "$work" $seeds \
			>/dev/null 2>&1) || rc=$?
		cat "$C"/logs/fuzz-*.log >"$log"
	else
		nice -n "$NICE" "$exe" $opts -runs="$goal" "$work" $seeds >"$log" 2>&1 || rc=$?
	fi
	wall=$(($(date +%s) - start))
	echo "$wall $rc $goal" >"$C/logs/$t.meta"
	keep_findings "$t"
	row "$t"
done

{
	echo "# fabmon fuzz campaign"
	echo
	echo "clang $(clang -dumpversion), ASan+UBSan, libFuzzer; $(nproc) cores, nice $NICE;"
	echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ)."
	echo "Goal: $GOAL executions ($GOAL_PIPE for whole-pipeline targets: pipeline, eve-output,"
	echo "learn-yaml, report), or the time cap of the run (FUZZ_MAX_SECONDS; wall says what it took)."
	[ -n "${FUZZ_NOTE:-}" ] && echo "$FUZZ_NOTE"
	echo "Run by tests/fuzz/campaign.sh; cov/ft are libFuzzer's last figures (edges, features)."
	echo
	echo "| target | execs | goal reached | exec/s | cov | ft | corpus (units/bytes) | findings | wall |"
	echo "|---|---:|---|---:|---:|---:|---|---|---:|"
	for t in $all; do
		[ -f "$C/rows/$t.md" ] && cat "$C/rows/$t.md"
	done
} >"$RESULTS"
echo "results: $RESULTS" >&2
