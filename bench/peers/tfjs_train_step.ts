/**
 * Peer: one training step of a tiny GPT in TensorFlow.js 4.22 — the model of the `tiny` bench
 * config, so its step time compares directly with ours.
 *
 * ```sh
 * deno run -A bench/peers/tfjs_train_step.ts wasm 10 3 dpo
 * ```
 *
 * Arguments: backend (`webgpu`, `wasm` or `cpu`), timed steps, warm-up steps, objective (`sft`,
 * the default, or `dpo`).
 *
 * The model: 4 rows of 64 tokens, width 128, 4 heads, vocabulary 256, 2 pre-LayerNorm blocks
 * (fused q/k/v projection, causal softmax attention, a 4× GELU MLP, biases everywhere), learned
 * positions, a final LayerNorm and an untied output head; the loss is the mean token
 * cross-entropy (`sft`) or, for `dpo`, the sigmoid DPO loss (β 0.1) of rows [chosen₀, chosen₁;
 * rejected₀, rejected₁] with each row's log-prob summed over its last three quarters (the
 * response, as in our bench's synthetic batch) against fixed reference log-probs; the update is
 * Adam (lr 1e-3) through `optimizer.minimize`. Token embeddings are
 * looked up as `oneHot(ids)·wte`, because the wasm backend lacks the kernel behind `tf.gather`'s
 * gradient. A step ends when the loss has been read back (`await loss.data()`).
 *
 * Prints one JSON line: `{"kind":"train_step", backend, samples (ms), first_ms, params, …}`.
 *
 * @module
 */
import { PEER_BACKENDS, type PeerBackend, setupTfjs } from "./tfjs_setup.ts";

/** The tiny model's sizes (the `tiny` bench config). */
export const TINY = { rows: 4, seqLen: 64, width: 128, heads: 4, vocab: 256, layers: 2 } as const;

/** What the peer prints. */
export interface PeerTrainLine {
  kind: "train_step";
  /** Which TensorFlow.js backend. */
  backend: string;
  /** `sft` or `dpo`. */
  objective: "sft" | "dpo";
  /** Milliseconds of each timed step. */
  samples: number[];
  /** The first step, with shader compilation and tracing. */
  first_ms: number;
  /** Trainable parameters. */
  params: number;
  /** Tokens per step (rows × sequence length). */
  tokens: number;
  /** Loss at the first and last step (it must fall: the model does learn). */
  loss_first: number;
  loss_last: number;
}

async function main(): Promise<void> {
  const backend = (Deno.args[0] ?? "webgpu") as PeerBackend;
  if (!PEER_BACKENDS.includes(backend)) throw new TypeError(`Unknown backend "${backend}"`);
  const steps = Number(Deno.args[1] ?? 10), warmup = Number(Deno.args[2] ?? 3);
  const objective = (Deno.args[3] ?? "sft") as "sft" | "dpo";
  if (objective !== "sft" && objective !== "dpo") {
    throw new TypeError(`Unknown objective "${objective}"`);
  }
  const tf = await setupTfjs(backend);
  const { rows: B, seqLen: T, width: C, heads: NH, vocab: V, layers: L } = TINY;
  const HS = C / NH;

  let seed = 100;
  const normal = (shape: number[]) =>
    tf.variable(tf.randomNormal(shape, 0, 0.02, "float32", seed++));
  const filled = (n: number, value: number) => tf.variable(tf.fill([n], value));
  const weights = {
    wte: normal([V, C]),
    wpe: normal([T, C]),
    lnfGain: filled(C, 1),
    lnfBias: filled(C, 0),
    head: normal([C, V]),
    blocks: Array.from({ length: L }, () => ({
      ln1Gain: filled(C, 1),
      ln1Bias: filled(C, 0),
      qkv: normal([C, 3 * C]),
      qkvBias: filled(3 * C, 0),
      proj: normal([C, C]),
      projBias: filled(C, 0),
      ln2Gain: filled(C, 1),
      ln2Bias: filled(C, 0),
      fc: normal([C, 4 * C]),
      fcBias: filled(4 * C, 0),
      out: normal([4 * C, C]),
      outBias: filled(C, 0),
    })),
  };
  const all = [
    weights.wte,
    weights.wpe,
    weights.lnfGain,
    weights.lnfBias,
    weights.head,
    ...weights.blocks.flatMap((b) => Object.values(b)),
  ];
  const params = all.reduce((s, v) => s + v.size, 0);

  // Additive causal mask (T, T): 0 on and below the diagonal, a large negative number above.
  const causal = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9));
  type X = ReturnType<typeof tf.add>;
  const layerNorm = (x: X, gain: X, bias: X) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gain), bias);
  };
  // GPT-2's tanh approximation of GELU.
  const gelu = (x: X) => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  };
  const splitHeads = (x: X) => tf.transpose(tf.reshape(x, [B, T, NH, HS]), [0, 2, 1, 3]);

  // A fixed batch: next-token targets over a deterministic pseudo-random sequence.
  const ids = new Int32Array(B * (T + 1));
  for (let i = 0; i < ids.length; i++) ids[i] = (Math.imul(i + 7, 2246822519) >>> 7) % V;
  const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
  for (let r = 0; r < B; r++) {
    for (let t = 0; t < T; t++) {
      inputs[r * T + t] = ids[r * (T + 1) + t];
      targets[r * T + t] = ids[r * (T + 1) + t + 1];
    }
  }
  // DPO: the last three quarters of each row are the response; the reference log-probs sit a
  // little below what a fresh model gives (−log V per response token).
  const responseStart = Math.floor(T / 4), responseTokens = T - responseStart;
  const response = tf.tensor2d(
    Array.from({ length: B * T }, (_, i) => (i % T >= responseStart ? 1 : 0)),
    [B, T],
  );
  const reference = tf.tensor1d(
    Array.from({ length: B }, (_, i) => -responseTokens * Math.log(V) - 1 - i % 3),
  );
  const inputHot = tf.oneHot(tf.tensor1d(inputs, "int32"), V);
  const targetHot = tf.oneHot(tf.tensor1d(targets, "int32"), V);

  const loss = () => {
    let x: X = tf.add(tf.matMul(inputHot, weights.wte), tf.tile(weights.wpe, [B, 1])); // (B·T, C)
    for (const w of weights.blocks) {
      const qkv = tf.add(tf.matMul(layerNorm(x, w.ln1Gain, w.ln1Bias), w.qkv), w.qkvBias);
      const [q, k, v] = tf.split(qkv, 3, -1).map(splitHeads); // (B, NH, T, HS)
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(HS)), causal);
      const mixed = tf.matMul(tf.softmax(scores), v); // (B, NH, T, HS)
      const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [B * T, C]);
      x = tf.add(x, tf.add(tf.matMul(merged, w.proj), w.projBias));
      const hidden = gelu(tf.add(tf.matMul(layerNorm(x, w.ln2Gain, w.ln2Bias), w.fc), w.fcBias));
      x = tf.add(x, tf.add(tf.matMul(hidden, w.out), w.outBias));
    }
    const logits = tf.matMul(layerNorm(x, weights.lnfGain, weights.lnfBias), weights.head);
    const tokenLogp = tf.sum(tf.mul(targetHot, tf.logSoftmax(logits)), -1); // (B·T,)
    if (objective === "sft") return tf.neg(tf.mean(tokenLogp)) as never;
    const seq = tf.sum(tf.mul(tf.reshape(tokenLogp, [B, T]), response), -1); // (B,)
    const [chosen, rejected] = tf.split(tf.sub(seq, reference), 2);
    // −log σ(z) = softplus(−z); tf.logSigmoid's custom gradient fails inside minimize.
    return tf.mean(tf.softplus(tf.neg(tf.mul(tf.sub(chosen, rejected), 0.1)))) as never;
  };

  const adam = tf.train.adam(1e-3);
  const step = async (): Promise<number> => {
    const l = adam.minimize(loss, true)!;
    const value = (await l.data())[0];
    l.dispose();
    return value;
  };

  const t0 = performance.now();
  const lossFirst = await step();
  const firstMs = performance.now() - t0;
  for (let i = 1; i < warmup; i++) await step();
  const samples: number[] = [];
  let lossLast = lossFirst;
  for (let i = 0; i < steps; i++) {
    const s0 = performance.now();
    lossLast = await step();
    samples.push(performance.now() - s0);
  }
  const line: PeerTrainLine = {
    kind: "train_step",
    backend: tf.getBackend(),
    objective,
    samples,
    first_ms: firstMs,
    params,
    tokens: B * T,
    loss_first: lossFirst,
    loss_last: lossLast,
  };
  console.log(JSON.stringify(line));
}

if (import.meta.main) await main();
