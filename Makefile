# convcalc - Makefile. `make run` and `make test` are all a newcomer needs:
# both install the Debian packages that are missing (as root; otherwise they
# print the apt-get command), build, and run.

# Build on every online CPU unless -j was given (make test and make run
# spend most of their build time compiling two trees of objects).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
LIBDIR   = $(PREFIX)/lib
INCDIR   = $(PREFIX)/include
MANDIR   = $(PREFIX)/share/man
DATADIR  = $(PREFIX)/share/convcalc

VERSION  = 0.1.0
CC      ?= cc
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     = -Wall -Wextra -Werror
INCS     = -Iinclude -Isrc
DEFS     = -DCONVCALC_VERSION='"$(VERSION)"' -DCONVCALC_DATADIR='"$(DATADIR)"'
CFLAGS  ?= -O2 -g
LIBS     = -lprotobuf-c -lncursesw -ltinfo -lopenblas -ldnnl -lgomp -lcjson -lz -lm -lpthread
# libzip: PyTorch .pt archives; libpng: PNG images for `convcalc infer`
LIBS    += -lzip -lpng
# float-cast-overflow: part of clang's -fsanitize=undefined but not of gcc's
SANITIZE = -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined,float-cast-overflow

# Debian packages: what building, testing and the default data set need.
DEB_PKGS = gcc make libc6-dev pkg-config libncurses-dev libcmocka-dev zlib1g-dev \
           libopenblas-dev libdnnl-dev libcjson-dev tmux valgrind dataset-fashion-mnist \
           libonnx-testdata texlive-latex-base texlive-latex-recommended \
           libxml2-utils librsvg2-bin w3c-sgml-lib
# ONNX: C for Debian's onnx.proto is generated at build time by protoc-c.
DEB_PKGS += libprotobuf-c-dev protobuf-c-compiler libonnx-dev
DEB_PKGS += libzip-dev libpng-dev

LIB_SRC  = $(wildcard src/core/*.c src/engine/*.c src/check/*.c)
FE_SRC   = $(filter-out src/cli/main.c,$(wildcard src/cli/*.c src/tui/*.c))
TEST_SRC = $(wildcard tests/unit/test_*.c)
HDRS     = $(wildcard include/convcalc/*.h src/*/*.h tests/unit/*.h) build/gen/onnx.pb-c.h
ONNX_PROTO = /usr/include/onnx/onnx.proto
INCS    += -Ibuild/gen

# Release objects (PIC, for both libraries) and sanitizer objects for tests.
OBJ      = $(LIB_SRC:%.c=build/obj/%.o) build/obj/gen/onnx.pb-c.o
FE_OBJ   = $(FE_SRC:%.c=build/obj/%.o)
AOBJ     = $(LIB_SRC:%.c=build/asan/obj/%.o) build/asan/obj/gen/onnx.pb-c.o
AFE_OBJ  = $(FE_SRC:%.c=build/asan/obj/%.o)
TESTS    = $(TEST_SRC:tests/unit/%.c=build/asan/tests/%)

# Fuzz harnesses: one per parser (tests/fuzz/fuzz_NAME.c). `make test` runs
# each for a few seconds through a plain driver built like the unit tests;
# `make fuzz` builds them with clang's libFuzzer and runs each for
# FUZZ_SECONDS.
FUZZ_SRC     = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_HDRS    = $(wildcard tests/fuzz/*.h)
FUZZ_SMOKE   = $(FUZZ_SRC:tests/fuzz/%.c=build/asan/fuzz/%)
FUZZ_BINS    = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_DEFS    = -DFUZZ_EXERCISES='"$(CURDIR)/exercises"'
FUZZ_SECONDS ?= 60
SMOKE_SECONDS ?= 2
FUZZ_CC      = clang
FUZZ_SAN     = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_PKGS    = clang libclang-rt-14-dev
FOBJ         = $(LIB_SRC:%.c=build/fuzz/obj/%.o) build/fuzz/obj/gen/onnx.pb-c.o

.PHONY: all run test unit cli-test tui-test valgrind deps install uninstall clean bench \
        fuzz fuzz-smoke fuzz-deps
all: build/convcalc build/libconvcalc.a build/libconvcalc.so

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "convcalc needs these Debian packages; install them with:"; \
	    echo "  sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

# Objects depend on this stamp, which changes only when PREFIX (so
# CONVCALC_DATADIR) or VERSION does: `make install PREFIX=/x` after a plain
# `make` rebuilds instead of installing a program that looks in /usr/local.
CONFIG_STAMP = build/config.stamp
$(CONFIG_STAMP): FORCE
	@mkdir -p build; echo "$(DATADIR) $(VERSION)" | cmp -s - $@ || echo "$(DATADIR) $(VERSION)" > $@
.PHONY: FORCE
FORCE:

# The protobuf-c code for onnx.proto (generated, so built without -Werror).
build/gen/onnx.pb-c.c build/gen/onnx.pb-c.h &: | deps
	@mkdir -p build/gen
	protoc-c --c_out=build/gen --proto_path=$(dir $(ONNX_PROTO)) $(notdir $(ONNX_PROTO))

build/obj/gen/onnx.pb-c.o: build/gen/onnx.pb-c.c build/gen/onnx.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CFLAGS) -fPIC -Ibuild/gen -c $< -o $@

build/asan/obj/gen/onnx.pb-c.o: build/gen/onnx.pb-c.c build/gen/onnx.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) -O1 -g $(SANITIZE) -Ibuild/gen -c $< -o $@

build/fuzz/obj/gen/onnx.pb-c.o: build/gen/onnx.pb-c.c build/gen/onnx.pb-c.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Ibuild/gen -c $< -o $@

build/obj/%.o: %.c $(HDRS) $(CONFIG_STAMP) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -fPIC $(INCS) $(DEFS) -c $< -o $@

build/asan/obj/%.o: %.c $(HDRS) $(CONFIG_STAMP) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SANITIZE) $(INCS) $(DEFS) -c $< -o $@

build/libconvcalc.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

build/libconvcalc.so: $(OBJ)
	$(CC) -shared -Wl,-soname,libconvcalc.so.0 -o $@ $^ $(LIBS)

build/convcalc: build/obj/src/cli/main.o $(FE_OBJ) build/libconvcalc.a
	$(CC) $(CFLAGS) -o $@ build/obj/src/cli/main.o $(FE_OBJ) build/libconvcalc.a $(LIBS)

build/asan/libconvcalc.a: $(AOBJ)
	@rm -f $@
	ar rcs $@ $^

build/asan/libfe.a: $(AFE_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/asan/convcalc: build/asan/obj/src/cli/main.o build/asan/libfe.a build/asan/libconvcalc.a
	$(CC) $(SANITIZE) -o $@ $^ $(LIBS)

build/asan/tests/%: tests/unit/%.c build/asan/libfe.a build/asan/libconvcalc.a $(HDRS) $(CONFIG_STAMP) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SANITIZE) $(INCS) $(DEFS) -o $@ $< \
	  build/asan/libfe.a build/asan/libconvcalc.a -lcmocka $(LIBS)

build/asan/fuzz/%: tests/fuzz/%.c tests/fuzz/smoke_main.c $(FUZZ_HDRS) build/asan/libconvcalc.a $(HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SANITIZE) $(INCS) $(DEFS) $(FUZZ_DEFS) -o $@ $< \
	  tests/fuzz/smoke_main.c build/asan/libconvcalc.a $(LIBS)

fuzz-smoke: $(FUZZ_SMOKE) build/convcalc
	@tests/fuzz/run.sh smoke build/asan/fuzz $(SMOKE_SECONDS)

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(FUZZ_PKGS)"

build/fuzz/obj/%.o: %.c $(HDRS) $(CONFIG_STAMP) | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) $(WARN) -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(INCS) $(DEFS) -c $< -o $@

build/fuzz/libconvcalc.a: $(FOBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/%: tests/fuzz/%.c $(FUZZ_HDRS) build/fuzz/libconvcalc.a | fuzz-deps
	$(FUZZ_CC) $(CSTD) $(WARN) -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) $(INCS) $(DEFS) $(FUZZ_DEFS) \
	  -o $@ $< build/fuzz/libconvcalc.a $(LIBS)

# Each harness for FUZZ_SECONDS (default 60): `make fuzz FUZZ_SECONDS=600`;
# FUZZ_ONLY="onnx pickle" runs only those.
fuzz: $(FUZZ_BINS) build/convcalc
	@echo "make fuzz: FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$${FUZZ_JOBS:-1}, $$(date -u +%Y-%m-%dT%H:%MZ), load $$(cut -d" " -f1-3 /proc/loadavg)"
	@tests/fuzz/run.sh long build/fuzz $(FUZZ_SECONDS) $(FUZZ_ONLY)

run: deps build/convcalc
	./build/convcalc

# Every test: cmocka unit tests and CLI golden tests under ASan/UBSan, the
# CLI golden tests again under valgrind, and the TUI driven in tmux.
test: deps build/convcalc build/asan/convcalc $(TESTS) $(FUZZ_SMOKE)
	@tests/run-all.sh

unit: $(TESTS)
	@tests/run-unit.sh $(TESTS)

cli-test: build/asan/convcalc
	@tests/cli/run.sh build/asan/convcalc

tui-test: build/asan/convcalc
	@tests/tui/run.sh build/asan/convcalc

valgrind: build/convcalc
	@tests/cli/run.sh --valgrind build/convcalc

bench: build/convcalc
	@tests/bench/run.sh

# pkg-config file: `cc $$(pkg-config --cflags --libs convcalc)` links against
# the installed shared library; `--static` adds what the archive needs.
build/convcalc.pc: Makefile $(CONFIG_STAMP)
	@mkdir -p build
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' \
	  'Name: convcalc' 'Description: CNN arithmetic, worked convolutions, grading and a reference CNN engine' \
	  'Version: $(VERSION)' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lconvcalc' \
	  'Libs.private: $(LIBS)' > $@

install: all build/convcalc.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)/convcalc \
	  $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/exercises
	install -m 755 build/convcalc $(DESTDIR)$(BINDIR)/convcalc
	install -m 644 build/libconvcalc.a $(DESTDIR)$(LIBDIR)/libconvcalc.a
	install -m 755 build/libconvcalc.so $(DESTDIR)$(LIBDIR)/libconvcalc.so.0
	ln -sf libconvcalc.so.0 $(DESTDIR)$(LIBDIR)/libconvcalc.so
	install -m 644 build/convcalc.pc $(DESTDIR)$(LIBDIR)/pkgconfig/convcalc.pc
	install -m 644 include/convcalc/*.h $(DESTDIR)$(INCDIR)/convcalc/
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	for f in man/*.5; do [ -e "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(MANDIR)/man5/ || true; done
	for f in exercises/*; do [ -f "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(DATADIR)/exercises/ || true; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/convcalc $(DESTDIR)$(LIBDIR)/libconvcalc.a \
	  $(DESTDIR)$(LIBDIR)/libconvcalc.so $(DESTDIR)$(LIBDIR)/libconvcalc.so.0 \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/convcalc.pc
	rm -rf $(DESTDIR)$(INCDIR)/convcalc $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/convcalc.1
	for f in man/*.5; do [ -e "$$f" ] && rm -f $(DESTDIR)$(MANDIR)/man5/$$(basename $$f) || true; done

clean:
	rm -rf build
