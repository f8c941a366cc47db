#!/bin/sh
# make-model.sh - trains the shipped default model (`make model`).
#
#   sh models/tools/make-model.sh
#
# Inputs: the team's labeled corpus (models/data/corpus/*.jsonl, checked
# first) and 1,200 ordinary AG News items as negatives, drawn with a fixed
# seed from ../shared/data/ag_news/test.csv.gz (PCMON_SHARED_DATA=dir to
# read the corpora elsewhere; they are never copied into the repository).
# Outputs: models/default.model (committed) and models/default.md, its
# cross-validated figures and the sha256 of every input; the AG sample and
# the training log stay in build/model/.  Same inputs, same model: the
# folds, the grid and the sample all use fixed seeds.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
PCMON=${PCMON:-./pcmon}
data=${PCMON_SHARED_DATA:-$root/../shared/data}
ag=$data/ag_news/test.csv.gz
SEED=1
work=build/model

[ -x "$PCMON" ] || { echo "make-model.sh: no $PCMON: run make first" >&2; exit 2; }
[ -f "$ag" ] || { echo "make-model.sh: no $ag: set PCMON_SHARED_DATA to the corpora folder" >&2; exit 2; }
mkdir -p "$work"
python3 models/data/check.py --min
python3 models/tools/ag_negatives.py "$ag" 1200 "$SEED" > "$work/ag_negatives.jsonl"

set -- $(ls models/data/corpus/*.jsonl | LC_ALL=C sort) "$work/ag_negatives.jsonl"
args=""
for f in "$@"; do args="$args --data $f"; done
# shellcheck disable=SC2086
"$PCMON" train $args --out "$work/default.model" --grid --folds 5 \
	--seed "$SEED" --cv-out "$work/cv.jsonl" > "$work/train.txt"
cat "$work/train.txt"
python3 models/tools/report.py "$work/train.txt" "$work/cv.jsonl" \
	"$work/default.model" "$@" > "$work/default.md"
# install both only when both are made
mv "$work/default.model" models/default.model
mv "$work/default.md" models/default.md
echo "make-model.sh: wrote models/default.model and models/default.md"
