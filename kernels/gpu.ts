/**
 * The GPU runtime: one place that opens the adapter and device, compiles and caches compute
 * pipelines, pools buffers, moves data in and out, and encodes dispatches.
 *
 * Conventions every kernel launcher relies on:
 * - binding 0 of group 0 is the kernel's uniform `Params` struct (runtime shapes); storage buffers
 *   follow at bindings 1, 2, … in the order the launcher lists them;
 * - launchers encode into an {@linkcode Encoder} passed in and never submit or read back;
 * - a readback of any number of tensors is one `mapAsync` ({@linkcode Gpu.read}).
 *
 * @module
 */
import { settleAll } from "../util/settle.ts";

/** Element types a {@linkcode Tensor} holds. `f16` data come back as raw `Uint16Array` bits. */
export type DType = "f32" | "i32" | "u32" | "f16";

/** The typed array a readback of each dtype gives. */
export type HostArray = Float32Array | Int32Array | Uint32Array | Uint16Array;

const DTYPE_BYTES: Record<DType, number> = { f32: 4, i32: 4, u32: 4, f16: 2 };

/** Bytes per element of a dtype. */
export function dtypeBytes(dtype: DType): number {
  return DTYPE_BYTES[dtype];
}

/** Base class of the runtime's errors. */
export class GpuError extends Error {
  /** The error's name, as shown before its message. */
  override name = "GpuError";
}

/** No WebGPU adapter could be found. */
export class NoAdapterError extends GpuError {
  /** The error's name, as shown before its message. */
  override name = "NoAdapterError";
}

/** The device was lost (driver reset, out of memory, destroyed). */
export class DeviceLostError extends GpuError {
  /** The error's name, as shown before its message. */
  override name = "DeviceLostError";
}

/** The device reported a validation or out-of-memory error for work we encoded. */
export class GpuValidationError extends GpuError {
  /** The error's name, as shown before its message. */
  override name = "GpuValidationError";
}

/** A WGSL source and one of its entry points. */
export interface Kernel {
  /** Names the kernel in errors and in the pipeline cache. */
  label: string;
  /** The WGSL source. */
  code: string;
  /** The `@compute` function to run. */
  entryPoint: string;
}

/** `override` constants for a pipeline: the tile and workgroup sizes. */
export type Constants = Record<string, number>;

/** The limits we ask the adapter for: its own maxima (and minimum alignments), not WebGPU's defaults. */
export const REQUESTED_LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
  "maxUniformBufferBindingSize",
  "maxBindGroups",
  "minStorageBufferOffsetAlignment",
  "minUniformBufferOffsetAlignment",
] as const;

/** The optional features we use where the adapter has them. */
export const USEFUL_FEATURES = ["shader-f16", "timestamp-query"] as const;

/**
 * The loop iterations a launcher may plan for one invocation on a CPU adapter: llvmpipe stops an
 * invocation after 65 535 loop iterations in all (a guard against endless loops), silently, so
 * the launchers that loop over data-sized ranges cut or refuse work past this (with a margin).
 */
export const CPU_LOOP_BUDGET = 50_000;

/** Options for {@linkcode Gpu.create}. */
export interface GpuOptions {
  /** Passed to `requestAdapter`. Default `"high-performance"`. */
  powerPreference?: GPUPowerPreference;
  /** Ask for `timestamp-query` (when present) so encoders can time regions. Default true. */
  timestamps?: boolean;
}

/**
 * A typed view of (part of) a GPU buffer: shape, dtype and a label for errors.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * const gpu = await Gpu.create();
 * const t = gpu.upload(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3], { label: "x" });
 * console.log(t.size, t.byteLength); // 6 24
 * ```
 */
export class Tensor {
  /** The underlying buffer, possibly shared with other tensors. */
  readonly buffer: GPUBuffer;
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: DType;
  /** Names the tensor in errors. */
  readonly label: string;
  /** Where this tensor starts in `buffer`, in bytes. */
  readonly byteOffset: number;
  #pool: BufferPool | null;

  /** Wraps an existing buffer; most code gets tensors from {@linkcode Gpu.tensor} instead. */
  constructor(
    buffer: GPUBuffer,
    shape: readonly number[],
    options: { dtype?: DType; label?: string; byteOffset?: number; pool?: BufferPool } = {},
  ) {
    this.buffer = buffer;
    this.shape = Object.freeze([...shape]);
    this.dtype = options.dtype ?? "f32";
    this.label = options.label ?? buffer.label ?? "tensor";
    this.byteOffset = options.byteOffset ?? 0;
    this.#pool = options.pool ?? null;
    if (this.byteOffset + this.byteLength > buffer.size) {
      throw new RangeError(
        `Tensor "${this.label}" (${this.byteLength} bytes at ${this.byteOffset}) overruns its ` +
          `buffer of ${buffer.size} bytes`,
      );
    }
  }

  /** The number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The number of bytes the elements take. */
  get byteLength(): number {
    return this.size * DTYPE_BYTES[this.dtype];
  }

  /**
   * A tensor over a range of this one's elements (for binding big tensors in pieces).
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * const t = gpu.tensor([4, 8]);
   * const rows23 = t.view(16, [2, 8], "rows 2-3");
   * ```
   */
  view(elementOffset: number, shape: readonly number[], label?: string): Tensor {
    return new Tensor(this.buffer, shape, {
      dtype: this.dtype,
      label: label ?? `${this.label}[${elementOffset}:]`,
      byteOffset: this.byteOffset + elementOffset * DTYPE_BYTES[this.dtype],
    });
  }

  /** Returns the buffer to the pool it came from (no-op for views and wrapped buffers). */
  release(): void {
    if (this.#pool) {
      this.#pool.release(this.buffer);
      this.#pool = null;
    }
  }
}

/**
 * Reuses GPU buffers by (usage, size) so a training step allocates nothing after the first.
 * Sizes are rounded up to 256 bytes. Tracks the bytes held, for peak-memory reports.
 *
 * A released buffer becomes reusable only after the next submit ({@linkcode BufferPool.recycle}):
 * a launcher may release its scratch while the encoder that uses it is still open, and an upload
 * (`queue.writeBuffer`, which runs before that encoder's commands) must not land in it meanwhile.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * const gpu = await Gpu.create();
 * const t = gpu.tensor([1024]);
 * t.release();
 * const u = gpu.tensor([1000]); // same 4 KiB buffer again
 * console.log(gpu.pool.bytesAllocated);
 * ```
 */
export class BufferPool {
  #device: GPUDevice;
  #free = new Map<string, GPUBuffer[]>();
  #pending: GPUBuffer[] = [];
  #allocated = 0;
  #peak = 0;
  #hooks: BufferPoolHooks;

  /** A pool over one device; `hooks` hear of every buffer it creates and destroys. */
  constructor(device: GPUDevice, hooks: BufferPoolHooks = {}) {
    this.#device = device;
    this.#hooks = hooks;
  }

  /** Bytes in buffers this pool created and has not destroyed (free or in use). */
  get bytesAllocated(): number {
    return this.#allocated;
  }

  /** The most bytes ever allocated at once. */
  get peakBytes(): number {
    return this.#peak;
  }

  /** A buffer of at least `byteSize` bytes with the given usage. */
  acquire(byteSize: number, usage: GPUBufferUsageFlags, label?: string): GPUBuffer {
    const size = Math.max(256, Math.ceil(byteSize / 256) * 256);
    const key = `${usage}:${size}`;
    const list = this.#free.get(key);
    const reused = list?.pop();
    if (reused) return reused;
    const buffer = this.#device.createBuffer({ size, usage, label });
    this.#hooks.created?.(buffer);
    this.#allocated += size;
    this.#peak = Math.max(this.#peak, this.#allocated);
    return buffer;
  }

  /** Gives a buffer back; it is reused after the next submit. */
  release(buffer: GPUBuffer): void {
    this.#pending.push(buffer);
  }

  /** Makes released buffers reusable; the runtime calls it after each submit. */
  recycle(): void {
    for (const buffer of this.#pending.splice(0)) {
      const key = `${buffer.usage}:${buffer.size}`;
      let list = this.#free.get(key);
      if (!list) this.#free.set(key, list = []);
      list.push(buffer);
    }
  }

  /** Destroys every free buffer. */
  trim(): void {
    this.recycle();
    for (const list of this.#free.values()) {
      for (const b of list) {
        this.#allocated -= b.size;
        this.#hooks.destroyed?.(b);
        b.destroy();
      }
    }
    this.#free.clear();
  }
}

/** What a {@linkcode BufferPool} tells its owner. */
export interface BufferPoolHooks {
  /** A buffer was created. */
  created?: (buffer: GPUBuffer) => void;
  /** A buffer is about to be destroyed. */
  destroyed?: (buffer: GPUBuffer) => void;
}

/** Counters of what the runtime did, for tests and benchmarks. */
export interface GpuStats {
  /** Calls to `GPUBuffer.mapAsync`. */
  mapAsync: number;
  /** Calls to `GPUQueue.submit`. */
  submits: number;
  /** Dispatches encoded. */
  dispatches: number;
  /** Pipelines compiled (cache misses). */
  pipelines: number;
  /** Bind groups created (the rest of the dispatches reused a cached one). */
  bindGroups: number;
}

const STORAGE_USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST
const UNIFORM_BLOCK = 64 * 1024;
/** Cached bind groups kept at most (the cache starts over past this). */
const MAX_BIND_GROUPS = 16384;

/**
 * The adapter, the device and everything that talks to them.
 *
 * @example Add two vectors on the GPU and read the result
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { residualForward } from "./residual.ts";
 * const gpu = await Gpu.create();
 * const a = gpu.upload(new Float32Array([1, 2, 3]), [3]);
 * const b = gpu.upload(new Float32Array([10, 20, 30]), [3]);
 * const out = gpu.tensor([3]);
 * const enc = gpu.encoder();
 * residualForward(enc, { out, a, b });
 * gpu.submit(enc);
 * const [sum] = await gpu.read([out]);
 * console.log(sum); // Float32Array [11, 22, 33]
 * ```
 */
export class Gpu {
  /** The adapter the device came from. */
  readonly adapter: GPUAdapter;
  /** The device. */
  readonly device: GPUDevice;
  /** Buffer reuse. */
  readonly pool: BufferPool;
  /** What the runtime did so far. */
  readonly stats: GpuStats = {
    mapAsync: 0,
    submits: 0,
    dispatches: 0,
    pipelines: 0,
    bindGroups: 0,
  };
  /**
   * Encoders submit what they hold every this many dispatches ({@linkcode Encoder.flush}), so a
   * GPU starts on a long step while the host still encodes the rest; 0 never does. Default: 0
   * on a CPU adapter (lavapipe runs the GPU's work on the same cores that encode), 64 on GPUs.
   */
  flushEvery = 0;
  #pipelines = new Map<string, GPUComputePipeline>();
  #modules = new Map<string, GPUShaderModule>();
  #codeIds = new Map<string, number>();
  #uniformBlocks: GPUBuffer[] = [];
  // Bind groups by pipeline and bound ranges, for buffers this runtime made (pool buffers and
  // uniform blocks, which it numbers); a destroyed buffer's groups are dropped with it.
  #bufferIds = new WeakMap<GPUBuffer, number>();
  #pipelineIds = new WeakMap<GPUComputePipeline, number>();
  #groups = new Map<string, GPUBindGroup>();
  #groupKeys = new Map<number, string[]>();
  #nextId = 1;
  #errors: string[] = [];
  #lost: GPUDeviceLostInfo | null = null;
  #lostPromise: Promise<GPUDeviceLostInfo>;
  /** Tensors' buffer usage: storage, and on CPU adapters uniform too (matmul's A windows). */
  #tensorUsage: GPUBufferUsageFlags;

  private constructor(adapter: GPUAdapter, device: GPUDevice) {
    this.adapter = adapter;
    this.device = device;
    this.pool = new BufferPool(device, {
      created: (b) => this.#bufferIds.set(b, this.#nextId++),
      destroyed: (b) => this.#forgetBuffer(b),
    });
    this.#lostPromise = device.lost.then((info) => (this.#lost = info));
    this.flushEvery = this.isCpu ? 0 : FLUSH_EVERY;
    this.#tensorUsage = this.isCpu ? STORAGE_USAGE | GPUBufferUsage.UNIFORM : STORAGE_USAGE;
    device.addEventListener("uncapturederror", (event) => {
      this.#errors.push((event as GPUUncapturedErrorEvent).error.message);
    });
  }

  /**
   * Opens the adapter and a device with the adapter's own limits and the useful features it has.
   * Throws {@linkcode NoAdapterError} saying what to install when there is no adapter.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * console.log(gpu.describe());
   * ```
   */
  static async create(options: GpuOptions = {}): Promise<Gpu> {
    const { powerPreference = "high-performance", timestamps = true } = options;
    if (typeof navigator === "undefined" || !("gpu" in navigator) || !navigator.gpu) {
      throw new NoAdapterError(
        "WebGPU is not available in this runtime: run with Deno 2.9 or later",
      );
    }
    const adapter = await navigator.gpu.requestAdapter({ powerPreference });
    if (!adapter) {
      throw new NoAdapterError(
        "No WebGPU adapter found: install a GPU driver with Vulkan support, or on Linux without " +
          "a GPU install Mesa's software adapter with `apt-get install mesa-vulkan-drivers`",
      );
    }
    const requiredLimits: Record<string, number> = {};
    for (const name of REQUESTED_LIMITS) {
      const value = (adapter.limits as unknown as Record<string, number | undefined>)[name];
      if (typeof value === "number") requiredLimits[name] = value;
    }
    const requiredFeatures = USEFUL_FEATURES.filter((f) =>
      adapter.features.has(f) && (timestamps || f !== "timestamp-query")
    ) as GPUFeatureName[];
    const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
    return new Gpu(adapter, device);
  }

  /** The device's limits (equal to the adapter's for every name in `REQUESTED_LIMITS`). */
  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Whether the device has a feature, e.g. `"shader-f16"`. */
  hasFeature(name: GPUFeatureName): boolean {
    return this.device.features.has(name);
  }

  /** The loss info once the device is lost, else null. */
  get lostInfo(): GPUDeviceLostInfo | null {
    return this.#lost;
  }

  /**
   * Whether the adapter runs on the CPU (Mesa's lavapipe/llvmpipe, SwiftShader, WARP, or any
   * adapter marked as a fallback): launchers pick kernel shapes for a SIMD CPU there.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * console.log((await Gpu.create()).isCpu); // true on lavapipe
   * ```
   */
  get isCpu(): boolean {
    const i = this.adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    if (i.isFallbackAdapter) return true;
    const text = `${i.description} ${i.device} ${i.vendor} ${i.architecture}`;
    return /llvmpipe|lavapipe|swiftshader|software|microsoft basic/i.test(text);
  }

  /**
   * One line naming the adapter, for logs and benchmark reports.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * console.log((await Gpu.create()).describe()); // e.g. "llvmpipe (LLVM 15.0.6, 256 bits) …"
   * ```
   */
  describe(): string {
    const i = this.adapter.info;
    const name = i.description || i.device || "unknown adapter";
    const parts = [name];
    if (i.vendor) parts.push(`vendor ${i.vendor}`);
    if (i.architecture) parts.push(`arch ${i.architecture}`);
    if ((i as { isFallbackAdapter?: boolean }).isFallbackAdapter) parts.push("software fallback");
    const feats = [...this.device.features].filter((f: string) =>
      (USEFUL_FEATURES as readonly string[]).includes(f)
    );
    parts.push(`features: ${feats.length ? feats.join(", ") : "none"}`);
    return parts.join("; ");
  }

  /**
   * The compute pipeline for a kernel and its `override` constants, compiled once and cached.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * const k = { label: "k", code: "@compute @workgroup_size(1) fn main() {}", entryPoint: "main" };
   * console.log(gpu.pipeline(k) === gpu.pipeline(k)); // true
   * ```
   */
  pipeline(kernel: Kernel, constants: Constants = {}): GPUComputePipeline {
    let codeId = this.#codeIds.get(kernel.code);
    if (codeId === undefined) {
      codeId = this.#codeIds.size;
      this.#codeIds.set(kernel.code, codeId);
    }
    const constKey = Object.keys(constants).sort().map((k) => `${k}=${constants[k]}`).join(",");
    const key = `${codeId}:${kernel.entryPoint}:${constKey}`;
    let pipeline = this.#pipelines.get(key);
    if (!pipeline) {
      let module = this.#modules.get(kernel.code);
      if (!module) {
        module = this.device.createShaderModule({ code: kernel.code, label: kernel.label });
        this.#modules.set(kernel.code, module);
      }
      pipeline = this.device.createComputePipeline({
        label: `${kernel.label}.${kernel.entryPoint}`,
        layout: "auto",
        compute: { module, entryPoint: kernel.entryPoint, constants },
      });
      this.#pipelines.set(key, pipeline);
      this.#pipelineIds.set(pipeline, this.#nextId++);
      this.stats.pipelines++;
    }
    return pipeline;
  }

  /**
   * An uninitialised tensor from the pool.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * const h = gpu.tensor([4, 64, 128], { label: "hidden" }); // B, T, C
   * ```
   */
  tensor(shape: readonly number[], options: { dtype?: DType; label?: string } = {}): Tensor {
    const dtype = options.dtype ?? "f32";
    const bytes = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    this.#checkAlive();
    if (bytes > this.limits.maxBufferSize) {
      throw new RangeError(
        `Tensor "${options.label ?? "tensor"}" needs ${bytes} bytes, more than this device's ` +
          `largest buffer (${this.limits.maxBufferSize} bytes)`,
      );
    }
    const buffer = this.pool.acquire(bytes, this.#tensorUsage, options.label);
    return new Tensor(buffer, shape, { dtype, label: options.label, pool: this.pool });
  }

  /**
   * A tensor holding a copy of host data. The dtype follows the array type unless given.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * const ids = gpu.upload(new Int32Array([5, 7, 9]), [1, 3], { label: "ids" });
   * ```
   */
  upload(
    data: HostArray,
    shape: readonly number[] = [data.length],
    options: { dtype?: DType; label?: string } = {},
  ): Tensor {
    const dtype = options.dtype ?? dtypeOf(data);
    const t = this.tensor(shape, { dtype, label: options.label });
    if (t.size !== data.length) {
      t.release();
      throw new RangeError(
        `upload "${t.label}": shape [${shape}] holds ${t.size} elements, data has ${data.length}`,
      );
    }
    this.write(t, data);
    return t;
  }

  /**
   * Overwrites a tensor's contents from host data (queued before the next submit).
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * const t = gpu.tensor([2]);
   * gpu.write(t, new Float32Array([1, 2]));
   * ```
   */
  write(tensor: Tensor, data: HostArray): void {
    if (data.byteLength !== tensor.byteLength) {
      throw new RangeError(
        `write "${tensor.label}": ${data.byteLength} bytes given, tensor holds ${tensor.byteLength}`,
      );
    }
    // writeBuffer needs a size that is a multiple of 4; f16 data with an odd count get padded.
    let src: ArrayBufferView = data;
    if (data.byteLength % 4 !== 0) {
      const padded = new Uint8Array(data.byteLength + 2);
      padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      src = padded;
    }
    this.device.queue.writeBuffer(
      tensor.buffer,
      tensor.byteOffset,
      src.buffer as ArrayBuffer,
      src.byteOffset,
      src.byteLength,
    );
  }

  /**
   * A new command encoder. Launchers encode into it; {@linkcode Gpu.submit} sends it.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * const enc = gpu.encoder("step");
   * gpu.submit(enc);
   * ```
   */
  encoder(label?: string): Encoder {
    this.#checkAlive();
    return new Encoder(this, label);
  }

  /**
   * Finishes and submits an encoder. Throws when the device is lost or has reported errors.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * gpu.submit(gpu.encoder());
   * ```
   */
  submit(encoder: Encoder): void {
    this.#checkAlive();
    this.#throwErrors();
    this.device.queue.submit([encoder.finish()]);
    this.stats.submits++;
    // Scratch the encoder kept to the end: its commands are queued now, so anything a later
    // owner writes or encodes runs after them.
    for (const t of encoder.takeScratch()) t.release();
    this.pool.recycle();
    // Later writes to these blocks are queued after this submit, so they can be reused now.
    // Pushed last-first, so the next encoder pops them in the order this one used them.
    this.#uniformBlocks.push(...encoder.takeUniformBlocks().reverse());
  }

  /**
   * Copies any number of tensors back to the host with a single `mapAsync`, after all work
   * submitted so far. Never hangs on a lost device: it throws {@linkcode DeviceLostError}.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * const a = gpu.upload(new Float32Array([1, 2])), b = gpu.upload(new Int32Array([3]));
   * const [ha, hb] = await gpu.read([a, b]); // one mapAsync
   * ```
   */
  async read(tensors: readonly Tensor[]): Promise<HostArray[]> {
    this.#checkAlive();
    const { staging, offsets } = this.#staging(tensors);
    const enc = this.device.createCommandEncoder({ label: "readback" });
    tensors.forEach((t, i) => {
      const size = Math.ceil(t.byteLength / 4) * 4;
      if (size > 0) enc.copyBufferToBuffer(t.buffer, t.byteOffset, staging, offsets[i], size);
    });
    this.device.queue.submit([enc.finish()]);
    this.stats.submits++;
    this.pool.recycle();
    return await this.#map(staging, offsets, tensors);
  }

  /**
   * Copies tensors into a readback buffer as part of `enc` — so the values are those at this
   * point of its commands — and returns a function that maps them once `enc` has been submitted:
   * one `mapAsync`, like {@linkcode Gpu.read}. Meanwhile the host may encode and submit more work
   * that overwrites the tensors (the training loop submits several steps before it reads them).
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * const x = gpu.upload(new Float32Array([1, 2]));
   * const enc = gpu.encoder();
   * const later = gpu.readAfter(enc, [x]);
   * gpu.submit(enc);
   * gpu.write(x, new Float32Array([3, 4])); // does not affect what `later` returns
   * console.log((await later())[0]); // Float32Array [1, 2]
   * ```
   */
  readAfter(enc: Encoder, tensors: readonly Tensor[]): () => Promise<HostArray[]> {
    this.#checkAlive();
    const { staging, offsets } = this.#staging(tensors);
    tensors.forEach((t, i) => enc.copyToBuffer(t, staging, offsets[i]));
    return async () => {
      if (!enc.submitted) {
        throw new GpuError("readAfter: submit the encoder before waiting for its readback");
      }
      return await this.#map(staging, offsets, tensors);
    };
  }

  /** A mappable buffer for `tensors`, 8-byte aligned each, and their offsets in it. */
  #staging(tensors: readonly Tensor[]): { staging: GPUBuffer; offsets: number[] } {
    const offsets: number[] = [];
    let total = 0;
    for (const t of tensors) {
      offsets.push(total);
      total += Math.ceil(t.byteLength / 8) * 8;
    }
    const staging = this.pool.acquire(
      Math.max(total, 8),
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      "readback",
    );
    return { staging, offsets };
  }

  /** Maps a filled staging buffer, copies the tensors' bytes out and gives the buffer back. */
  async #map(
    staging: GPUBuffer,
    offsets: number[],
    tensors: readonly Tensor[],
  ): Promise<HostArray[]> {
    this.stats.mapAsync++;
    const mapped = staging.mapAsync(GPUMapMode.READ);
    const lost = this.#lostPromise.then((info) => {
      throw new DeviceLostError(lostMessage(info));
    });
    try {
      await Promise.race([mapped, lost]);
    } catch (e) {
      if (e instanceof DeviceLostError) throw e;
      this.#throwErrors();
      throw new GpuError(`Readback failed: ${(e as Error).message}`);
    }
    const bytes = new Uint8Array(staging.getMappedRange()).slice();
    staging.unmap();
    this.pool.release(staging);
    this.#throwErrors();
    return tensors.map((t, i) => hostView(bytes.buffer, offsets[i], t));
  }

  /**
   * Waits for all submitted work to finish (without reading anything back).
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * const gpu = await Gpu.create();
   * await gpu.sync();
   * ```
   */
  async sync(): Promise<void> {
    const lost = this.#lostPromise.then((info) => {
      throw new DeviceLostError(lostMessage(info));
    });
    await Promise.race([this.device.queue.onSubmittedWorkDone(), lost]);
    this.#throwErrors();
  }

  /**
   * Releases the device. Later calls throw {@linkcode DeviceLostError}.
   *
   * @example
   * ```ts
   * import { Gpu } from "./gpu.ts";
   * (await Gpu.create()).destroy();
   * ```
   */
  destroy(): void {
    this.pool.trim();
    this.#groups.clear();
    this.#groupKeys.clear();
    this.device.destroy();
  }

  /**
   * A bind group of these entries for a pipeline: cached when every bound buffer is one this
   * runtime made (creating one costs ~12 µs of host time in Deno, most of a dispatch's encoding),
   * created afresh otherwise.
   *
   * @example
   * ```ts
   * // const group = gpu.bindGroup(pipeline, [{ binding: 1, resource: { buffer, offset: 0, size } }]);
   * ```
   */
  bindGroup(pipeline: GPUComputePipeline, entries: GPUBindGroupEntry[]): GPUBindGroup {
    const pid = this.#pipelineIds.get(pipeline);
    let key: string | null = pid === undefined ? null : `${pid}`;
    const ids: number[] = [];
    for (const e of entries) {
      if (key === null) break;
      const r = e.resource as GPUBufferBinding;
      const id = this.#bufferIds.get(r.buffer);
      if (id === undefined) {
        key = null;
        break;
      }
      ids.push(id);
      key += `|${e.binding}:${id}:${r.offset ?? 0}:${r.size ?? -1}`;
    }
    const cached = key === null ? undefined : this.#groups.get(key);
    if (cached) return cached;
    const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    this.stats.bindGroups++;
    if (key !== null) {
      if (this.#groups.size >= MAX_BIND_GROUPS) {
        this.#groups.clear();
        this.#groupKeys.clear();
      }
      this.#groups.set(key, group);
      for (const id of new Set(ids)) {
        const keys = this.#groupKeys.get(id);
        if (keys) keys.push(key);
        else this.#groupKeys.set(id, [key]);
      }
    }
    return group;
  }

  /** Drops the cached bind groups that bind `buffer` (before it is destroyed). */
  #forgetBuffer(buffer: GPUBuffer): void {
    const id = this.#bufferIds.get(buffer);
    if (id === undefined) return;
    for (const key of this.#groupKeys.get(id) ?? []) this.#groups.delete(key);
    this.#groupKeys.delete(id);
    this.#bufferIds.delete(buffer);
  }

  /**
   * A uniform block of 64 KiB, reused once the encoder that held it was submitted: the last
   * encoder's blocks first, in its order (so each step's dispatches see the same blocks at the
   * same offsets, and their cached bind groups).
   */
  acquireUniformBlock(): GPUBuffer {
    const reused = this.#uniformBlocks.pop();
    if (reused) return reused;
    const block = this.device.createBuffer({
      size: UNIFORM_BLOCK,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: "uniforms",
    });
    this.#bufferIds.set(block, this.#nextId++);
    return block;
  }

  #checkAlive(): void {
    if (this.#lost) throw new DeviceLostError(lostMessage(this.#lost));
  }

  #throwErrors(): void {
    if (this.#errors.length) {
      const all = this.#errors.splice(0);
      throw new GpuValidationError(`The GPU reported an error: ${all.join("; ")}`);
    }
  }
}

/** A storage binding: a tensor, a whole buffer, or a byte range of one. */
export type Binding = Tensor | GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

/** One dispatch, as launchers describe it to {@linkcode Encoder.dispatch}. */
export interface Dispatch {
  /** The kernel to run. */
  kernel: Kernel;
  /** Its `override` constants. */
  constants?: Constants;
  /** The uniform `Params` struct's bytes, bound at binding 0. */
  uniforms?: ArrayBufferView;
  /** Storage buffers, bound at 1, 2, … in order. */
  bindings: readonly Binding[];
  /** Workgroup counts in x, y, z. */
  workgroups: readonly [number, number?, number?];
}

/**
 * Dispatches between an encoder's automatic submits on GPUs. A gpt2-small DPO step has ~870 and
 * spent ~45 ms encoding them on an H200's host while the GPU idled (bench/RESULTS.md, session 3);
 * one submit costs tens of µs.
 */
const FLUSH_EVERY = 64;

/** Timestamps one encoder can take (WebGPU's largest query set): 2048 timed regions. */
const MAX_STAMPS = 4096;

/**
 * A command encoder with the runtime's dispatch conventions, timed regions and uniform memory.
 * Dispatches share one compute pass until a copy or a timed region needs a new one.
 *
 * @example
 * ```ts
 * import { Gpu } from "./gpu.ts";
 * import { sum } from "./reduce.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([1, 2, 3])), s = gpu.tensor([1]);
 * const enc = gpu.encoder();
 * sum(enc, { out: s, x });
 * gpu.submit(enc);
 * console.log((await gpu.read([s]))[0][0]); // 6
 * ```
 */
export class Encoder {
  /** The runtime this encoder belongs to. */
  readonly gpu: Gpu;
  #raw: GPUCommandEncoder;
  #label?: string;
  #sinceFlush = 0;
  /** Inside {@linkcode Encoder.timed}: no automatic flush (it would cut the timed pass). */
  #timing = false;
  #pass: GPUComputePassEncoder | null = null;
  #blocks: GPUBuffer[] = [];
  #scratch: Tensor[] = [];
  #blockUsed = UNIFORM_BLOCK;
  /** Host copy of the newest block's bytes, written to it in one go when it is full or at finish. */
  #staged = new Uint8Array(UNIFORM_BLOCK);
  #timers: { label: string; index: number }[] = [];
  #querySet: GPUQuerySet | null = null;
  #queryBuffer: Tensor | null = null;
  #resolveBuffer: GPUBuffer | null = null;
  #finished = false;

  /** Use {@linkcode Gpu.encoder}. */
  constructor(gpu: Gpu, label?: string) {
    this.gpu = gpu;
    this.#label = label;
    this.#raw = gpu.device.createCommandEncoder({ label });
  }

  /** The raw WebGPU encoder (a new one after each {@linkcode Encoder.flush}), for copies. */
  get raw(): GPUCommandEncoder {
    return this.#raw;
  }

  /**
   * Submits what this encoder holds so far and goes on in a fresh command encoder, so the device
   * can start while the rest is encoded ({@linkcode Gpu.flushEvery} does it automatically).
   * Commands run in the order they were encoded, as with one submit; buffers released while
   * encoding still become reusable only at {@linkcode Gpu.submit}. One difference: a
   * `queue.writeBuffer` (`gpu.write`, `gpu.upload`) issued after a flush lands after the commands
   * flushed before it, not before all of them — write a buffer before encoding what reads it.
   */
  flush(): void {
    if (this.#finished) throw new GpuError("This encoder was already submitted");
    this.#endPass();
    this.#flushUniforms();
    this.gpu.device.queue.submit([this.#raw.finish()]);
    this.gpu.stats.submits++;
    this.#raw = this.gpu.device.createCommandEncoder({ label: this.#label });
    this.#sinceFlush = 0;
  }

  /**
   * Encodes one dispatch. Refuses, with the kernel's and binding's names, workgroup counts or
   * binding sizes beyond the device's limits.
   */
  dispatch(d: Dispatch): void {
    const gpu = this.gpu, limits = gpu.limits;
    const [x, y = 1, z = 1] = d.workgroups;
    const maxWg = limits.maxComputeWorkgroupsPerDimension;
    for (const n of [x, y, z]) {
      if (!Number.isInteger(n) || n < 0 || n > maxWg) {
        throw new RangeError(
          `${d.kernel.label}.${d.kernel.entryPoint}: ${n} workgroups in one dimension; this ` +
            `device allows at most ${maxWg}`,
        );
      }
    }
    if (x === 0 || y === 0 || z === 0) return;
    const entries: GPUBindGroupEntry[] = [];
    if (d.uniforms) entries.push({ binding: 0, resource: this.#uniform(d.uniforms) });
    d.bindings.forEach((b, i) => {
      const r = resolveBinding(b);
      const size = r.size ?? r.buffer.size - (r.offset ?? 0);
      if (size > limits.maxStorageBufferBindingSize) {
        const name = b instanceof Tensor ? `"${b.label}"` : `binding ${i + 1}`;
        throw new RangeError(
          `${d.kernel.label}.${d.kernel.entryPoint}: ${name} spans ${size} bytes, more than ` +
            `this device binds at once (maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize})`,
        );
      }
      if ((r.offset ?? 0) % limits.minStorageBufferOffsetAlignment !== 0) {
        const name = b instanceof Tensor ? `"${b.label}"` : `binding ${i + 1}`;
        throw new RangeError(
          `${d.kernel.label}.${d.kernel.entryPoint}: ${name} starts at byte ${r.offset}, not a ` +
            `multiple of minStorageBufferOffsetAlignment (${limits.minStorageBufferOffsetAlignment})`,
        );
      }
      entries.push({ binding: i + 1, resource: r });
    });
    const pipeline = gpu.pipeline(d.kernel, d.constants);
    const group = gpu.bindGroup(pipeline, entries);
    const pass = this.#computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    gpu.stats.dispatches++;
    if (gpu.flushEvery > 0 && ++this.#sinceFlush >= gpu.flushEvery && !this.#timing) this.flush();
  }

  /** Whether {@linkcode Gpu.submit} has submitted this encoder. */
  get submitted(): boolean {
    return this.#finished;
  }

  /** Copies a tensor's bytes (rounded up to 4) into a raw buffer at `offset` (a readback). */
  copyToBuffer(src: Tensor, dst: GPUBuffer, offset: number): void {
    const size = Math.ceil(src.byteLength / 4) * 4;
    if (size === 0) return;
    this.#endPass();
    this.#raw.copyBufferToBuffer(src.buffer, src.byteOffset, dst, offset, size);
  }

  /** Copies a tensor into another of the same byte length. */
  copy(src: Tensor, dst: Tensor): void {
    if (src.byteLength !== dst.byteLength) {
      throw new RangeError(`copy "${src.label}" → "${dst.label}": byte lengths differ`);
    }
    this.#endPass();
    this.#raw.copyBufferToBuffer(
      src.buffer,
      src.byteOffset,
      dst.buffer,
      dst.byteOffset,
      src.byteLength,
    );
  }

  /** Sets a tensor's bytes to zero. */
  zero(t: Tensor): void {
    this.#endPass();
    this.#raw.clearBuffer(t.buffer, t.byteOffset, Math.ceil(t.byteLength / 4) * 4);
  }

  /**
   * Runs `fn`'s dispatches in their own compute pass with GPU timestamps around it, when the
   * device has `timestamp-query`; otherwise just runs `fn`. Read results with
   * {@linkcode Encoder.readTimings} after submitting.
   */
  timed(label: string, fn: () => void): void {
    if (!this.gpu.hasFeature("timestamp-query")) return fn();
    this.#endPass();
    if (!this.#querySet) {
      this.#querySet = this.gpu.device.createQuerySet({ type: "timestamp", count: MAX_STAMPS });
    }
    const index = this.#timers.length * 2;
    if (index + 1 >= MAX_STAMPS) {
      throw new RangeError(`At most ${MAX_STAMPS / 2} timed regions per encoder`);
    }
    this.#timers.push({ label, index });
    this.#pass = this.#raw.beginComputePass({
      timestampWrites: {
        querySet: this.#querySet,
        beginningOfPassWriteIndex: index,
        endOfPassWriteIndex: index + 1,
      },
    });
    this.#timing = true;
    try {
      fn();
    } finally {
      this.#timing = false;
    }
    this.#endPass();
  }

  /** Milliseconds of each timed region, after {@linkcode Gpu.submit}. One readback. */
  async readTimings(): Promise<{ label: string; ms: number }[]> {
    if (!this.#queryBuffer) return [];
    const [raw] = await this.gpu.read([this.#queryBuffer]);
    const words = raw as Uint32Array;
    this.#queryBuffer.release();
    this.#queryBuffer = null;
    this.#resolveBuffer?.destroy();
    this.#querySet?.destroy();
    return this.#timers.map(({ label, index }) => {
      const t0 = words[2 * index] + words[2 * index + 1] * 2 ** 32;
      const t1 = words[2 * index + 2] + words[2 * index + 3] * 2 ** 32;
      return { label, ms: (t1 - t0) / 1e6 };
    });
  }

  /** Ends encoding; {@linkcode Gpu.submit} calls this. */
  finish(): GPUCommandBuffer {
    if (this.#finished) throw new GpuError("This encoder was already submitted");
    this.#endPass();
    if (this.#querySet && this.#timers.length) {
      const count = this.#timers.length * 2;
      const words = new Uint32Array(count * 2);
      this.#queryBuffer = this.gpu.upload(words, [count * 2], {
        dtype: "u32",
        label: "timestamps",
      });
      // resolveQuerySet needs a QUERY_RESOLVE buffer; stage through one, then copy.
      const resolve = this.#resolveBuffer = this.gpu.device.createBuffer({
        size: count * 8,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      });
      this.#raw.resolveQuerySet(this.#querySet, 0, count, resolve, 0);
      this.#raw.copyBufferToBuffer(resolve, 0, this.#queryBuffer.buffer, 0, count * 8);
    }
    this.#flushUniforms();
    this.#finished = true;
    return this.#raw.finish();
  }

  /**
   * A scratch tensor this encoder's commands use (possibly after later encoding, e.g. reused by
   * the next launch) and that goes back to the pool only when {@linkcode Gpu.submit} submits
   * this encoder — unlike `release()` during encoding, which another submit or readback in the
   * meantime could hand out again.
   */
  keepUntilSubmit(t: Tensor): void {
    this.#scratch.push(t);
  }

  /** The tensors {@linkcode Encoder.keepUntilSubmit} holds, for the runtime to release. */
  takeScratch(): Tensor[] {
    return this.#scratch.splice(0);
  }

  /** Hands the uniform blocks back to the runtime after submit. */
  takeUniformBlocks(): GPUBuffer[] {
    return this.#blocks.splice(0);
  }

  #computePass(): GPUComputePassEncoder {
    return this.#pass ??= this.#raw.beginComputePass();
  }

  #endPass(): void {
    this.#pass?.end();
    this.#pass = null;
  }

  /**
   * Puts uniform bytes in a fresh slot (slots are never reused within one encoder). The bytes are
   * staged on the host and each block is written with one `writeBuffer` (when it fills up, or at
   * {@linkcode Encoder.finish}): one per dispatch cost more than the bind group.
   */
  #uniform(data: ArrayBufferView): GPUBufferBinding {
    const align = Math.max(this.gpu.limits.minUniformBufferOffsetAlignment, 16);
    const size = Math.ceil(Math.max(data.byteLength, 16) / 16) * 16;
    if (size > UNIFORM_BLOCK) throw new RangeError("Uniform struct larger than 64 KiB");
    let offset = Math.ceil(this.#blockUsed / align) * align;
    if (offset + size > UNIFORM_BLOCK) {
      this.#flushUniforms();
      this.#blocks.push(this.gpu.acquireUniformBlock());
      offset = 0;
    }
    const block = this.#blocks[this.#blocks.length - 1];
    this.#staged.fill(0, offset, offset + size);
    this.#staged.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    this.#blockUsed = offset + size;
    return { buffer: block, offset, size };
  }

  /** Writes the newest block's staged bytes. */
  #flushUniforms(): void {
    const block = this.#blocks[this.#blocks.length - 1];
    if (!block || this.#blockUsed === 0 || this.#blockUsed > UNIFORM_BLOCK) return;
    this.gpu.device.queue.writeBuffer(block, 0, this.#staged, 0, this.#blockUsed);
  }
}

/**
 * Runs `count` pieces of device work whose results are read back, `depth` of them submitted
 * before their readbacks are awaited together: a readback costs Deno ~10 ms however little it
 * waits for (its poll sleeps), and meanwhile the host encodes the next pieces. `submit(i)` encodes
 * and submits piece i and returns its readback ({@linkcode Gpu.readAfter}); `take(i, data)` gets
 * the results in order. A throw (from `submit`, `take` or a readback) ends the run once every
 * readback already submitted has finished.
 *
 * @example
 * ```ts
 * import { Gpu, readInBatches } from "./gpu.ts";
 * const gpu = await Gpu.create();
 * const x = gpu.upload(new Float32Array([0]));
 * const seen: number[] = [];
 * await readInBatches(5, 2, (i) => {
 *   gpu.write(x, new Float32Array([i * i]));
 *   const enc = gpu.encoder();
 *   const later = gpu.readAfter(enc, [x]);
 *   gpu.submit(enc);
 *   return later;
 * }, (_, [v]) => void seen.push(v[0]));
 * console.log(seen); // [0, 1, 4, 9, 16]
 * ```
 */
export async function readInBatches(
  count: number,
  depth: number,
  submit: (i: number) => () => Promise<HostArray[]>,
  take: (i: number, data: HostArray[]) => void | Promise<void>,
): Promise<void> {
  if (!Number.isInteger(depth) || depth < 1) {
    throw new RangeError(`readInBatches: depth must be a positive integer, got ${depth}`);
  }
  const pending: (() => Promise<HostArray[]>)[] = [];
  try {
    for (let i0 = 0; i0 < count; i0 += depth) {
      for (let i = i0; i < Math.min(count, i0 + depth); i++) pending.push(submit(i));
      // Every readback runs to its end (each maps and returns its buffer once) before a failed
      // one's error is thrown.
      const data = await settleAll(pending.splice(0).map((read) => read()));
      for (const [j, d] of data.entries()) await take(i0 + j, d);
    }
  } finally {
    // Submitted but never awaited (a later submit threw): let them finish before the caller goes
    // on.
    if (pending.length) await Promise.allSettled(pending.splice(0).map((read) => read()));
  }
}

/**
 * Workgroup counts covering `n` invocations with workgroups of `wg`, split over x and y so no
 * dimension exceeds the device's limit. Kernels rebuild the linear index as
 * `gid.x + gid.y * (groups.x * wg)`.
 *
 * @example
 * ```ts
 * import { grid1d } from "./gpu.ts";
 * console.log(grid1d(10_000_000, 256, 65535)); // [32768, 2]
 * ```
 */
export function grid1d(n: number, wg: number, maxPerDim: number): [number, number] {
  const groups = Math.ceil(n / wg);
  if (groups <= maxPerDim) return [groups, 1];
  const y = Math.ceil(groups / maxPerDim);
  const x = Math.ceil(groups / y);
  if (y > maxPerDim) throw new RangeError(`${n} invocations exceed the device's dispatch limits`);
  return [x, y];
}

/**
 * Packs numbers into a uniform struct's bytes: `u32` fields by default, `f32` for names listed.
 *
 * @example
 * ```ts
 * import { uniforms } from "./gpu.ts";
 * const bytes = uniforms({ n: 10, scale: 0.5 }, ["scale"]);
 * ```
 */
export function uniforms(
  fields: Record<string, number>,
  floats: readonly string[] = [],
): Uint32Array {
  const values = Object.entries(fields);
  const out = new Uint32Array(Math.max(4, Math.ceil(values.length / 4) * 4));
  const f32 = new Float32Array(out.buffer);
  values.forEach(([name, v], i) => {
    if (floats.includes(name)) f32[i] = v;
    else {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new RangeError(`Uniform field ${name} must be a u32, got ${v}`);
      }
      out[i] = v;
    }
  });
  return out;
}

function resolveBinding(b: Binding): GPUBufferBinding {
  if (b instanceof Tensor) {
    return {
      buffer: b.buffer,
      offset: b.byteOffset,
      size: Math.max(4, Math.ceil(b.byteLength / 4) * 4),
    };
  }
  if ("buffer" in b) return b;
  return { buffer: b };
}

function dtypeOf(data: HostArray): DType {
  if (data instanceof Float32Array) return "f32";
  if (data instanceof Int32Array) return "i32";
  if (data instanceof Uint32Array) return "u32";
  return "f16";
}

function hostView(buffer: ArrayBuffer, offset: number, t: Tensor): HostArray {
  switch (t.dtype) {
    case "f32":
      return new Float32Array(buffer, offset, t.size);
    case "i32":
      return new Int32Array(buffer, offset, t.size);
    case "u32":
      return new Uint32Array(buffer, offset, t.size);
    case "f16":
      return new Uint16Array(buffer, offset, t.size);
  }
}

function lostMessage(info: GPUDeviceLostInfo): string {
  return info.reason === "destroyed"
    ? "The GPU device was destroyed; create a new Gpu to continue"
    : `The GPU device was lost (${info.message || info.reason}); restart the run — a driver ` +
      `reset or running out of GPU memory are the usual causes`;
}

/**
 * Checks a launcher's tensor: its dtype (default f32) and, when given, its element count. The
 * errors name the launcher and the tensor.
 *
 * @example
 * ```ts
 * import { expectTensor, Gpu } from "./gpu.ts";
 * const gpu = await Gpu.create();
 * expectTensor("myKernel", gpu.tensor([4]), { size: 4 });
 * ```
 */
export function expectTensor(
  name: string,
  t: Tensor,
  options: { size?: number; dtype?: DType } = {},
): void {
  const { size, dtype = "f32" } = options;
  if (t.dtype !== dtype) {
    throw new TypeError(`${name}: "${t.label}" is ${t.dtype}, expected ${dtype}`);
  }
  if (size !== undefined && t.size !== size) {
    throw new RangeError(`${name}: "${t.label}" has ${t.size} elements, expected ${size}`);
  }
}

/**
 * Checks that f32 tensors have the same element count; returns it.
 *
 * @example
 * ```ts
 * import { expectSameSize, Gpu } from "./gpu.ts";
 * const gpu = await Gpu.create();
 * const n = expectSameSize("add", gpu.tensor([3]), gpu.tensor([3])); // 3
 * ```
 */
export function expectSameSize(name: string, ...ts: Tensor[]): number {
  const n = ts[0].size;
  for (const t of ts) expectTensor(name, t, { size: n });
  return n;
}
