#!/usr/bin/env bash
# One call on a GPU machine (see ../shared/device/README.md), from the project root:
#   source .device/on-device.sh && bash bench/device.sh
# Runs our bench (gpt2-small included on a hardware adapter), the PyTorch peer's GEMMs and DPO
# step, and the comparison against the NVIDIA targets; everything lands in $OUT (or bench-out/).
# Needs .device/torch_baseline.py (copy ../shared/device/torch_baseline.py there before packing).
# BENCH_ARGS (default --quick, so the whole call fits one 10-minute device command) goes to the bench.
set -u
out="${OUT:-bench-out}"
mkdir -p "$out"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true
timeout 420 deno task bench --json ${BENCH_ARGS:---quick} > "$out/ours.jsonl" 2> "$out/ours.stderr"
echo "bench exit $?" >> "$out/status.txt"
timeout 60 python3 .device/torch_baseline.py matmul > "$out/torch.jsonl" 2> "$out/torch.stderr"
echo "torch matmul exit $?" >> "$out/status.txt"
timeout 90 python3 .device/torch_baseline.py dpo >> "$out/torch.jsonl" 2>> "$out/torch.stderr"
echo "torch dpo exit $?" >> "$out/status.txt"
deno run -A bench/compare_torch.ts "$out/ours.jsonl" "$out/torch.jsonl" | tee "$out/compare.md"
