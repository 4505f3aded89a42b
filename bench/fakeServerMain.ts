// Child-process entry: a zero-latency OpenAI-compatible server for benchmarks,
// kept out of the measuring process so the two do not share an event loop.
import { chatCompletion, FakeOpenAIServer } from '../test/fixtures/fakeOpenAIServer';

const content = '[[ ## plan ## ]]\nstep one\n\n[[ ## draft ## ]]\na draft\n\n[[ ## answer ## ]]\nfinal answer\n\n[[ ## completed ## ]]';
const reply = { json: chatCompletion(content, { model: 'bench-model', promptTokens: 50, completionTokens: 20 }) };
const server = new FakeOpenAIServer({ record: false, model: 'bench-model', responder: () => reply });
server.start().then((baseUrl) => process.stdout.write(JSON.stringify({ baseUrl }) + '\n'));
process.stdin.on('close', () => server.close().then(() => process.exit(0)));
process.stdin.resume();
