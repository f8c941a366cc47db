#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - builds pcmon's libFuzzer harnesses
# (clang -fsanitize=fuzzer,address,undefined) and runs each for SECONDS
# (default 60) on seed corpora from the test fixtures (FUZZ_HARNESSES="csv
# text" runs only those).  make fuzz
# FUZZ_SECONDS=N calls it.  Corpora grow in build/fuzz/corpus/NAME; a crash
# leaves its input in build/fuzz/crashes/NAME/ and fails the run; once
# fixed, it goes to tests/fuzz/regress/NAME/, run with the seeds.  Prints
# one line per harness: executions, seconds, corpus size.
set -eu
top=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
secs=${1:-60}
b=$top/build/fuzz
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
command -v clang >/dev/null || { echo "fuzz: clang is missing (sh deps.sh --test)" >&2; exit 1; }

make -C "$top" -s BUILD=build/fuzz CC=clang \
	OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $san" \
	build/fuzz/libpipeline.a build/fuzz/libclassify.a build/fuzz/libcrawler.a
pkgs="libcurl libxml-2.0 sqlite3 libpq zlib inih jansson libutf8proc"
cflags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DPCMON_VERSION=\"fuzz\"
	-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer $san
	-I$top -I$top/crawler -I$top/classify -I$top/pipeline $(pkg-config --cflags $pkgs)"
libs="$b/libpipeline.a $b/libclassify.a $b/libcrawler.a $(pkg-config --libs $pkgs) -lsvm -lstemmer -lm"

# seeds: the test fixtures, and a few made here
seed=$b/seeds
rm -rf "$seed"
mkdir -p "$seed/parse" "$seed/opml" "$seed/labels" "$seed/text" "$seed/tokenize" "$seed/csv" "$seed/files"
cp "$top"/tests/feeds/* "$top"/config/demo/feeds/*/2026-07.xml "$seed/parse/" 2>/dev/null || true
cp "$top"/tests/opml/* "$top/config/feeds.opml" "$seed/opml/"
head -c 20000 "$top/models/data/corpus/multilingual.jsonl" > "$seed/labels/a.jsonl"
printf 'label\ttext\n1\tPolice sign a pact\n0\tCup final\n' > "$seed/labels/b.tsv"
printf 'Mon, 02 Mar 2026 09:00:00 +0000' > "$seed/text/date1"
printf '2026-03-02T09:00:00.123+05:30' > "$seed/text/date2"
printf 'https://a.example/x/y?z=1\n../b?utm_source=q#frag' > "$seed/text/url"
printf '<p>Police &amp; <b>justice</b><script>x</script>&#x202E;</p>' > "$seed/text/html"
i=0
for f in "$top"/models/data/corpus/*.jsonl; do
	i=$((i + 1))
	sed -n '1p' "$f" > "$seed/tokenize/$i"
done
printf 'date,count\n2026-01-01,3\n2026-01-02,0\n2026-01-03,9\n' > "$seed/csv/a"
printf '\357\273\277date,count,blind\r\n2026-01-01,3,0\r\n2026-01-02,0,1\r\n' > "$seed/csv/b"
{ printf '\001'; cat "$top/config/pcmon.conf"; } > "$seed/files/conf"
{ printf '\000'; head -c 4000 "$top/models/default.model"; } > "$seed/files/model"

status=0
harnesses=${FUZZ_HARNESSES:-parse text tokenize opml labels csv files}
for f in $harnesses; do
	clang $cflags -o "$b/fuzz_$f" "$top/tests/fuzz/fuzz_$f.c" $libs
	mkdir -p "$b/corpus/$f" "$b/crashes/$f"
	dict=
	[ "$f" = parse ] && dict="-dict=$top/tests/fuzz/xml.dict"
	[ "$f" = text ] && dict="-dict=$top/tests/fuzz/text.dict"
	# inputs of crashes found and fixed: run first, every time
	regress=
	[ -d "$top/tests/fuzz/regress/$f" ] && regress=$top/tests/fuzz/regress/$f
	if ! "$b/fuzz_$f" $dict -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$b/crashes/$f/" \
		"$b/corpus/$f" "$seed/$f" $regress > "$b/$f.log" 2>&1; then
		echo "fuzz_$f: FAILED, see $b/$f.log and $b/crashes/$f/"
		tail -30 "$b/$f.log"
		status=1
		continue
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$b/$f.log")
	echo "fuzz_$f: $runs runs in $secs s, corpus $(ls "$b/corpus/$f" | wc -l) inputs, no crash"
done
exit $status
