# torc-cgi: build, test, install.
#
# Everything is built under build/, laid out as installed, so
# build/sbin/torc-server run works from a checkout.  Folders are globbed:
# adding lib/foo.c, cgi-bin/bar.c or tests/unit/test_baz.c needs no edit here.
# Local overrides go in config.mak (CC, CFLAGS, PREFIX, ...).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/lib/torc
CGIDIR ?= $(LIBEXECDIR)/cgi-bin
SHAREDIR ?= $(PREFIX)/share/torc
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/torc-cgi
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
-include config.mak

WARNINGS = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	-Wformat-security -Wvla -Wwrite-strings -Wpointer-arith -fno-common
CFLAGS_AUTO = -std=c11 -D_DEFAULT_SOURCE $(WARNINGS) -Ilib -MMD -MP \
	-DTORC_VERSION='"$(VERSION)"'
ifeq ($(DEVELOPER),1)
CFLAGS_AUTO += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS_AUTO += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = $(CFLAGS_AUTO) $(CFLAGS)

VERSION = 0.10.0
B = build
LIBS_CORE = -ldb -lcjson -lcrypto -lcrypt
# Every request execs a CGI, and the dynamic linker relocating libdb and
# libcrypto cost more than a read's own work (docs/performance.md): the CGIs
# carry those two and libxcrypt inside.  STATIC_DEPS=0 links them as the
# tools do.
ifeq ($(STATIC_DEPS),0)
LIBS_CGI = $(LIBS_CORE)
else
LIBS_CGI = -Wl,-Bstatic -ldb -lcrypto -lcrypt -Wl,-Bdynamic -lcjson -lpthread
endif
LIBS_CLI = -lcurl -lyaml -lcjson -lcrypto

ifneq ($(V),1)
Q = @
QCC = @echo "  CC      $@";
QLD = @echo "  LD      $@";
QAR = @echo "  AR      $@";
endif

LIB_SRCS = $(wildcard lib/*.c)
LIB_OBJS = $(LIB_SRCS:%.c=$(B)/obj/%.o)
CGI_SRCS = $(wildcard cgi-bin/*.c)
CGI_BINS = $(CGI_SRCS:cgi-bin/%.c=$(B)/cgi-bin/torc-service/v1/%)
SBIN_SRCS = $(wildcard sbin/*.c)
SBIN_BINS = $(SBIN_SRCS:sbin/%.c=$(B)/sbin/%)
CLI_SRCS = $(wildcard bin/torc/*.c)
CLI_OBJS = $(CLI_SRCS:%.c=$(B)/obj/%.o)
CLI_BIN = $(if $(wildcard bin/torc/main.c),$(B)/bin/torc)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
# Unit tests of CLI modules (test_cli_*.c) link the CLI objects too.
CLI_LIB_OBJS = $(filter-out $(B)/obj/bin/torc/main.o,$(CLI_OBJS))

.PHONY: all deps test unit bats chaos bench demo lint install uninstall clean valgrind

# Test helpers built as LD_PRELOAD libraries (tests/fixtures/*.c).
TEST_LIBS = $(patsubst tests/fixtures/%.c,$(B)/tests/%.so,$(wildcard tests/fixtures/*.c))

all: $(B)/libtorc.a $(CGI_BINS) $(SBIN_BINS) $(CLI_BIN) $(UNIT_BINS) $(TEST_LIBS)

$(B)/tests/%.so: tests/fixtures/%.c
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< -ldl

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libtorc.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(QAR)rm -f $@ && ar rcs $@ $^

$(B)/cgi-bin/torc-service/v1/%: $(B)/obj/cgi-bin/%.o $(B)/libtorc.a
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $< $(B)/libtorc.a $(LIBS_CGI)

$(B)/sbin/%: $(B)/obj/sbin/%.o $(B)/libtorc.a
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $< $(B)/libtorc.a $(LIBS_CORE)

$(B)/bin/torc: $(CLI_OBJS) $(B)/libtorc.a
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(B)/libtorc.a $(LIBS_CLI) $(LIBS_CORE)

$(B)/tests/unit/test_cli_%: $(B)/obj/tests/unit/test_cli_%.o $(CLI_LIB_OBJS) $(B)/libtorc.a
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $< $(CLI_LIB_OBJS) $(B)/libtorc.a $(LIBS_CLI) $(LIBS_CORE)

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(B)/libtorc.a
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $< $(B)/libtorc.a $(LIBS_CORE)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# Debian packages the project needs to build, test and demo.
DEB_PKGS = build-essential libdb5.3-dev db5.3-util libcjson-dev libssl-dev \
	libcrypt-dev libcurl4-openssl-dev libyaml-dev lighttpd busybox \
	apache2-utils bats jq curl python3 python3-jsonschema python3-yaml \
	openssl procps lighttpd-mod-openssl apache2 nginx fcgiwrap systemd libfcgi-bin
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all packages present"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "deps: missing packages; run:"; \
	  echo "  sudo apt-get install -y$$missing"; exit 1; \
	fi

unit: all
	@pass=0; fail=0; for t in $(UNIT_BINS); do \
	  if $$t; then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	done; echo "unit programs: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

bats: all
	bats $(BATS_FLAGS) tests/bats

test: all
	tests/run-all

chaos: all
	tests/chaos/run

bench: all
	tests/bench/run

demo:
	share/examples/demo.sh

lint:
	@! grep -nE '\b(printf|puts|fwrite|write)\(' cgi-bin/*.c || { echo "lint: raw output in cgi-bin"; exit 1; }
	@! grep -nE '\batoi\(|\batol\(|\bsprintf\(|\bstrcpy\(' lib/*.c sbin/*.c bin/torc/*.c || { echo "lint: unsafe call"; exit 1; }
	@echo "lint: ok"

valgrind: all
	VALGRIND=1 bats tests/bats

# What make install puts where (make uninstall removes exactly these):
# programs, CGIs (torc-server finds them at $(SBINDIR)/../lib/torc/cgi-bin,
# else pass --cgi-dir), man pages, share/ (recipes, examples and
# torc.toml.example) under $(SHAREDIR), the pages of docs/ under $(DOCDIR),
# systemd units with their paths set to $(SBINDIR), sysusers and tmpfiles
# snippets.  Nothing goes to $(SYSCONFDIR): copy torc.toml.example there.
SHARE_FILES = $(shell find share -type f 2>/dev/null | LC_ALL=C sort)
DOC_FILES = README.md $(shell find docs -type f -name '*.md' 2>/dev/null | LC_ALL=C sort)
MAN1_FILES = $(wildcard docs/*.1)
MAN8_FILES = $(wildcard docs/*.8)
UNIT_FILES = $(wildcard systemd/*.service systemd/*.socket systemd/*.timer systemd/*.path)
# Snippets as systemd/NAME.tmpfiles or systemd/tmpfiles.d/NAME.conf, both
# installed as NAME.conf (the same for sysusers).
TMPFILES_FILES = $(wildcard systemd/tmpfiles.d/*.conf systemd/*.tmpfiles)
SYSUSERS_FILES = $(wildcard systemd/sysusers.d/*.conf systemd/*.sysusers)
TMPFILES_NAMES = $(patsubst %.tmpfiles,%.conf,$(notdir $(TMPFILES_FILES)))
SYSUSERS_NAMES = $(patsubst %.sysusers,%.conf,$(notdir $(SYSUSERS_FILES)))
CGI_DEST = $(DESTDIR)$(CGIDIR)/torc-service/v1

install: all
	install -d $(CGI_DEST) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 755 $(CGI_BINS) $(CGI_DEST)/
	install -m 755 $(SBIN_BINS) $(DESTDIR)$(SBINDIR)/
	$(if $(CLI_BIN),install -m 755 $(CLI_BIN) $(DESTDIR)$(BINDIR)/)
	@for f in $(SHARE_FILES); do m=644; [ -x "$$f" ] && m=755; \
	  echo "install -D -m $$m $$f $(DESTDIR)$(SHAREDIR)/$${f#share/}"; \
	  install -D -m $$m "$$f" "$(DESTDIR)$(SHAREDIR)/$${f#share/}" || exit 1; done
	@for f in $(DOC_FILES); do d=$${f#docs/}; \
	  install -D -m 644 "$$f" "$(DESTDIR)$(DOCDIR)/$$d" || exit 1; done
	$(if $(MAN1_FILES),install -D -m 644 -t $(DESTDIR)$(MANDIR)/man1 $(MAN1_FILES))
	$(if $(MAN8_FILES),install -D -m 644 -t $(DESTDIR)$(MANDIR)/man8 $(MAN8_FILES))
	@for f in $(UNIT_FILES); do \
	  echo "install -D -m 644 $$f $(DESTDIR)$(UNITDIR)/$${f##*/}"; \
	  install -d "$(DESTDIR)$(UNITDIR)" && \
	  sed -e 's|/usr/sbin/torc-|$(SBINDIR)/torc-|g' -e 's|/usr/bin/torc\b|$(BINDIR)/torc|g' \
	    "$$f" >"$(DESTDIR)$(UNITDIR)/$${f##*/}" && chmod 644 "$(DESTDIR)$(UNITDIR)/$${f##*/}" || exit 1; done
	@for f in $(TMPFILES_FILES); do n=$${f##*/}; n=$${n%.tmpfiles}; n=$${n%.conf}.conf; \
	  echo "install -D -m 644 $$f $(DESTDIR)$(TMPFILESDIR)/$$n"; \
	  install -D -m 644 "$$f" "$(DESTDIR)$(TMPFILESDIR)/$$n" || exit 1; done
	@for f in $(SYSUSERS_FILES); do n=$${f##*/}; n=$${n%.sysusers}; n=$${n%.conf}.conf; \
	  echo "install -D -m 644 $$f $(DESTDIR)$(SYSUSERSDIR)/$$n"; \
	  install -D -m 644 "$$f" "$(DESTDIR)$(SYSUSERSDIR)/$$n" || exit 1; done
	@[ "$$(cd $(DESTDIR)$(SBINDIR)/.. 2>/dev/null && pwd -P)/lib/torc/cgi-bin" = \
	   "$$(cd $(DESTDIR)$(CGIDIR) 2>/dev/null && pwd -P)" ] || \
	  echo "note: CGIs are in $(CGIDIR), not beside $(SBINDIR): run torc-server with --cgi-dir $(CGIDIR)/torc-service/v1"

# Exactly what install wrote, then the folders that are torc's own if empty.
uninstall:
	rm -f $(CGI_BINS:$(B)/cgi-bin/torc-service/v1/%=$(CGI_DEST)/%)
	rm -f $(SBIN_BINS:$(B)/sbin/%=$(DESTDIR)$(SBINDIR)/%)
	$(if $(CLI_BIN),rm -f $(DESTDIR)$(BINDIR)/torc)
	rm -f $(SHARE_FILES:share/%=$(DESTDIR)$(SHAREDIR)/%)
	rm -f $(patsubst docs/%,$(DESTDIR)$(DOCDIR)/%,$(filter docs/%,$(DOC_FILES))) \
	  $(patsubst %,$(DESTDIR)$(DOCDIR)/%,$(filter-out docs/%,$(DOC_FILES)))
	rm -f $(MAN1_FILES:docs/%=$(DESTDIR)$(MANDIR)/man1/%) $(MAN8_FILES:docs/%=$(DESTDIR)$(MANDIR)/man8/%)
	rm -f $(UNIT_FILES:systemd/%=$(DESTDIR)$(UNITDIR)/%)
	rm -f $(TMPFILES_NAMES:%=$(DESTDIR)$(TMPFILESDIR)/%) $(SYSUSERS_NAMES:%=$(DESTDIR)$(SYSUSERSDIR)/%)
	for d in $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR); do \
	  [ ! -d "$$d" ] || find "$$d" -depth -type d -empty -delete; done

clean:
	rm -rf $(B)
