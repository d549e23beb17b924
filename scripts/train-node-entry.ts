// `npm run train -- --node`: the training child process (Node + dawn.node), bundled by scripts/train-node.ts
// and forked with an IPC channel. argv[2] is the SessionRequest as JSON; it sends TrainMessages, then
// { type: 'result' } or { type: 'error' }, and exits.
import { create, globals } from 'webgpu';
import { trainSession, type SessionRequest, type SessionResult, type TrainMessage } from './train-session.js';

export type ChildMessage = TrainMessage | { type: 'result'; result: SessionResult } | { type: 'error'; message: string };

const send = (m: ChildMessage, then?: () => void) => process.send!(m, undefined, {}, then);

// The library reads GPUBufferUsage & co. as globals, as in a browser.
Object.assign(globalThis, globals);
// Module scope keeps the GPU object alive until exit: dawn tears the device down when it is collected.
const gpu = create([]) as GPU;

try {
  const request = JSON.parse(process.argv[2]!) as SessionRequest;
  const result = await trainSession(gpu, { dir: request.dataDir }, request, send);
  // Exit only once the (possibly large) result has been handed to the channel.
  send({ type: 'result', result }, () => process.exit(0));
} catch (e) {
  send({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) }, () => process.exit(1));
}
