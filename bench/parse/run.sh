#!/bin/sh
# run.sh - parser benchmark: pcmon parse vs sfeed vs python3-feedparser.
#
#   sh bench/parse/run.sh          (make bench-parse)
#
# Environment: PCMON=path (default ./pcmon), RUNS=n (default 3, the median
# is reported), NORESULTS=1 to print the table without touching
# bench/RESULTS.md.
#
# 1. generates the corpus with gen.py into bench/out/parse/ (git-ignored)
#    when it is missing or gen.py changed;
# 2. times each tool over file sets with timer.c (built here with cc: wall,
#    user, sys, peak RSS, as GNU time's '%e %U %S %M' but in microseconds,
#    not 10 ms steps), the loop running inside one "sh -c" so that the CPU of every
#    child process is counted; the peak RSS is that of the largest single
#    process of the tree;
#      pcmon        pcmon parse FILE > /dev/null, one process per file, as
#                   sfeed_update runs sfeed (pays pcmon's start-up, ~5 ms of
#                   dynamic loading for libcurl's 44 libraries, per file)
#      pcmon-1p     pcmon parse FILE FILE ... > /dev/null: the whole set in
#                   ONE process (xargs; the number of invocations xargs made
#                   is recorded and reported), each file a document of its
#                   own - the way pcmon crawl parses, in one long-running
#                   process
#      sfeed        the sfeed_update way: ENC=$(sfeed_xmlenc < f); non-UTF-8:
#                   iconv -cs -f ENC -t UTF-8 < f | sfeed; else sfeed < f
#      sfeed-bare   sfeed < f alone (information: the parser without the
#                   encoding step, wrong on non-UTF-8 files)
#      feedparser   fp.py: feedparser.parse(bytes) per file, in one python
#                   process, on a fixed subset only (slow); its ratio to
#                   pcmon is per CPU second on that same subset;
# 3. counts entries in an untimed pass (per file for the per-file tools; per
#    set for pcmon-1p, whose one-process output over the whole corpus must
#    also equal, byte for byte, the per-file outputs concatenated),
#    cross-checks them, and writes the
#    "## Parser" section of bench/RESULTS.md (report.py).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/parse"
PCMON_SET=${PCMON:-}
PCMON=${PCMON:-$root/pcmon}
case $PCMON in /*) ;; *) PCMON=$(pwd)/$PCMON ;; esac
PY=/usr/bin/python3     # Debian's python3-feedparser is installed for it
RUNS=${RUNS:-3}
TIME=$out/timer

die() { echo "run.sh: $*" >&2; exit 2; }

# ---- tools
missing=""
for t in sfeed sfeed_xmlenc iconv cc; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
"$PY" -c 'import feedparser' >/dev/null 2>&1 || missing="$missing python3-feedparser"
[ -z "$missing" ] || die "missing:$missing - run 'sh deps.sh --bench' (as root) first"
have_pcmon=1
if [ ! -x "$PCMON" ]; then
	have_pcmon=0
	echo "run.sh: $PCMON not found (run 'make' first): pcmon rows are skipped" >&2
fi

# ---- corpus
stamp=$(sha256sum "$here/gen.py" | cut -c1-16)
if [ ! -f "$out/manifest.tsv" ] || [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "run.sh: generating the corpus (gen.py) ..." >&2
	rm -rf "$out/corpus" "$out/manifest.tsv"
	"$PY" "$here/gen.py" "$out" >&2
	echo "$stamp" > "$out/.stamp"
fi

mkdir -p "$out"
cc -O2 -o "$TIME" "$here/timer.c" || die "cannot build timer.c"

res="$out/results"
rm -rf "$res"
mkdir -p "$res/lists" "$res/counts"
cd "$out"

# ---- file sets (paths relative to $out)
awk -F'\t' 'NR>1 {print $1}' manifest.tsv > "$res/lists/all"
for c in small medium big; do
	awk -F'\t' -v c=$c 'NR>1 && $2==c {print $1}' manifest.tsv > "$res/lists/$c"
done
# feedparser subset: every 5th small file and the 4 smallest medium files
{
	awk -F'\t' 'NR>1 && $2=="small" {if (n++ % 5 == 0) print $1}' manifest.tsv
	awk -F'\t' 'NR>1 && $2=="medium" {print $5 "\t" $1}' manifest.tsv |
		sort -n | head -4 | cut -f2
} > "$res/lists/fpsub"
# medium files by format (UTF-8) and the 8-bit encoded ones; each list
# names its files 10 times, for run times well above GNU time's 10 ms
for r in 1 2 3 4 5 6 7 8 9 10; do
	awk -F'\t' 'NR>1 && $2=="medium" && $4=="utf-8" && $3=="rss2" {print $1}' manifest.tsv >> "$res/lists/med-rss2"
	awk -F'\t' 'NR>1 && $2=="medium" && $4=="utf-8" && $3=="atom" {print $1}' manifest.tsv >> "$res/lists/med-atom"
	awk -F'\t' 'NR>1 && $2=="medium" && $4=="utf-8" && $3=="rdf" {print $1}' manifest.tsv >> "$res/lists/med-rdf"
	awk -F'\t' 'NR>1 && $2=="medium" && $4!="utf-8" {print $1}' manifest.tsv >> "$res/lists/med-8bit"
done
for m in ref-1mb big-20mb big-50mb; do
	grep "/$m-" "$res/lists/all" > "$res/lists/mem-$m"
done
# a one-entry feed, for the fixed cost of one process
cat > "$res/tiny.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link>
<item><title>One</title><link>https://example.org/1</link><guid>1</guid>
<pubDate>Sat, 28 Nov 2026 12:00:00 +0000</pubDate><description>x</description></item>
</channel></rss>
EOF
i=0; : > "$res/lists/tiny"
while [ $i -lt 200 ]; do echo "$res/tiny.xml" >> "$res/lists/tiny"; i=$((i + 1)); done

# ---- the loops (each run as: sh -c SCRIPT sh LIST)
# one process: xargs splits only past its 128 KiB command buffer; every
# set here is well under it, and xargs.tsv records the invocations made
loop_1p='xargs -d "\n" "$PCMON" parse < "$1" > /dev/null || echo "pcmon-1p: pcmon parse (via xargs) failed" >&2'
loop_pcmon='while IFS= read -r f; do "$PCMON" parse "$f" > /dev/null || echo "pcmon parse failed: $f" >&2; done < "$1"'
loop_sfeed='while IFS= read -r f; do
	enc=$(sfeed_xmlenc < "$f")
	if [ "$enc" != "" ] && [ "$enc" != "utf-8" ]; then
		iconv -cs -f "$enc" -t UTF-8 < "$f" 2>/dev/null | sfeed > /dev/null
	else
		sfeed < "$f" > /dev/null
	fi
done < "$1"'
loop_bare='while IFS= read -r f; do sfeed < "$f" > /dev/null; done < "$1"'
export PCMON

# measure TOOL SET: one timed run, appended to raw.tsv
measure() {
	tool=$1 set=$2
	case $tool in
	pcmon) script=$loop_pcmon ;;
	pcmon-1p) script=$loop_1p ;;
	sfeed) script=$loop_sfeed ;;
	sfeed-bare) script=$loop_bare ;;
	feedparser) script="" ;;
	esac
	if [ "$tool" = feedparser ]; then
		"$TIME" "$res/t" "$PY" "$here/fp.py" "$res/lists/$set" \
			"$res/counts/feedparser.$set" 2>> "$res/errors" ||
			echo "run.sh: feedparser run failed" >&2
	else
		"$TIME" "$res/t" sh -c "$script" sh "$res/lists/$set" 2>> "$res/errors" ||
			echo "run.sh: $tool run failed" >&2
	fi
	printf '%s\t%s\t%s\t%s\n' "$tool" "$set" "$run" "$(tr ' ' '\t' < "$res/t" | tail -1)" >> "$res/raw.tsv"
}

tools="sfeed sfeed-bare"
[ $have_pcmon = 1 ] && tools="pcmon pcmon-1p $tools"

sets="all small medium big fpsub med-rss2 med-atom med-rdf med-8bit tiny mem-ref-1mb mem-big-20mb mem-big-50mb"
# how many pcmon processes xargs starts per set (1 = one process)
: > "$res/xargs.tsv"
for set in $sets; do
	printf '%s\t%s\n' "$set" "$(xargs -d '\n' echo < "$res/lists/$set" | wc -l)" >> "$res/xargs.tsv"
done

# warm the page cache so that every tool reads from memory
cat $(cat "$res/lists/all") > /dev/null

printf 'tool\tset\trun\twall\tuser\tsys\tmaxrss_kb\n' > "$res/raw.tsv"
: > "$res/errors"
run=1
while [ $run -le "$RUNS" ]; do
	echo "run.sh: run $run of $RUNS ..." >&2
	for set in $sets; do
		for tool in $tools; do
			measure "$tool" "$set"
		done
	done
	measure feedparser fpsub
	run=$((run + 1))
done

# ---- entry counts (untimed): path<TAB>entries per tool
echo "run.sh: counting entries ..." >&2
count() { # TOOL SCRIPT-PRINTING-ENTRIES
	while IFS= read -r f; do
		printf '%s\t%s\n' "$f" "$(sh -c "$2" sh "$f" 2>/dev/null | wc -l)"
	done < "$res/lists/all" > "$res/counts/$1"
}
if [ $have_pcmon = 1 ]; then
	count pcmon '"$PCMON" parse "$1"'
	# pcmon-1p: entries per set from one process over the set
	for set in $sets; do
		printf '%s\t%s\n' "$set" "$(xargs -d '\n' "$PCMON" parse < "$res/lists/$set" 2>/dev/null | wc -l)"
	done > "$res/counts/pcmon-1p.sets"
	# and its output over the whole corpus = the per-file outputs concatenated
	a=$(xargs -d '\n' "$PCMON" parse < "$res/lists/all" 2>/dev/null | sha256sum | cut -c1-16)
	b=$(while IFS= read -r f; do "$PCMON" parse "$f" 2>/dev/null; done < "$res/lists/all" | sha256sum | cut -c1-16)
	printf '%s\t%s\n' "$a" "$b" > "$res/counts/pcmon-1p.same"
fi
count sfeed 'enc=$(sfeed_xmlenc < "$1")
	if [ "$enc" != "" ] && [ "$enc" != "utf-8" ]; then
		iconv -cs -f "$enc" -t UTF-8 < "$1" 2>/dev/null | sfeed
	else sfeed < "$1"; fi'
count sfeed-bare 'sfeed < "$1"'

# ---- correctness cross-check on a few small files (pcmon vs feedparser)
if [ $have_pcmon = 1 ]; then
	"$PY" "$here/check.py" "$out" "$PCMON" > "$res/check.md" || echo "run.sh: check.py failed" >&2
fi

# ---- report
set -- "$out" "$root/bench/RESULTS.md"
[ "${NORESULTS:-}" = 1 ] && set -- "$out" ""
cmd="sh bench/parse/run.sh"
[ -n "${PCMON_SET:-}" ] && cmd="PCMON=$PCMON_SET $cmd"
[ "$RUNS" != 3 ] && cmd="RUNS=$RUNS $cmd"
"$PY" "$here/report.py" "$@" "$cmd" "$have_pcmon" "$PCMON"
