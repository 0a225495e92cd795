# roost - build, test, bench.
#   make            roostfs (release, build/)
#   make unit       build and run the C unit tests
#   make test       everything: unit tests (release, ASan+UBSan, valgrind on
#                   one pass) + integration tests that mount for real
#   make bench      ingest/size/query comparison with the peers of shared/bench
CC      ?= gcc
PKGS    := fuse3 liblz4 inih libpcre2-8
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow=local
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DFUSE_USE_VERSION=314 -DRS_HAVE_PCRE2 $(WARN) -g -pthread $(PKG_CFLAGS)
OPT     ?= -O2
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LIBS    := $(PKG_LIBS) -llz4 -lm -pthread

-include local.mk	# developer overrides, not in git
# ENGINE_DIRS limits which engine modules build (default: all of them)
ENGINE_DIRS ?= $(notdir $(wildcard engine/*))
ENGINE_SRC := $(sort $(foreach d,$(ENGINE_DIRS),$(shell find engine/$(d) -name '*.c')))
FS_SRC     := $(sort $(wildcard fs/*.c))
MOUNT_SRC  := $(sort $(wildcard mount/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))

# release objects in build/, sanitizer objects in build-asan/
define objs
$(patsubst %.c,$(1)/%.o,$(2))
endef

all: build/roostfs

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT) -MMD -MP -c $< -o $@

build-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 $(SAN) -MMD -MP -c $< -o $@

# the archive is rebuilt when the module list changes, not only its objects
LIBSTAMP = $(shell mkdir -p build && echo '$(ENGINE_DIRS)' | cmp -s - build/.modules || echo '$(ENGINE_DIRS)' >build/.modules; echo build/.modules)

build/libroost.a: $(call objs,build,$(ENGINE_SRC)) $(LIBSTAMP)
	@rm -f $@; ar rcs $@ $(filter %.o,$^)

build-asan/libroost.a: $(call objs,build-asan,$(ENGINE_SRC)) $(LIBSTAMP)
	@rm -f $@; ar rcs $@ $(filter %.o,$^)

build/roostfs: $(call objs,build,$(MOUNT_SRC) $(FS_SRC)) build/libroost.a
	$(CC) $(OPT) -o $@ $^ $(LIBS)

build-asan/roostfs: $(call objs,build-asan,$(MOUNT_SRC) $(FS_SRC)) build-asan/libroost.a
	$(CC) $(SAN) -o $@ $^ $(LIBS)

build/tests/%: build/tests/unit/%.o build/libroost.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LIBS)

build-asan/tests/%: build-asan/tests/unit/%.o build-asan/libroost.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LIBS)

# the config test also needs mount/config.c
build/tests/test_config: build/mount/config.o
build-asan/tests/test_config: build-asan/mount/config.o

UNIT_BIN      := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
UNIT_BIN_ASAN := $(patsubst tests/unit/%.c,build-asan/tests/%,$(UNIT_SRC))

unit: $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

unit-asan: $(UNIT_BIN_ASAN)
	@scripts/run-unit.sh $(UNIT_BIN_ASAN)

unit-valgrind: $(UNIT_BIN)
	@VALGRIND=1 scripts/run-unit.sh $(UNIT_BIN)

integration: build/roostfs
	@scripts/run-integration.sh build/roostfs

# the sanitizer pass runs the same tests on smaller data (10M rows of the
# big-file test run in the release pass)
integration-asan: build-asan/roostfs
	@ROOST_SANITIZED=1 BIG_ROWS=1000000 CRASH_RUNS=10 scripts/run-integration.sh build-asan/roostfs

# builds in parallel, test passes one after the other (timing-sensitive
# tests such as tail -f must not compete with a second suite for 2 cores)
test:
	$(MAKE) build/libroost.a build-asan/libroost.a
	$(MAKE) build/roostfs build-asan/roostfs $(UNIT_BIN) $(UNIT_BIN_ASAN)
	$(MAKE) -j1 unit
	$(MAKE) -j1 unit-asan
	$(MAKE) -j1 unit-valgrind
	$(MAKE) -j1 integration
	$(MAKE) -j1 integration-asan
	@scripts/check-size.sh

bench: build/roostfs
	@scripts/bench.sh

clean:
	rm -rf build build-asan

.PHONY: all unit unit-asan unit-valgrind integration integration-asan test bench clean
.SECONDARY:

-include $(shell find build build-asan -name '*.d' 2>/dev/null)
