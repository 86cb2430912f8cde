#!/usr/bin/env bash
# Packs .device/ for bench/device.sh (run here, from the project root, before a GPU call):
#   bash bench/device_prepare.sh
# 1. ../shared/device/prepare.sh: Deno, the Vulkan loader, the dependency cache, on-device.sh;
# 2. the GL/EGL loader packages the NVIDIA Vulkan driver needs beside libvulkan1 (without them
#    Deno sees no adapter there);
# 3. drops the TensorFlow.js packages (~300 MB) from the cache, since a device call carries at
#    most 64 MiB, and writes .device/deno.json, the project's config without their imports;
# 4. copies the PyTorch peer, torch_baseline.py;
# 5. checks that the bench and the tests resolve from the pruned cache alone.
# Then: run(command: "source .device/on-device.sh && bash bench/device.sh", carry: [".device"]).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
bash ../shared/device/prepare.sh
lists=$(mktemp -d)
mkdir -p "$lists/partial"
o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
if ! ls .device/debs/libglvnd0_*.deb >/dev/null 2>&1; then
  apt-get $o update >/dev/null 2>&1
  (cd .device/debs && apt-get $o download libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 \
    >/dev/null 2>&1)
fi
npm=.device/deno_dir/npm/registry.npmjs.org
rm -rf "$npm/@tensorflow" "$npm/core-js" "$npm/seedrandom" "$npm/long" "$npm/node-fetch" \
  "$npm/regenerator-runtime" "$npm/yargs" "$npm/yargs-parser" "$npm/@types/offscreencanvas" \
  "$npm/@types/seedrandom"
grep -v tensorflow deno.json > .device/deno.json
cp ../shared/device/torch_baseline.py .device/
DENO_DIR="$root/.device/deno_dir" deno run --cached-only --no-lock --config .device/deno.json -A \
  bench/bench.ts --help >/dev/null
DENO_DIR="$root/.device/deno_dir" deno test --cached-only --no-lock --config .device/deno.json \
  --no-check --no-run -A tests/ bench/profile_step.ts bench/attention_tiles.ts \
  bench/matmul_variants/bench.ts >/dev/null
du -sh .device
