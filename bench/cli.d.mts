export const HELP: Record<'main' | 'overhead' | 'browser' | 'gpu' | 'profile', string>;
export const COMMANDS: readonly string[];
export class BenchUsageError extends Error {}
export function parseBenchArgs(argv: readonly string[]): { commands: string[]; rest: string[]; help: string | undefined };
