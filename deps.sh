#!/bin/sh
# Install the Debian packages pcmon needs to build, test and benchmark.
# The one place that names Debian packages (the Makefile names pkg-config
# modules).  Installs only what is missing; needs root or sudo for that.
set -eu

BUILD="build-essential pkg-config python3
libcurl4-openssl-dev libxml2-dev libsvm-dev zlib1g-dev libsqlite3-dev libpq-dev
libinih-dev libjansson-dev libutf8proc-dev libstemmer-dev iso-codes"
TEST="python3 openssl chromium sqlite3 clang libclang-rt-14-dev man-db bsdextrautils
strace valgrind util-linux postgresql"
BENCH="sfeed python3-feedparser time python3-sklearn liblinear-tools libsvm-tools fasttext
libexttextcat-dev"

want="$BUILD"
case "${1:-}" in
--test)  want="$want $TEST" ;;
--bench) want="$want $TEST $BENCH" ;;
--all)   want="$want $TEST $BENCH" ;;
"")      ;;
*) echo "usage: deps.sh [--test|--bench|--all]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing
