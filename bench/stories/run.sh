#!/bin/sh
# bench/stories/run.sh - stories, not copies, measured on real text.
#
#    sh bench/stories/run.sh
#
# Builds the archives (make BUILD=$BUILD, default build/rel), links
# bench/stories/driver.c against them - story.c as shipped, story.c with
# other shingle sizes / without boilerplate stripping / with another
# short-text rule (compiled from source with -DSTORY_BENCH_*) - then runs
# eval.py, which reads BBC News and
# the AG News test set in place (../shared/data, see each PROVENANCE.md),
# generates republications with a fixed seed, and prints markdown tables
# (precision and recall per method, throughput).  Output goes to $OUT
# (default bench/out/stories/).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$root/bench/out/stories}
build=${BUILD:-build/rel}
CC=${CC:-cc}
data=${DATA:-$root/../shared/data}

die() { echo "run.sh: $*" >&2; exit 2; }
[ -d "$data/bbc" ] || die "$data/bbc not found (set DATA=)"
[ -f "$data/ag_news/test.csv.gz" ] || die "$data/ag_news/test.csv.gz not found"

mkdir -p "$out"
make -C "$root" -s BUILD="$build" "$build/libpipeline.a" \
	"$build/libclassify.a" "$build/libcrawler.a"
case $build in /*) b=$build ;; *) b=$root/$build ;; esac
# link flags as the Makefile's PKGS and NOPC_LIBS
pkgs="libcurl libxml-2.0 sqlite3 libpq zlib inih jansson libutf8proc"
libs="$b/libpipeline.a $b/libclassify.a $b/libcrawler.a"
cflags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Wall
	-Wextra -I$root -I$root/pipeline $(pkg-config --cflags $pkgs)"
ldlibs="$(pkg-config --libs $pkgs) -lsvm -lstemmer -lm"

# shellcheck disable=SC2086
{
	$CC $cflags -o "$out/story" "$here/driver.c" $libs $ldlibs
	for v in "s1:-DSTORY_BENCH_SHINGLE=1" "s3:-DSTORY_BENCH_SHINGLE=3" \
		"nostrip:-DSTORY_BENCH_STRIP=0" "min1:-DSTORY_BENCH_MIN_TERMS=1" \
		"min16:-DSTORY_BENCH_MIN_TERMS=16"; do
		$CC $cflags ${v#*:} -o "$out/${v%%:*}" "$here/driver.c" \
			"$root/pipeline/story.c" $libs $ldlibs
	done
}

python3 "$here/eval.py" --bbc "$data/bbc" \
	--agnews "$data/ag_news/test.csv.gz" --out "$out" \
	--drivers "story=$out/story,s1=$out/s1,s3=$out/s3,nostrip=$out/nostrip,min1=$out/min1,min16=$out/min16" \
	| tee "$out/results.md"

echo
echo "### Throughput (one core, $(wc -l < "$out/items.tsv") items)"
echo
echo "| | items/s | MB/s |"
echo "|---|---:|---:|"
cut -f3- "$out/items.tsv" | taskset -c "${CPU:-0}" "$out/story" speed |
	awk -F'\t' '$1 == "fingerprint" { printf "| story_fingerprint | %d | %.1f |\n", $2, $3 }
	            $1 == "index" { printf "| story_index_find + add | %d | |\n", $2 }' |
	tee -a "$out/results.md"
