#!/bin/sh
# bench/spikes: pcmon detect against a rolling z-score and a Poisson
# threshold on generated series with labeled events (see bench.py).
#   sh bench/spikes/run.sh [--series N] [--seed S]
set -eu
top=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
pcmon=${PCMON:-$top/build/rel/pcmon}
[ -x "$pcmon" ] || { echo "bench/spikes: build pcmon first (make)" >&2; exit 1; }
mkdir -p "$top/bench/out/spikes"
python3 "$top/bench/spikes/bench.py" --pcmon "$pcmon" "$@" | tee "$top/bench/out/spikes/results.md"
