// The Studio's controls, generated from one table: every control edits one key of the setup (and of the URL), and
// sits in an element with data-control="<key>" so `hide=<key>,…` in the URL hides it.
import { ACTIVATIONS, INIT_KINDS, MODEL_KINDS, modelOptionKeys, OPTIMIZER_KINDS, REPLAN_IN_PLACE, SCHEDULE_KINDS } from '../../app/session/options.js';
import { DATA_SOURCES, LIVE_KEYS, type StudioSetup } from './setup.js';

type Control =
  | { key: keyof StudioSetup & string; label: string; kind: 'select'; options: readonly string[]; names?: Record<string, string>; when?: (s: StudioSetup) => boolean }
  | { key: keyof StudioSetup & string; label: string; kind: 'number'; min: number; max: number; step: number; log?: boolean; when?: (s: StudioSetup) => boolean }
  | { key: keyof StudioSetup & string; label: string; kind: 'check'; when?: (s: StudioSetup) => boolean }
  | { key: keyof StudioSetup & string; label: string; kind: 'list'; when?: (s: StudioSetup) => boolean };

const usesMomentum = (s: StudioSetup) => s.optimizer === 'momentum' || s.optimizer === 'nesterov';
const usesBetas = (s: StudioSetup) => s.optimizer === 'adam' || s.optimizer === 'adamw';
/** Whether the chosen model reads this option (the others are greyed out). */
const modelReads = (key: string) => (s: StudioSetup) => modelOptionKeys(s.model).includes(key);

export const CONTROL_GROUPS: { title: string; controls: Control[] }[] = [
  {
    title: 'Model',
    controls: [
      { key: 'model', label: 'model', kind: 'select', options: MODEL_KINDS, names: { logreg: 'logistic regression', mlp: 'MLP', lenet5: 'LeNet-5', vgg: 'small VGG + BN', alexnet: 'AlexNet-style' } },
      { key: 'hidden', label: 'hidden sizes', kind: 'list', when: modelReads('hidden') },
      { key: 'activation', label: 'activation', kind: 'select', options: ACTIVATIONS, when: modelReads('activation') },
      { key: 'init', label: 'initialization', kind: 'select', options: INIT_KINDS, names: { pytorch: 'PyTorch default', small: 'small random (0.01·N(0,1))', xavier: 'Xavier', glorot: 'Glorot (uniform)', he: 'He', zeros: 'zeros (no symmetry breaking)' } },
      { key: 'dropout', label: 'dropout', kind: 'number', min: 0, max: 0.95, step: 0.05, when: modelReads('dropout') },
      { key: 'batchNorm', label: 'batch norm', kind: 'check', when: modelReads('batchNorm') },
    ],
  },
  {
    title: 'Optimizer',
    controls: [
      { key: 'optimizer', label: 'optimizer', kind: 'select', options: OPTIMIZER_KINDS, names: { sgd: 'SGD', momentum: 'SGD + momentum', nesterov: 'Nesterov', adagrad: 'AdaGrad', rmsprop: 'RMSProp', adam: 'Adam', adamw: 'AdamW' } },
      { key: 'lr', label: 'learning rate', kind: 'number', min: 0, max: 10, step: 0.0001, log: true },
      { key: 'momentum', label: 'momentum', kind: 'number', min: 0, max: 0.99, step: 0.01, when: usesMomentum },
      { key: 'beta1', label: 'β1', kind: 'number', min: 0, max: 0.999, step: 0.01, when: usesBetas },
      { key: 'beta2', label: 'β2', kind: 'number', min: 0, max: 0.9999, step: 0.001, when: usesBetas },
      { key: 'alpha', label: 'α (RMSProp)', kind: 'number', min: 0, max: 0.9999, step: 0.01, when: (s) => s.optimizer === 'rmsprop' },
      { key: 'l2', label: 'L2 (weight decay)', kind: 'number', min: 0, max: 1, step: 0.0001, log: true },
      { key: 'schedule', label: 'lr schedule', kind: 'select', options: SCHEDULE_KINDS, names: { constant: 'constant', power: 'η₀ / t^p', step: 'step decay', cosine: 'cosine' } },
      { key: 'power', label: 'p (η₀ / t^p)', kind: 'number', min: 0, max: 2, step: 0.05, when: (s) => s.schedule === 'power' },
      { key: 'stepEvery', label: 'decay every (epochs)', kind: 'number', min: 1, max: 1000, step: 1, when: (s) => s.schedule === 'step' },
      { key: 'gamma', label: 'γ (step decay)', kind: 'number', min: 0.001, max: 1, step: 0.05, when: (s) => s.schedule === 'step' },
      { key: 'warmup', label: 'warm-up steps', kind: 'number', min: 0, max: 1e6, step: 1 },
    ],
  },
  {
    title: 'Data and run',
    controls: [
      { key: 'data', label: 'data', kind: 'select', options: DATA_SOURCES, names: { auto: 'Fashion-MNIST if served, else sample', served: 'Fashion-MNIST (served)', sample: 'built-in sample' } },
      { key: 'batchSize', label: 'batch size', kind: 'number', min: 1, max: 512, step: 1 },
      { key: 'epochs', label: 'epochs', kind: 'number', min: 1, max: 10000, step: 1 },
      { key: 'subset', label: 'training subset (0: all)', kind: 'number', min: 0, max: 60000, step: 10 },
      { key: 'valFraction', label: 'validation fraction', kind: 'number', min: 0, max: 0.9, step: 0.05 },
      { key: 'seed', label: 'seed', kind: 'number', min: 0, max: 2 ** 32 - 1, step: 1 },
    ],
  },
];

const LIVE = new Set<string>(LIVE_KEYS);
const IN_PLACE = new Set<string>(REPLAN_IN_PLACE);

/**
 * Builds the controls into `root`. `onChange` gets the new setup after each edit; `refresh(setup)` shows a setup's
 * values (after a reset or load) and which controls apply to it.
 */
export function mountControls(root: HTMLElement, initial: StudioSetup, onChange: (s: StudioSetup) => void): { refresh(s: StudioSetup): void } {
  let current = { ...initial };
  const rows: { c: Control; el: HTMLElement; input: HTMLInputElement | HTMLSelectElement }[] = [];
  for (const group of CONTROL_GROUPS) {
    const fieldset = document.createElement('fieldset');
    fieldset.innerHTML = `<legend>${group.title}</legend>`;
    for (const c of group.controls) {
      const el = document.createElement('label');
      el.dataset.control = c.key;
      el.className = 'control';
      el.title = LIVE.has(c.key) ? 'changes take effect at the next step, without re-planning'
        : IN_PLACE.has(c.key) ? 're-plans the step at the next step; the run keeps its weights, optimizer state and curves'
          : 'starts a new run (new model and optimizer) once training has begun';
      const span = document.createElement('span');
      span.textContent = c.label + (LIVE.has(c.key) ? ' ⚡' : IN_PLACE.has(c.key) ? ' ↻' : '');
      let input: HTMLInputElement | HTMLSelectElement;
      if (c.kind === 'select') {
        input = document.createElement('select');
        for (const o of c.options) input.append(new Option(c.names?.[o] ?? o, o));
      } else {
        input = document.createElement('input');
        if (c.kind === 'check') input.type = 'checkbox';
        else if (c.kind === 'list') { input.type = 'text'; input.placeholder = 'e.g. 128,64'; }
        else { input.type = 'number'; input.min = String(c.min); input.max = String(c.max); input.step = c.log ? 'any' : String(c.step); }
      }
      input.name = c.key;
      input.addEventListener('change', () => {
        const v = readInput(c, input);
        if (v === undefined) { input.classList.add('invalid'); return; }
        input.classList.remove('invalid');
        current = { ...current, [c.key]: v };
        show(current);
        onChange(current);
      });
      el.append(span, input);
      fieldset.append(el);
      rows.push({ c, el, input });
    }
    root.append(fieldset);
  }
  function show(s: StudioSetup): void {
    for (const { c, el, input } of rows) {
      const v = s[c.key]!;
      if (c.kind === 'check') (input as HTMLInputElement).checked = Boolean(v);
      else if (document.activeElement !== input) input.value = Array.isArray(v) ? v.join(',') : String(v);
      el.classList.toggle('not-used', c.when ? !c.when(s) : false);
    }
  }
  show(current);
  return { refresh(s) { current = { ...s }; show(current); } };
}

function readInput(c: Control, input: HTMLInputElement | HTMLSelectElement): StudioSetup[string] | undefined {
  if (c.kind === 'select') return input.value;
  if (c.kind === 'check') return (input as HTMLInputElement).checked;
  if (c.kind === 'list') {
    const xs = input.value.split(',').map((x) => Number(x.trim()));
    return xs.length > 0 && xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 65536) ? xs : undefined;
  }
  const n = Number(input.value);
  const whole = c.step === 1;
  return input.value.trim() !== '' && Number.isFinite(n) && n >= c.min && n <= c.max && (!whole || Number.isInteger(n)) ? n : undefined;
}
