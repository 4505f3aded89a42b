// Child-process entry: a zero-latency OpenAI-compatible server for benchmarks,
// kept out of the measuring process so the two do not share an event loop.
import { FakeOpenAIServer } from '../test/fixtures/fakeOpenAIServer';

const content = '[[ ## plan ## ]]\nstep one\n\n[[ ## draft ## ]]\na draft\n\n[[ ## answer ## ]]\nfinal answer\n\n[[ ## completed ## ]]';
const reply = {
  json: {
    id: 'bench', object: 'chat.completion', created: 0, model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 },
  },
};
const server = new FakeOpenAIServer({ record: false, model: 'bench-model', responder: () => reply });
server.start().then((baseUrl) => process.stdout.write(JSON.stringify({ baseUrl }) + '\n'));
process.stdin.on('close', () => server.close().then(() => process.exit(0)));
process.stdin.resume();
