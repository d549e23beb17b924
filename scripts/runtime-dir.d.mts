/** Sets process.env.XDG_RUNTIME_DIR to a fresh 0700 temp folder (removed at exit) when it is unset; returns it. */
export function ensureRuntimeDir(): string;
