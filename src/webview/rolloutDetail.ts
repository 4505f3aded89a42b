import type { RolloutRecord } from '../protocol/events';
import type { ModuleCallRecord } from '../protocol/trace';
import { h, pre, section } from './dom';
import { formatScore } from '../protocol/scoreFormat';
import { fmtNum, toJson } from './format';
import { POLICY_HELP } from './vocabulary';

/** Everything recorded about one rollout: inputs, outputs and every module call, as text. */
export function rolloutDetail(r: RolloutRecord): HTMLElement {
  const head = h(
    'div',
    { cls: 'kv' },
    kv('example', `${r.exampleIndex} (dataset #${r.datasetIndex})`),
    kv('rollout', r.rolloutIndex),
    kv('policy', r.teacher, POLICY_HELP),
    kv('reward', formatScore(r.reward)),
    kv('reward kind', r.rewardKind),
    kv('calls', r.trace.length),
  );
  return h(
    'div',
    { cls: 'rollout-detail' },
    head,
    r.error ? h('div', { cls: 'error' }, pre(r.error, 'text error-text')) : null,
    section('Inputs', false, pre(toJson(r.inputs))),
    section('Outputs', true, pre(r.outputs === undefined ? '(none)' : toJson(r.outputs))),
    ...r.trace.map((c, i) => callView(c, i)),
  );
}

function kv(key: string, value: string | number, title?: string): HTMLElement {
  return h('span', { cls: 'kv-item', title }, h('span', { cls: 'kv-key' }, key), ' ', h('span', { cls: 'kv-value' }, String(value)));
}

function callView(c: ModuleCallRecord, i: number): HTMLElement {
  const meta = [`#${i}`, `${c.module}[${c.invocation}]`, `${fmtNum(c.latencyMs, 0)} ms`];
  if (c.usage) meta.push(`${c.usage.promptTokens}+${c.usage.completionTokens} tokens`);
  if (c.model) meta.push(c.model);
  const status = c.error ? 'error' : c.parseError ? 'parse failure' : 'ok';
  const box = section(`${meta.join(' · ')} · ${status}`, c.error !== undefined || c.parseError !== undefined);
  box.classList.add('call', `call-${status.replace(' ', '-')}`);
  const messages = h('div', { cls: 'messages' }, ...c.messages.map((m) => h('div', { cls: `message role-${safeRole(m.role)}` }, h('div', { cls: 'role' }, m.role), pre(m.content))));
  box.appendChild(section(`Messages (${c.messages.length})`, false, messages));
  box.appendChild(h('div', { cls: 'label' }, 'Completion'));
  box.appendChild(pre(c.completion === null ? '(no completion)' : c.completion, 'text completion'));
  if (c.outputs) box.appendChild(section('Parsed outputs', true, pre(toJson(c.outputs))));
  if (c.parseError) {
    const p = c.parseError;
    box.appendChild(h('div', { cls: 'error' }, `Parse failure: ${p.message} (parsed: ${p.parsedFields.join(', ') || 'none'}; missing: ${p.missingFields.join(', ') || 'none'})`));
  }
  if (c.error) box.appendChild(h('div', { cls: 'error' }, pre(c.error, 'text error-text')));
  if (c.sampling) box.appendChild(section('Sampling', false, pre(toJson(c.sampling))));
  return box;
}

/** Roles become class names: keep only known ones so data cannot pick arbitrary classes. */
function safeRole(role: string): string {
  return role === 'system' || role === 'user' || role === 'assistant' ? role : 'other';
}
