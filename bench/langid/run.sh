#!/bin/sh
# run.sh - language identification benchmark: classify_langid() against
# libexttextcat on the labeled corpus, accuracy per language and items/s.
#
#   sh bench/langid/run.sh
#
# Environment:
#   CORPUS="glob"   JSON lines with "lang", "title", "summary" (default
#                   models/data/corpus/*.jsonl; read only, never written)
#   CPU=n           the core both detectors run on (default 0)
#   ERRORS=1        also list every text pcmon gets wrong
#   AGNEWS=file     English-only check on AG News' test set (default
#                   ../shared/data/ag_news/test.csv.gz when present)
#
# 1. `make` builds build/rel/libclassify.a; the driver (driver.c) is
#    compiled against it and libexttextcat into bench/out/langid/;
# 2. eval.py writes each item's title and summary as one line, runs the
#    driver once to predict (both detectors on every line) and once to time
#    them on the same lines on one core (taskset), and prints a markdown
#    table.  Nothing is written outside bench/out/langid/.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/langid"
CC=${CC:-cc}

die() { echo "run.sh: $*" >&2; exit 2; }
command -v taskset >/dev/null || die "taskset not found (util-linux)"
pkg-config --exists libexttextcat || die "libexttextcat-dev is not installed"

mkdir -p "$out"
make -C "$root" -s build/rel/libclassify.a
# link flags as the Makefile's PKGS and NOPC_LIBS
pkgs="libcurl libxml-2.0 sqlite3 libpq zlib inih jansson libutf8proc"
# shellcheck disable=SC2046,SC2086
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra \
	-I"$root/classify" $(pkg-config --cflags libexttextcat) \
	-o "$out/driver" "$here/driver.c" "$root/build/rel/libclassify.a" \
	$(pkg-config --libs libexttextcat $pkgs) -lsvm -lstemmer -lm

agnews=${AGNEWS:-$root/../shared/data/ag_news/test.csv.gz}
cd "$root"
exec python3 "$here/eval.py" --driver "$out/driver" --out "$out" \
	--cpu "${CPU:-0}" --agnews "$agnews" ${ERRORS:+--errors} \
	${CORPUS:+--corpus "$CORPUS"}
