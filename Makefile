# pcmon - news monitoring of international police cooperation
#
#   make              build ./pcmon
#   make test         build and run the whole test suite (unit + end to end)
#   make SANITIZE=1 test   the same under AddressSanitizer + UBSan
#   make WERROR=1     warnings are errors (CI)
#   make deps         install missing Debian packages (needs root)
#   make install PREFIX=/usr/local DESTDIR=
#   make bench-parse  parser benchmark against sfeed and feedparser
#   make bench-crawl  crawler benchmark against sfeed_update and curl
#   make bench-classify  classifier benchmark against sklearn, liblinear...
#   make bench-spikes spike detector against a rolling z-score and Poisson
#   make bench-scale  crawl and classify workers (1, 2, 4) on PostgreSQL and SQLite
#   make model        retrain the shipped default model (models/)
#   make fuzz FUZZ_SECONDS=N   run every libFuzzer harness for N seconds
#   make valgrind     the offline demo with every pcmon run under memcheck
#
# Dependencies are declared here (pkg-config names) and in deps.sh (Debian
# package names); nothing else lists them.

VERSION    = 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     = $(PREFIX)/bin
MANDIR     = $(PREFIX)/share/man/man1
SHAREDIR   = $(PREFIX)/share/pcmon

PKG_CONFIG ?= pkg-config
PKGS       = libcurl libxml-2.0 sqlite3 libpq zlib inih jansson libutf8proc
# libsvm and libstemmer ship no .pc file in Debian
NOPC_LIBS  = -lsvm -lstemmer

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

CC        ?= cc
OPT       ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla \
            -Wmissing-prototypes -Wno-unused-parameter
PCMON_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
               -DPCMON_MODEL_DEFAULT='"$(SHAREDIR)/models/default.model"' \
               -DPCMON_GAZETTEER_DEFAULT='"$(SHAREDIR)/gazetteer.tsv"' \
               -DPCMON_CORPUS_DEFAULT='"$(SHAREDIR)/corpus"' \
               -DPCMON_VERSION='"$(VERSION)"' $(WARN) $(OPT) $(PKG_CFLAGS)
PCMON_CFLAGS += $(if $(WERROR),-Werror)
SAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=all
ifeq ($(SANITIZE),1)
OPT       = $(SAN_FLAGS)
SAN_LD    = -fsanitize=address,undefined
BUILD     ?= build/san
else
BUILD     ?= build/rel
endif
LDLIBS    = $(PKG_LIBS) $(NOPC_LIBS) -lm

CRAWLER_SRC  = $(wildcard crawler/*.c)
CLASSIFY_SRC = $(wildcard classify/*.c)
PIPELINE_SRC = $(filter-out pipeline/main.c,$(wildcard pipeline/*.c))

CRAWLER_OBJ  = $(CRAWLER_SRC:%.c=$(BUILD)/%.o)
CLASSIFY_OBJ = $(CLASSIFY_SRC:%.c=$(BUILD)/%.o)
PIPELINE_OBJ = $(PIPELINE_SRC:%.c=$(BUILD)/%.o)
# one static archive per module (git's libgit.a): the linker takes only the
# objects a program needs, and the order below is the dependency order
LIBS_A       = $(BUILD)/libpipeline.a $(BUILD)/libclassify.a $(BUILD)/libcrawler.a

UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

PCMON     = $(BUILD)/pcmon

all: pcmon gazetteer

# country names for tagging items: Debian's iso-codes + config/countries.tsv
GAZETTEER = build/gazetteer.tsv
gazetteer: $(GAZETTEER)
$(GAZETTEER): tools/gazetteer.py config/countries.tsv \
              $(wildcard /usr/share/iso-codes/json/iso_3166-1.json)
	@mkdir -p $(@D)
	python3 tools/gazetteer.py --config config/countries.tsv > $@.tmp && mv $@.tmp $@

# ./pcmon is always the plain build; the sanitizer build lives in build/san
pcmon: $(PCMON)
	@if [ "$(SANITIZE)" != 1 ]; then ln -sf $(PCMON) pcmon; fi

$(PCMON): $(BUILD)/pipeline/main.o $(LIBS_A)
	$(CC) $(SAN_LD) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libcrawler.a: $(CRAWLER_OBJ)
$(BUILD)/libclassify.a: $(CLASSIFY_OBJ)
$(BUILD)/libpipeline.a: $(PIPELINE_OBJ)
$(LIBS_A):
	mkdir -p $(@D) && rm -f $@
	$(AR) rcs $@ $^

# module boundaries: crawler/ and classify/ see only their own folder
$(BUILD)/crawler/%.o: crawler/%.c $(wildcard crawler/*.h) | $(BUILD)/crawler
	$(CC) $(PCMON_CFLAGS) $(CFLAGS) -Icrawler -c -o $@ $<
$(BUILD)/classify/%.o: classify/%.c $(wildcard classify/*.h) | $(BUILD)/classify
	$(CC) $(PCMON_CFLAGS) $(CFLAGS) -Iclassify -c -o $@ $<
$(BUILD)/pipeline/%.o: pipeline/%.c $(wildcard pipeline/*.h crawler/crawler.h classify/classify.h) | $(BUILD)/pipeline
	$(CC) $(PCMON_CFLAGS) $(CFLAGS) -I. -Ipipeline -c -o $@ $<
$(BUILD)/tests/%: tests/unit/%.c tests/unit/check.h $(LIBS_A) | $(BUILD)/tests
	$(CC) $(PCMON_CFLAGS) $(CFLAGS) -I. -Icrawler -Iclassify -Ipipeline -Itests/unit $(SAN_LD) $(LDFLAGS) \
		-o $@ $< $(LIBS_A) $(LDLIBS)

$(BUILD)/crawler $(BUILD)/classify $(BUILD)/pipeline $(BUILD)/tests:
	mkdir -p $@

units: $(UNIT_BIN) $(GAZETTEER)

# The README's test command: installs what is missing, builds, runs unit
# binaries and tests/cases/*.test; the last line is "N passed, N failed".
# TESTS=pattern runs only matching cases.
test:
	sh ./deps.sh --test
	$(MAKE) test-run

test-run: $(PCMON) units $(GAZETTEER)
	python3 tests/run.py --pcmon $(PCMON) --units $(BUILD)/tests $(TESTS)

check: test

# The README's main-job command, on the bundled offline feeds.
demo:
	sh ./deps.sh
	$(MAKE) all
	sh config/demo/run.sh

deps:
	sh ./deps.sh

check-banned:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gmtime|localtime|ctime|asctime)[[:space:]]*\(' \
		crawler/*.c classify/*.c pipeline/*.c 2>/dev/null | grep -v 'snprintf\|_r(' \
		|| { echo "banned function used (see STYLE.md 5)"; exit 1; }
	@! grep -n '#include *"\.\./' crawler/*.[ch] classify/*.[ch] 2>/dev/null \
		|| { echo "module boundary crossed"; exit 1; }

format-check:
	clang-format --dry-run -Werror crawler/*.[ch] classify/*.[ch] pipeline/*.[ch] tests/unit/*.[ch] 2>/dev/null

bench-parse: $(PCMON)
	sh bench/parse/run.sh

bench-crawl: $(PCMON)
	sh bench/crawl/run.sh

bench-classify: $(PCMON)
	sh bench/classify/run.sh

bench-countries: $(PCMON) $(GAZETTEER)
	sh bench/countries/run.sh

bench-langid: $(PCMON)
	sh bench/langid/run.sh

bench-spikes: $(PCMON)
	PCMON=$(PCMON) sh bench/spikes/run.sh

bench-stories:
	BUILD=$(BUILD) sh bench/stories/run.sh

bench-scale: $(PCMON)
	python3 bench/scale/bench.py --pcmon $(PCMON)

# libFuzzer harnesses (tests/fuzz/), FUZZ_SECONDS each
FUZZ_SECONDS ?= 60
fuzz:
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# the demo (crawl, classify, run, report...) under valgrind memcheck
valgrind:
	sh tests/valgrind.sh

# The shipped default model from models/data/corpus and AG News negatives
# (../shared/data or PCMON_SHARED_DATA); writes models/default.{model,md}.
model: $(PCMON)
	sh models/tools/make-model.sh

install: $(PCMON) $(GAZETTEER)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(SHAREDIR)
	install -m 755 $(PCMON) $(DESTDIR)$(BINDIR)/pcmon
	install -m 644 pcmon.1 $(DESTDIR)$(MANDIR)/pcmon.1
	install -m 644 config/pcmon.conf config/feeds.opml $(DESTDIR)$(SHAREDIR)/
	install -m 644 $(GAZETTEER) $(DESTDIR)$(SHAREDIR)/
	install -d $(DESTDIR)$(SHAREDIR)/models
	if [ -f models/default.model ]; then \
		install -m 644 models/default.model $(DESTDIR)$(SHAREDIR)/models/; fi
	install -d $(DESTDIR)$(SHAREDIR)/corpus
	install -m 644 models/data/corpus/*.jsonl $(DESTDIR)$(SHAREDIR)/corpus/
	install -d $(DESTDIR)$(SHAREDIR)/systemd
	sed 's|/usr/local/bin/pcmon|$(BINDIR)/pcmon|' config/systemd/pcmon.service \
		> $(DESTDIR)$(SHAREDIR)/systemd/pcmon.service
	install -m 644 config/systemd/pcmon.timer $(DESTDIR)$(SHAREDIR)/systemd/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pcmon $(DESTDIR)$(MANDIR)/pcmon.1
	rm -rf $(DESTDIR)$(SHAREDIR)

clean:
	rm -rf build pcmon

.PHONY: all pcmon gazetteer units test test-run demo check deps check-banned format-check bench-parse bench-crawl bench-classify bench-countries bench-langid bench-spikes bench-stories bench-scale fuzz valgrind model install uninstall clean
