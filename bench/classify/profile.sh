#!/bin/sh
# profile.sh - where pcmon's classifier time goes (after run.sh, which
# prepares the splits and the ag_split models this reuses).
#
#   sh bench/classify/profile.sh
#
# 1. training phases without instrumenting pcmon: "pcmon train" always
#    fits K cross-validation models on (K-1)/K of the data and then the
#    final model, so with a linear solver its time is close to
#    a + b*K (a: reading, tokenising, vocabulary, saving; b: one fit on all
#    the data).  Timing K = 2 and K = 10 gives a and b; done for ag_split
#    and for Reuters "earn" (PROFILE_TRAIN="" skips this part: minutes).
# 2. prediction: start-up (1 item) and perf record of "pcmon predict" on
#    the 76,000-item AG file on one core; the top symbols by self time.
# Output: bench/out/classify/profile/ (perf.data, report.txt).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/classify"
prof="$out/profile"
PCMON=${PCMON:-$root/pcmon}
TIME=/usr/bin/time
[ -f "$out/tasks/index.json" ] || { echo "profile.sh: run run.sh first" >&2; exit 2; }
mkdir -p "$prof"
rep="$prof/report.txt"
: > "$rep"
say() { echo "$*" | tee -a "$rep"; }

t() {   # t LABEL CMD...: wall user sys maxrss_kb
	"$TIME" -f '%e %U %S %M' -o "$prof/t.out" "$@" > "$prof/stdout" 2> "$prof/stderr" ||
		{ cat "$prof/stderr" >&2; exit 1; }
	tail -1 "$prof/t.out"
}

say "== training phases (wall s): t(K) = a + b*K"
for task in ${PROFILE_TRAIN-ag_split/all reuters/earn}; do
	d="$out/tasks/$task"
	t2=$(t "$PCMON" train --data "$d/train.jsonl" --out "$prof/m.model" --seed 42 --folds 2 | cut -d' ' -f1)
	t10=$(t "$PCMON" train --data "$d/train.jsonl" --out "$prof/m.model" --seed 42 --folds 10 | cut -d' ' -f1)
	td=$(t "$PCMON" train --data "$d/train.jsonl" --out "$prof/m.model" --seed 42 | cut -d' ' -f1)
	awk -v t2="$t2" -v t10="$t10" -v td="$td" -v task="$task" 'BEGIN {
		b = (t10 - t2) / 8; a = t2 - 2 * b;
		printf "%s: folds 2 %.2fs, folds 10 %.2fs, default %.2fs -> fixed (read, features, save) %.2fs, one fit on all data %.2fs\n", task, t2, t10, td, a, b }' | tee -a "$rep"
done

say "== prediction"
big="$out/tasks/throughput/ag_x50.jsonl"
one="$out/tasks/throughput/ag_x1item.jsonl"
m="$out/models/ag_split/all/pcmon.model"
say "model: $(ls -l "$m" | awk '{print $5}') bytes"
say "1 item (start-up, model load): $(t taskset -c 0 "$PCMON" predict --model "$m" "$one")  (wall user sys maxrss_kb)"
say "76000 items: $(t taskset -c 0 "$PCMON" predict --model "$m" "$big")"
taskset -c 0 perf record -q -o "$prof/perf.data" -F 2000 -g -- "$PCMON" predict --model "$m" "$big" > /dev/null 2> "$prof/perf.err" || true
perf report -i "$prof/perf.data" --stdio --no-children --sort symbol 2>/dev/null |
	grep -E '^ +[0-9]' | head -30 | tee -a "$rep"
say "== by shared object"
perf report -i "$prof/perf.data" --stdio --no-children --sort dso 2>/dev/null |
	grep -E '^ +[0-9]' | head -10 | tee -a "$rep"
echo "profile.sh: $rep" >&2
