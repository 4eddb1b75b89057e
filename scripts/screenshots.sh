#!/usr/bin/env bash
# Regenerates screenshots/*.svg from the real rendering code on the demo swarm.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet --example screenshots -- screenshots
