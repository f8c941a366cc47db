#!/bin/sh
# run.sh - classifier benchmark: pcmon train/predict against scikit-learn,
# liblinear, libsvm and fastText on AG News, Reuters-21578 and BBC News.
#
#   sh bench/classify/run.sh
#
# Environment:
#   PCMON_SHARED_DATA=dir  the corpora (default ../shared/data from the
#                          repository, i.e. /work/shared/data); read in place,
#                          never copied into the repository
#   PCMON=path             default ./pcmon
#   SEED=n                 split and training seed (default 42)
#   RUNS=n                 throughput repetitions, median kept (default 3)
#   PCMON_FOLDS=k          pass --folds k to pcmon train (default: its own)
#   TASKS="ag_split ..."   only these tasks (ag_split ag_cv reuters bbc_cv
#                          throughput); NORESULTS=1: print the tables only
#   TOOLS="pcmon" MERGE=1  run only these tools and add their rows to the
#                          previous results.json (the report says so)
#
# 1. prep.py writes the splits under bench/out/classify/tasks/ (git-ignored):
#    pcmon JSONL, gold labels, fastText lines (redone when prep.py changes);
# 2. bench.py trains and tests every tool on every split, each command under
#    GNU time -f '%e %U %S %M', computes the metrics itself from each tool's
#    predictions, and times end-to-end prediction on one core;
# 3. report.py prints the tables and writes the "## Classifier" section of
#    bench/RESULTS.md.
# Takes about 15 minutes on 2 cores (svm-train is most of it).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/classify"
data=${PCMON_SHARED_DATA:-$root/../shared/data}
PCMON=${PCMON:-$root/pcmon}
case $PCMON in /*) ;; *) PCMON=$(pwd)/$PCMON ;; esac
SEED=${SEED:-42}
PY=/usr/bin/python3     # Debian's python3-sklearn is installed for it
TIME=/usr/bin/time

die() { echo "run.sh: $*" >&2; exit 2; }

# ---- tools (installed by deps.sh --bench, never here)
missing=""
for t in liblinear-train liblinear-predict svm-train svm-predict fasttext taskset; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
"$TIME" -f %e true >/dev/null 2>&1 || missing="$missing /usr/bin/time(GNU)"
"$PY" -c 'import sklearn' >/dev/null 2>&1 || missing="$missing python3-sklearn"
[ -z "$missing" ] || die "missing:$missing - run 'sh deps.sh --bench' (as root) first"
for d in ag_news reuters21578 bbc; do
	[ -d "$data/$d" ] || die "no $data/$d: set PCMON_SHARED_DATA to the corpora folder"
done
data=$(cd "$data" && pwd)

# ---- pcmon: skipped (with the reason) until train and predict work
pc="$PCMON"
note=""
if [ ! -x "$PCMON" ]; then
	note="$PCMON not found (run 'make' first)"
elif ! "$PCMON" train --help >/dev/null 2>&1; then
	note="'pcmon train --help' fails: the classifier commands are not built"
elif ! "$PCMON" predict --help >/dev/null 2>&1; then
	note="'pcmon predict --help' fails"
fi
if [ -n "$note" ]; then
	echo "run.sh: $note: pcmon rows are skipped" >&2
	pc=-
fi

# ---- splits
mkdir -p "$out"
stamp=$(cat "$here/prep.py" "$here/peers.py" | sha256sum | cut -c1-16)-$SEED
if [ ! -f "$out/tasks/index.json" ] || [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "run.sh: preparing the splits (prep.py) ..." >&2
	rm -rf "$out/tasks" "$out/models"
	"$PY" "$here/prep.py" "$data" "$out" "$SEED"
	echo "$stamp" > "$out/.stamp"
fi

# ---- run (TOOLS="pcmon ..." MERGE=1: run only those, into the last results)
[ -n "${MERGE:-}" ] || rm -rf "$out/models" "$out/work"
# shellcheck disable=SC2086
# pcmon labels only, as the peers do: no country tagging (an empty
# gazetteer); the language is still detected (the corpora carry none)
printf '[classify]\ngazetteer =\n' > "$out/pcmon.conf"
export PCMON_CONFIG="$out/pcmon.conf"
"$PY" "$here/bench.py" "$out" "$pc" "$SEED" ${TOOLS:-}

# ---- report
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
git=$(cd "$root" && git describe --always --dirty 2>/dev/null || echo unknown)
PCMON_NOTE="$note" DATE="$(date -u '+%Y-%m-%d %H:%M UTC')" \
MACHINE="$(nproc) cores, $cpu, $mem RAM, Linux $(uname -r)" GIT="$git" DATA="$data" \
VERSIONS="pcmon $( [ "$pc" = - ] && echo "(not run)" || echo "$PCMON"); scikit-learn $(ver python3-sklearn) on Debian python3 $(ver python3 | cut -d- -f1); liblinear-tools $(ver liblinear-tools); libsvm-tools $(ver libsvm-tools); fasttext $(ver fasttext); GNU time $(ver time)" \
	"$PY" - "$out" <<'EOF'
import json, os, sys
out = sys.argv[1]
idx = json.load(open(os.path.join(out, "tasks", "index.json")))
meta = {"date": os.environ["DATE"], "machine": os.environ["MACHINE"],
        "git": os.environ["GIT"], "versions": os.environ["VERSIONS"],
        "data": os.environ["DATA"], "reuters_top10": ", ".join(idx["reuters_top10"]),
        "ft_opts": os.environ.get("FT_OPTS", "-wordNgrams 2 -lr 1.0 -epoch 25 -thread 1"),
        "pcmon_note": os.environ.get("PCMON_NOTE") or ""}
json.dump(meta, open(os.path.join(out, "meta.json"), "w"), indent=1)
EOF
md="$root/bench/RESULTS.md"
[ -z "${NORESULTS:-}" ] || md=-
"$PY" "$here/report.py" "$out" "$md" "sh bench/classify/run.sh"
[ "$md" = - ] || echo "run.sh: wrote the \"## Classifier\" section of bench/RESULTS.md" >&2
