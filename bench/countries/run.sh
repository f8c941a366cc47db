#!/bin/sh
# run.sh - country extraction benchmark: throughput of classify_countries()
# and precision/recall against the hand-labeled corpus.
#
#   sh bench/countries/run.sh
#
# Environment: RUNS=n timed runs (default 5, the median is reported),
# N=lines of the throughput file (default 10000), GAZETTEER=path (default
# build/gazetteer.tsv, generated into bench/out/countries/ when missing).
#
# 1. builds build/rel/libclassify.a (make) and the driver countries.c into
#    bench/out/countries/ (git-ignored);
# 2. eval.py prep: title + " | " + summary of every models/data/corpus/
#    *.jsonl line (read-only) -> texts.txt, and the same texts repeated to
#    N lines -> bulk.txt;
# 3. times classify_countries() over bulk.txt in one process (the file is
#    read into memory first; max 16 codes per call, as pipeline/ asks);
# 4. tags texts.txt and scores it against the "countries" field (micro
#    precision/recall, per language, commonest errors; every error is
#    listed in bench/out/countries/errors.txt).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/countries"
RUNS=${RUNS:-5}
N=${N:-10000}

die() { echo "run.sh: $*" >&2; exit 2; }

mkdir -p "$out"
cd "$root"
make -s build/rel/libclassify.a >&2 || die "cannot build libclassify.a"
GAZETTEER=${GAZETTEER:-$root/build/gazetteer.tsv}
if [ ! -f "$GAZETTEER" ]; then
	GAZETTEER=$out/gazetteer.tsv
	python3 tools/gazetteer.py > "$GAZETTEER" || die "tools/gazetteer.py failed"
fi
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Iclassify \
	-o "$out/countries" "$here/countries.c" build/rel/libclassify.a \
	$(pkg-config --libs libutf8proc) || die "cannot build countries.c"

python3 "$here/eval.py" prep models/data/corpus "$out" "$N"

echo "## Countries"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) cores, $(uname -sr); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- gazetteer: $GAZETTEER ($(grep -vc '^#' "$GAZETTEER") lines)"
echo
"$out/countries" -t "$RUNS" "$GAZETTEER" "$out/bulk.txt" > "$out/timing.tsv"
awk -F'\t' '$1=="load_s" {printf "gazetteer load: %.3f s\n", $2}' "$out/timing.tsv"
awk -F'\t' '$1=="run" {print $14, $12, $4, $6}' "$out/timing.tsv" | sort -n |
	awk -v runs="$RUNS" '{v[NR]=$1; c[NR]=$2; it=$3; b=$4}
	END {m=int((NR+1)/2); printf "throughput: %d items (%.2f MB) per run, median of %d runs: %.0f items/s CPU (%.3f s CPU per run; runs %.0f..%.0f items/s)\n", it, b/1e6, runs, v[m], c[m], v[1], v[NR]}'
echo
"$out/countries" "$GAZETTEER" < "$out/texts.txt" > "$out/pred.txt"
python3 "$here/eval.py" score "$out" "$out/pred.txt"
