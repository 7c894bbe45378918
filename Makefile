# Phonebar build helpers. `make demo` and `make test` are the two commands of the README.
SHELL := /bin/bash
GO ?= go
TAGS := webkit2_41
# The version, from the git tags (build/version says how): v1.2.3, or v1.2.3-4-gHASH after the tag.
VERSION ?= $(shell ./build/version 2>/dev/null || echo v0.0.0-dev)
DEB_VERSION = $(shell VERSION=$(VERSION) ./build/version deb)
LDFLAGS := -w -s -X github.com/phonebar/phonebar/internal/buildinfo.Version=$(VERSION)
BIN := build/bin/phonebar

.PHONY: deps libs frontend build demo test test-unit vet cross bench bench-latency bench-cpu clean deb

deps:
	@./.ci/deps

frontend/node_modules: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend: frontend/node_modules
	cd frontend && npm run build

# The C libraries cgo links: one missing fails the build here, naming the Debian package to install,
# never a build that quietly lacks Opus or the audio processing.
libs:
	@missing=""; for p in opus:libopus-dev speexdsp:libspeexdsp-dev; do \
	  pkg-config --exists "$${p%%:*}" 2>/dev/null || missing="$$missing $${p#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "The build needs C libraries that are not installed. Install them with: apt-get install$$missing" >&2; \
	  echo "(or run 'make deps', which installs everything the build and tests need)" >&2; exit 1; fi

build: libs frontend
	$(GO) build -buildmode=pie -tags desktop,production,$(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .

# Installs what is missing, builds, and opens the window against the embedded demo server. Without a
# display it runs under a private Xvfb and says how to look at it.
demo: deps build
	@./.ci/demo $(BIN)

# The whole suite, on real services (Xvfb, Secret Service, PulseAudio; Kamailio and Chromium are
# started by the tests that use them). Missing components fail, they are never skipped. Packages run
# one at a time (-p 1): they share one audio server and one display, and a tone played by one
# package's test must not reach another's microphone.
test: deps build bindings-check
	PHONEBAR_REQUIRE_REAL=1 PHONEBAR_BIN=$(CURDIR)/$(BIN) ./.ci/with-services $(GO) test -tags $(TAGS) -p 1 -count=1 -timeout 15m ./...

test-unit:
	$(GO) test -tags $(TAGS) ./...

vet:
	$(GO) vet -tags $(TAGS) ./...
	GOOS=windows CGO_ENABLED=0 $(GO) vet ./...
	GOOS=darwin CGO_ENABLED=0 $(GO) vet ./...

bench: deps build
	PHONEBAR_REQUIRE_REAL=1 PHONEBAR_BIN=$(CURDIR)/$(BIN) ./.ci/with-services $(GO) test -tags $(TAGS) -run '^$$' -bench '$(or $(BENCH),.)' -benchmem ./...

# The Debian package: build/bin/phonebar_$(DEB_VERSION)_amd64.deb (see build/linux/mkdeb).
deb: build
	./build/linux/mkdeb $(BIN) $(DEB_VERSION) build/bin

# The delay a call adds between a microphone and the far end's speaker (network excluded): the
# Phonebar's with PCMU and Opus against Chromium's WebRTC pipeline, in one run on real PulseAudio.
bench-latency:
	PHONEBAR_REQUIRE_REAL=1 ./.ci/with-services $(GO) test -run '^$$' -bench AddedLatency -benchtime 20x ./internal/callaudio/

bench-cpu:
	PHONEBAR_REQUIRE_REAL=1 ./.ci/with-services $(GO) test -run '^$$' -bench MediaCPU -benchtime 3x ./internal/callaudio/
	PHONEBAR_REQUIRE_REAL=1 ./.ci/with-services $(GO) test -run '^$$' -bench CallCPU -benchtime 3x ./internal/cli/

# Every release artefact under versioned names in build/release/ (Linux binary, deb, Windows exe, console
# twin and installer, CycloneDX SBOM, SHA256SUMS); fails if one is missing. See .ci/release.
.PHONY: release
release: build deb windows
	./.ci/release $(VERSION) $(DEB_VERSION)

# macOS: `make macos` on a macOS runner (see build/darwin/build: universal .app, static libopus, signing
# and notarisation hooks). Here, `make macos-headless` builds the headless commands for macOS without cgo.
.PHONY: macos macos-headless
macos: frontend
	./build/darwin/build $(VERSION)

macos-headless: frontend
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o build/bin/darwin-headless/phonebar-arm64 .
	GOOS=darwin GOARCH=amd64 CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o build/bin/darwin-headless/phonebar-amd64 .

clean:
	rm -rf build/bin frontend/dist

# --- internal/rtctest: the JsSIP bundle of the real-peer test rig (node_modules is never committed) ---
RTCTEST_JSSIP := internal/rtctest/testdata/jssip
test bench: $(RTCTEST_JSSIP)/dist/jssip.js
$(RTCTEST_JSSIP)/dist/jssip.js: $(RTCTEST_JSSIP)/package.json $(RTCTEST_JSSIP)/package-lock.json $(RTCTEST_JSSIP)/entry.js
	cd $(RTCTEST_JSSIP) && npm ci --no-audit --no-fund && npm run build

# --- Windows (cross-built here with MinGW-w64 and NSIS; see build/windows/ and .ci/windows/) ---
# phonebar.exe is the GUI build (Start menu, double-click); phonebar.com is its console twin, which cmd
# and PowerShell run for `phonebar COMMAND` (PATHEXT puts .COM first), wait for, and take the exit code
# of. The static libopus is built once from Debian's opus source and cached in ~/.cache/phonebar.
WIN_EXE := build/bin/phonebar.exe
WIN_COM := build/bin/phonebar.com
WIN_INSTALLER := build/bin/phonebar-amd64-installer.exe
.PHONY: windows test-windows windows-tools

windows-tools:
	@command -v x86_64-w64-mingw32-gcc >/dev/null || { echo "make windows: the MinGW-w64 cross-compiler is missing: apt-get install gcc-mingw-w64-x86-64 (or make deps)" >&2; exit 1; }
	@command -v makensis >/dev/null || { echo "make windows: NSIS is missing: apt-get install nsis (or make deps)" >&2; exit 1; }
	@command -v 7z >/dev/null || { echo "make windows: 7z (to check the installer) is missing: apt-get install p7zip-full (or make deps)" >&2; exit 1; }

windows: windows-tools frontend
	./.ci/windows/build exe $(WIN_EXE) $(VERSION) windowsgui
	./.ci/windows/build exe $(WIN_COM) $(VERSION) console
	./.ci/windows/build installer $(VERSION) $(WIN_EXE) $(WIN_COM) $(WIN_INSTALLER)
	./.ci/windows/check-release $(WIN_EXE) $(WIN_COM) $(WIN_INSTALLER)

# The Windows build under Wine 8 (private prefix; Wine-only shims from .ci/wine/ in the test build only):
# version and exit codes, login --save into Wine's Credential Manager, tone calls to the demo server's
# PBX with PCMU, PCMA and Opus, DTMF, mic-check against PulseAudio, go test -exec wine for the packages
# with Windows-only code, and a silent install and uninstall. Prints a results table.
test-windows: windows build
	VERSION=$(VERSION) PHONEBAR_BIN=$(CURDIR)/$(BIN) ./.ci/with-services ./.ci/windows/test

# --- the window's typed bridge: frontend/wailsjs is generated by the Wails CLI from the bound Go
# services and their DTOs, and committed (so that tsc, in `npm run build`, checks every call and
# model). `make bindings` writes it again; `make bindings-check` (part of `make test`) fails when the
# committed files are stale, i.e. a Go DTO or bound method changed without them.
WAILS_VERSION := v2.13.0
WAILS := $(shell $(GO) env GOPATH)/bin/wails
.PHONY: bindings bindings-check
$(WAILS):
	$(GO) install github.com/wailsapp/wails/v2/cmd/wails@$(WAILS_VERSION)
bindings: $(WAILS) frontend/node_modules
	$(WAILS) generate module -tags $(TAGS)
bindings-check: bindings
	@git diff --exit-code --stat -- frontend/wailsjs || { echo "frontend/wailsjs is stale: run make bindings and commit it" >&2; exit 1; }
	@test -z "$$(git ls-files --others --exclude-standard -- frontend/wailsjs)" || { echo "frontend/wailsjs has new files: run make bindings and commit them" >&2; exit 1; }
	cd frontend && npx tsc --noEmit
