#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Install, build and run the whole test suite: once with the normal build
# (gcc), once under AddressSanitizer + UndefinedBehaviorSanitizer (clang, so
# clang's -Werror is checked too). Live tests need root (network namespaces).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"

[ -d build ] || meson setup build >/dev/null
ninja -C build
meson test -C build --print-errorlogs --num-processes 2

[ -d build-sanitize ] || CC=clang meson setup build-sanitize \
	-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C build-sanitize
meson test -C build-sanitize --print-errorlogs --num-processes 2 --timeout-multiplier 3
echo "fabmon: all tests passed (normal and ASan/UBSan builds)"
