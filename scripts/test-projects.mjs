/** The Vitest projects of vitest.config.ts (it checks its projects against this list), for scripts/test.mjs. */
export const PROJECTS = ['node', 'dawn', 'dawn-own', 'pages', 'browser', 'browser-own'];
/** Projects whose files Vitest runs one at a time after all the others: `npm test` starts them next to the rest. */
export const LAST_GROUP = ['dawn-own', 'pages'];
