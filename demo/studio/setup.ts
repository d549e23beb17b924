// The Studio's setup: the training-session options (app/session/options.ts: the same keys as `npm run train`'s flags,
// so a Studio link and a CLI command describe the same run) plus where the data comes from. It lives in the URL,
// read on load and written back on every change; `hide=` hides controls.
import {
  DEFAULT_OPTIONS, OPTION_KEYS, REPLAN_IN_PLACE, replanKeys, resolveOptions, type SessionOptions,
} from '../../app/session/options.js';

export const DATA_SOURCES = ['auto', 'served', 'sample'] as const;
export type DataSource = (typeof DATA_SOURCES)[number];

export type StudioSetup = SessionOptions & { data: DataSource };

/** The session's defaults (so a CLI command's Studio URL, which leaves defaults out, opens the same run), data found automatically. */
export const DEFAULT_SETUP: StudioSetup = { ...DEFAULT_OPTIONS, hidden: [...DEFAULT_OPTIONS.hidden], data: 'auto' };

/** Options the running step takes as new values (Trainer.apply): no re-planning. */
export const LIVE_KEYS = ['lr', 'l2', 'momentum', 'dropout'] as const;

/** The session's part of the setup. */
export function sessionOptions(s: StudioSetup): SessionOptions {
  const o: Partial<StudioSetup> = {};
  for (const k of OPTION_KEYS) (o as Record<string, unknown>)[k] = s[k];
  return o as SessionOptions;
}

/** What the setup fails, one message per problem ([] when it is valid). */
export function setupProblems(s: StudioSetup): string[] {
  const out: string[] = [];
  if (!DATA_SOURCES.includes(s.data)) out.push(`data must be one of ${DATA_SOURCES.join(', ')}, got ${s.data}`);
  try {
    resolveOptions(sessionOptions(s));
  } catch (e) {
    out.push((e as Error).message.replace(/^session: /, ''));
  }
  return out;
}

export type SetupChange = 'none' | 'live' | 'replan' | 'rebuild';

/**
 * What going from the setup a run was built with (`built`) to `next` takes: nothing, live values, a re-planned step
 * for the same run (batch size), or a new run (`keys`: the options that need it, or 'data').
 */
export function setupChange(built: StudioSetup, current: StudioSetup, next: StudioSetup): { kind: SetupChange; keys: string[] } {
  if (Object.keys(next).every((k) => String(current[k]) === String(next[k]))) return { kind: 'none', keys: [] };
  const keys = replanKeys(sessionOptions(built), sessionOptions(next));
  const rebuild = [...(built.data !== next.data ? ['data'] : []), ...keys.filter((k) => !REPLAN_IN_PLACE.includes(k))];
  if (rebuild.length) return { kind: 'rebuild', keys: rebuild };
  return keys.length ? { kind: 'replan', keys } : { kind: 'live', keys: [] };
}
