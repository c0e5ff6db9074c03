#!/usr/bin/env bash
# Put the hallmesh firmware and one enrolled device's config onto an ESP32 running MicroPython,
# then wait until the device comes online. Staff guide: docs/flashing.md. Examples:
#   ./flash.sh --port /dev/ttyUSB0 --device pad-5 --wifi-ssid hall-net --wifi-key KEY --broker 10.0.0.2:1883
#   ./flash.sh --batch boards-today.txt          # lines: /dev/ttyUSB0,pad-5
# Paths (--fleet, --hall, --batch, --umqtt-dir) are relative to where you run it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="$here/.venv/bin/python"
if [ ! -x "$python" ]; then
    echo "flash.sh: $here/.venv is missing: run 'make setup' in $here first" >&2
    exit 2
fi
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
exec "$python" -m gateway.fleet.flashing "$@"
