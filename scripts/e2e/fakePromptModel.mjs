// Scripted OpenAI-compatible models on 127.0.0.1 for the end-to-end suite
// (the logic under test is the editor's, not learning):
// - "e2e-prompt-model" answers with a proposed instruction (the embedded
//   model cannot write one), so a run has instruction candidates;
// - "e2e-task-model" plays the Banking77 program's LM: it knows the labels of
//   the workspace's examples and answers right only when the module's
//   instruction asks for a "label", as every proposed one does. A prompt
//   search over it therefore really prefers a proposed instruction, and the
//   run has a prompt diff to show and an instruction to apply.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const PHRASES = [
  'Read the customer message and name the banking topic it is about; answer with one label only.',
  'Decide what the customer needs help with and answer with exactly one of the allowed labels.',
  'Classify the message by the customer problem it describes; prefer the most specific label.',
];

function loadLabels(workspace) {
  const byUtterance = new Map();
  for (const f of ['train.json', 'val.json']) {
    for (const row of JSON.parse(readFileSync(join(workspace, 'data', f), 'utf8'))) byUtterance.set(row.utterance.trim(), row);
  }
  return byUtterance;
}

function taskAnswer(body, labels) {
  const messages = body.messages ?? [];
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const utterance = /\[\[ ## utterance ## \]\]\s*\n([\s\S]*?)(?:\n\s*\n|\n\[\[|$)/.exec(user)?.[1]?.trim() ?? '';
  const field = /\[\[ ## intent ## \]\]|`intent`/.test(system) ? 'intent' : 'category';
  const row = labels.get(utterance);
  const choices = body.guided_choice;
  const right = row?.[field];
  const wrong = Array.isArray(choices) ? choices.find((c) => c !== right) : 'unknown';
  const value = /label/i.test(system) && right ? right : wrong;
  return Array.isArray(choices) ? value : `[[ ## ${field} ## ]]\n${value}\n\n[[ ## completed ## ]]`;
}

/** Start it first (the workspace settings name its URL), then tell it the workspace with setWorkspace. */
export function startFakePromptModel() {
  let n = 0;
  let labels = new Map();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url?.endsWith('/models')) {
        res.end(JSON.stringify({ object: 'list', data: ['e2e-prompt-model', 'e2e-task-model'].map((id) => ({ id, object: 'model', owned_by: 'e2e' })) }));
        return;
      }
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      const request = JSON.parse(body || '{}');
      const text = request.model === 'e2e-task-model' ? taskAnswer(request, labels) : JSON.stringify({ proposed_instruction: PHRASES[n++ % PHRASES.length] });
      res.end(JSON.stringify({
        id: `e2e-${n}`, object: 'chat.completion', created: 0, model: request.model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: text } }],
        usage: { prompt_tokens: Math.ceil(body.length / 4), completion_tokens: Math.ceil(text.length / 4), total_tokens: Math.ceil((body.length + text.length) / 4) },
      }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        baseUrl: `http://127.0.0.1:${port}/v1`,
        /** The workspace whose examples the task model knows (once it exists). */
        setWorkspace: (dir) => (labels = loadLabels(dir)),
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
