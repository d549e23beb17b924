/** Every error the library throws derives from WgslNNError, so callers can catch ours apart from theirs. */
export class WgslNNError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Shapes that an op cannot combine; thrown before any GPU work. */
export class ShapeError extends WgslNNError {
  constructor(readonly op: string, readonly shapes: readonly (readonly number[])[], readonly rule: string) {
    super(`${op}: ${rule}; got shapes ${shapes.map(formatShape).join(', ')}`);
  }
}

/** A dtype an op does not accept; thrown before any GPU work. */
export class DTypeError extends WgslNNError {
  constructor(readonly op: string, readonly dtypes: readonly string[], readonly rule: string) {
    super(`${op}: ${rule}; got dtypes ${dtypes.join(', ')}`);
  }
}

/** An argument that is neither a shape nor a dtype problem (bad axis, bad option, disposed tensor…). */
export class ArgumentError extends WgslNNError {
  constructor(readonly op: string, detail: string) {
    super(`${op}: ${detail}`);
  }
}

/** Context attached to GPU-side errors: the ops and kernels that were encoded when it happened. */
export interface GPUErrorContext {
  ops: readonly string[];
  kernels: readonly string[];
}

function describe(ctx: GPUErrorContext): string {
  const list = (xs: readonly string[]) => (xs.length > 8 ? [...xs.slice(0, 4), '…', ...xs.slice(-4)] : xs).join(', ');
  return `ops [${list(ctx.ops)}], kernels [${list(ctx.kernels)}]`;
}

export class GPUValidationError extends WgslNNError {
  constructor(readonly gpuMessage: string, readonly context: GPUErrorContext) {
    super(`WebGPU validation error in ${describe(context)}: ${gpuMessage}`);
  }
}

export class GPUOutOfMemoryError extends WgslNNError {
  constructor(readonly gpuMessage: string, readonly context: GPUErrorContext) {
    super(`WebGPU out of memory in ${describe(context)}: ${gpuMessage}`);
  }
}

export class GPUInternalError extends WgslNNError {
  constructor(readonly gpuMessage: string, readonly context: GPUErrorContext) {
    super(`WebGPU internal error in ${describe(context)}: ${gpuMessage}`);
  }
}

export class DeviceLostError extends WgslNNError {
  constructor(readonly reason: string, readonly gpuMessage: string, readonly context?: GPUErrorContext) {
    super(`WebGPU device lost (${reason}): ${gpuMessage}${context ? ` after ${describe(context)}` : ''}`);
  }
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** `init` found no WebGPU (no GPU object, or no adapter); the message says what to try on `platform`. */
export class WebGPUUnavailableError extends WgslNNError {
  constructor(readonly platform: 'node' | 'browser', readonly problem: string, hint: string) {
    super(`init: ${problem}. ${hint}`);
  }
}
