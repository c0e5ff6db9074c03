# The two commands of the README: `make demo` runs a simulated hall, `make test` runs the suite.
# Both work on a fresh Debian/Ubuntu machine with Python 3.11+: they install what they need.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
ARGS   ?=
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup demo broker-deps test test-deps bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

setup: $(VENV)/.installed

# the demo runs on a real Mosquitto (started on a free port); the embedded amqtt broker is
# only the fallback where it cannot be installed
demo: setup broker-deps
	$(VENV)/bin/hallmesh demo $(ARGS)

broker-deps:
	@if ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then \
		echo "installing mosquitto"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q mosquitto \
		|| echo "could not install mosquitto: the demo uses the embedded amqtt broker"; fi

# Mosquitto (the real broker the integration tests start on free ports), Node.js (which runs
# the official MicroPython WebAssembly build), a CJK bitmap font, a CJK chart font and Chromium (a real browser
# for the ticket status page) come from the system's packages when absent.
test-deps: setup
	@if ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then \
		echo "installing mosquitto"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q mosquitto; fi
	@if [ ! -f /usr/share/fonts/opentype/unifont/unifont.otf ]; then \
		echo "installing fonts-unifont"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q fonts-unifont; fi
	@if [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then \
		echo "installing fonts-noto-cjk (Chinese text on the report charts)"; \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q fonts-noto-cjk; fi
	@if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then \
		echo "installing chromium (the ticket status page is tested in a real browser)"; \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; fi
	@if ! command -v chromedriver >/dev/null; then \
		echo "installing chromium-driver (the console's browser tests drive Chromium with Selenium)"; \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium-driver; fi
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing postgresql (the city replication tests start their own server)"; \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql; fi
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "installing nodejs"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nodejs npm; fi
	@if [ ! -d tools/upy/node_modules/@micropython/micropython-webassembly-pyscript ]; then \
		cd tools/upy && npm ci --silent --no-audit --no-fund; fi

test: test-deps
	$(PY) -m pytest -q $(ARGS)

bench: test-deps
	$(PY) -m bench $(ARGS)

clean:
	rm -rf $(VENV) tools/upy/node_modules build run
