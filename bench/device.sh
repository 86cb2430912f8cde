#!/usr/bin/env bash
# One call on a GPU machine (see ../shared/device/README.md), from the project root:
#   source .device/on-device.sh && bash bench/device.sh
# 1. the kernel and model tests on the GPU's adapter (correctness first);
# 2. the matmul variants against the launcher at big shapes (bench/matmul_variants, --ab: 30
#    the rolled k loop, 31 unrolled like the launcher, 32/34 two stages, 35 64 × 128 blocks);
# 3. our bench (gpt2-small included on a hardware adapter; no TensorFlow.js peers there);
# 4. the PyTorch peer's GEMMs and DPO step, and the comparison against the NVIDIA targets;
# 5. attention forward and backward at gpt2-small's shape for every tile and 1 or 2 rows per
#    invocation, and with the products design (bench/attention_tiles.ts);
# 6. where a gpt2-small DPO step's GPU time goes, per kernel (bench/profile_step.ts): the default
#    step, a LoRA r 8 step (as fast as the full step in G7 though it skips every frozen weight's
#    gradient: which of its extra dispatches cost the time) and a checkpointed one;
# 7. the step's products with K cut into 1–12 slices, and the PyTorch GEMMs (bench/matmul_waves.ts:
#    wave quantization);
# 8. the same shapes with C's row or column blocks on the fastest grid axis (bench/matmul_grid.ts).
# Everything lands in $OUT (or bench-out/). Needs .device/torch_baseline.py (copy
# ../shared/device/torch_baseline.py there before packing). When .device/deno.json exists (the
# project's config without the TensorFlow.js imports, whose 300 MB cache does not travel), Deno
# runs with it. BENCH_ARGS (default --quick) goes to the bench; STEPS picks the parts (12345678).
set -u
out="${OUT:-bench-out}"
mkdir -p "$out"
steps="${STEPS:-12345678}"
cfg=()
[ -f .device/deno.json ] && cfg=(--no-lock --config .device/deno.json)
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true
if [[ $steps == *1* ]]; then
  timeout "${TEST_TIMEOUT:-90}" deno test -A "${cfg[@]}" tests/matmul_test.ts \
    tests/attention_test.ts tests/log_softmax_test.ts tests/reduce_test.ts tests/adamw_test.ts \
    tests/norm_test.ts tests/dpo_test.ts tests/transformer_test.ts tests/flat_test.ts \
    tests/embedding_test.ts tests/activation_test.ts tests/rope_test.ts tests/residual_test.ts \
    tests/decode_test.ts tests/gpu_test.ts \
    > "$out/tests.txt" 2>&1
  echo "tests exit $?" | tee -a "$out/status.txt"
  grep -E "^(ok|FAILED)|passed|failed" "$out/tests.txt" | tail -5
fi
if [[ $steps == *2* ]]; then
  # 2048×768×50257: the unaligned PyTorch shape (variant 28 only; the launcher repacks B);
  # 4096³; 4096×768×768: gpt2-small's q, k, v, o products (192 workgroups of 128 × 128, under a
  # wave: variant 35's 64 × 128 blocks); 2048×768×2304: 288 workgroups, just past a wave (the
  # launcher's tail split against variant 35).
  for shape in "[2048,768,50257]" "[4096,4096,4096]" "[4096,768,768]" "[2048,768,2304]"; do
    SHAPE="$shape" timeout 60 deno run -A "${cfg[@]}" bench/matmul_variants/bench.ts --ab \
      ${VARIANTS:-28 30 31 32 34 35} >> "$out/variants.txt" 2>&1
  done
  echo "variants exit $?" | tee -a "$out/status.txt"
  grep GFLOP "$out/variants.txt" | sed 's/  rel. error vs launcher/ err/'
fi
if [[ $steps == *3* ]]; then
  timeout "${BENCH_TIMEOUT:-240}" deno run -A "${cfg[@]}" bench/bench.ts --json --no-peers \
    ${BENCH_ARGS:---quick} > "$out/ours.jsonl" 2> "$out/ours.stderr"
  echo "bench exit $?" | tee -a "$out/status.txt"
fi
if [[ $steps == *4* ]]; then
  timeout 60 python3 .device/torch_baseline.py matmul > "$out/torch.jsonl" 2> "$out/torch.stderr"
  echo "torch matmul exit $?" | tee -a "$out/status.txt"
  timeout 90 python3 .device/torch_baseline.py dpo >> "$out/torch.jsonl" 2>> "$out/torch.stderr"
  echo "torch dpo exit $?" | tee -a "$out/status.txt"
  deno run -A "${cfg[@]}" bench/compare_torch.ts "$out/ours.jsonl" "$out/torch.jsonl" |
    tee "$out/compare.md"
fi
if [[ $steps == *5* ]]; then
  timeout 120 deno run -A "${cfg[@]}" bench/attention_tiles.ts --quick | tee "$out/attention_tiles.md"
fi
if [[ $steps == *6* ]]; then
  # The default step, LoRA r 8 on every linear layer, checkpointed layers (PROFILE_RUNS overrides
  # the list; one line of profile_step flags each, e.g. --attention=flash --rows-per-lane=1).
  runs="${PROFILE_RUNS:-$'--attention=products\n--lora=8\n--checkpointed'}"
  while IFS= read -r flags; do
    timeout 120 deno run -A "${cfg[@]}" bench/profile_step.ts gpt2-small dpo $flags |
      tee -a "$out/profile.md"
  done <<< "$runs"
fi
if [[ $steps == *7* ]]; then
  timeout 200 deno run -A "${cfg[@]}" bench/matmul_waves.ts --quick | tee "$out/waves.md"
fi
if [[ $steps == *8* ]]; then
  timeout 150 deno run -A "${cfg[@]}" bench/matmul_grid.ts --quick | tee "$out/grid.md"
fi
