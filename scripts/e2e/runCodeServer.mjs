// Runs the end-to-end suite (test/vscode/suite) inside a real VS Code 1.100.3
// served by code-server, driven by Debian's chromium through playwright-core:
// no download of VS Code, so it works where only the npm registry and Debian
// packages are reachable. Two phases, each in a fresh copy of the example
// workspace: trusted (the main scenarios) and untrusted (restricted mode).
// Screenshots land in artifacts/screenshots/, logs in artifacts/e2e/.
// Exit code 0 when every phase passes.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { format } from 'node:util';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSuite } from './buildSuite.mjs';
import { startFakePromptModel } from './fakePromptModel.mjs';
import { startUiDriver } from './uiDriver.mjs';
import { prepareWorkspace } from './workspace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = join(root, 'artifacts');
const SHOTS = join(ARTIFACTS, 'screenshots');
const LOGS = join(ARTIFACTS, 'e2e');
const CHROMIUM = process.env.MMGRPO_CHROMIUM ?? '/usr/bin/chromium';
// The trusted phase includes real runs of the local pretrained model on the CPU.
const PHASE_TIMEOUT_MS = { trusted: 50 * 60_000, untrusted: 5 * 60_000 };
// The phases run with a throwaway HOME; the local backend's model stays where
// the test command pulled it (the CLI's documented folder: $MMGRPO_MODELS_DIR,
// else ~/.cache/mmgrpo-studio/models under the real home).
const MODELS_DIR = process.env.MMGRPO_MODELS_DIR ?? join(homedir(), '.cache', 'mmgrpo-studio', 'models');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(port, child, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}; see ${LOGS}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer /healthz on 127.0.0.1:${port} within ${ms / 1000} s`);
}

function startCodeServer(bin, port, dirs, env, phase) {
  const args = [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', '/dev/null',
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened',
    '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions,
  ];
  if (phase === 'trusted') args.push('--disable-workspace-trust');
  const log = createWriteStream(join(LOGS, `${phase}-code-server.log`));
  // Its own process group, so stopping it also stops its extension host and our CLI children.
  const child = spawn(bin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return child;
}

function stopGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 3000).unref();
}

function pageUrl(port, workspace, suite) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(root)], ['extensionTestsPath', remote(suite.replace(/\.js$/, ''))]];
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

async function runPhase(phase, codeServerBin, suite) {
  const { chromium } = await import('playwright-core');
  const tmp = mkdtempSync(join(tmpdir(), `mmgrpo-e2e-${phase}-`));
  const dirs = { home: join(tmp, 'home'), userData: join(tmp, 'user-data'), extensions: join(tmp, 'extensions'), workspace: join(tmp, 'banking77'), browser: join(tmp, 'browser') };
  Object.values(dirs).forEach((d) => mkdirSync(d, { recursive: true }));
  const started = Date.now();
  const models = await startFakePromptModel();
  prepareWorkspace(root, dirs.workspace, { promptBaseUrl: models.baseUrl });
  models.setWorkspace(dirs.workspace);
  let page;
  const ui = await startUiDriver(() => page, SHOTS, phase === 'trusted' ? 'e2e-' : 'e2e-untrusted-');
  const env = {
    ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: join(dirs.home, '.config'), XDG_DATA_HOME: join(dirs.home, '.local', 'share'),
    EXTENSIONS_GALLERY: '{}', MMGRPO_E2E_DRIVER: ui.url, MMGRPO_E2E_PHASE: phase, MMGRPO_E2E_MODELS_URL: models.baseUrl, MMGRPO_MODELS_DIR: MODELS_DIR,
  };
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'update.mode': 'none' }));
  const port = await freePort();
  const server = startCodeServer(codeServerBin, port, dirs, env, phase);
  let context;
  try {
    await waitHealthy(port, server);
    context = await chromium.launchPersistentContext(dirs.browser, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1600, height: 1000 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      env: { ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: join(dirs.home, '.config') },
    });
    page = context.pages()[0] ?? (await context.newPage());
    const hostLog = createWriteStream(join(LOGS, `${phase}-extension-host.log`));
    let exit;
    const exited = new Promise((resolve) => (exit = resolve));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // The host forwards console calls as (format, ...values), like util.format takes them.
      const text = format(...(Array.isArray(args) ? args : [args]));
      hostLog.write(`${text}\n`);
      if (!/^\s*$/.test(text)) process.stdout.write(`  [${phase}] ${text}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => exit(Number(code)));
    await page.goto(pageUrl(port, dirs.workspace, suite));
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), PHASE_TIMEOUT_MS[phase]).unref());
    const code = await Promise.race([exited, timeout]);
    if (code === 'timeout') {
      await page.screenshot({ path: join(SHOTS, `e2e-${phase}-TIMEOUT.png`) }).catch(() => {});
      console.error(`e2e ${phase}: no result after ${PHASE_TIMEOUT_MS[phase] / 60_000} min (logs: ${LOGS})`);
      return { phase, code: 1, seconds: (Date.now() - started) / 1000 };
    }
    return { phase, code, seconds: (Date.now() - started) / 1000 };
  } finally {
    await context?.close().catch(() => {});
    stopGroup(server);
    await ui.close();
    await models.close();
    if (!process.env.MMGRPO_E2E_KEEP) rmSync(tmp, { recursive: true, force: true });
  }
}

export async function main(argv = process.argv.slice(2)) {
  if (!existsSync(CHROMIUM)) {
    console.error(`e2e: no chromium at ${CHROMIUM}. Install it: apt-get install -y chromium (or set MMGRPO_CHROMIUM).`);
    return 1;
  }
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(LOGS, { recursive: true });
  const install = execFileSync('bash', [join(root, 'scripts', 'e2e', 'installCodeServer.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const codeServerDir = install.trim().split('\n').pop();
  const bin = join(codeServerDir, 'node_modules', '.bin', 'code-server');
  if (!existsSync(join(root, 'dist', 'extension.js'))) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const suite = await buildSuite(root);
  const phases = argv.length ? argv : ['trusted', 'untrusted'];
  // Screenshots of an earlier run would pass for this run's.
  for (const f of readdirSync(SHOTS)) if (f.startsWith('e2e-')) rmSync(join(SHOTS, f));
  const results = [];
  for (const phase of phases) {
    console.log(`e2e ${phase}: VS Code 1.100.3 (code-server) + chromium`);
    results.push(await runPhase(phase, bin, suite));
  }
  for (const r of results) console.log(`e2e ${r.phase}: ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(0)} s`);
  console.log(`e2e screenshots: ${SHOTS}; logs: ${LOGS}`);
  return results.every((r) => r.code === 0) ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // A hung browser or server must not hold CI: the phases have their own
  // timeouts, this is the last resort.
  setTimeout(() => {
    console.error('e2e: still running after 65 min; giving up.');
    process.exit(1);
  }, 65 * 60_000).unref();
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`e2e: ${err.stack ?? err}`);
      process.exit(1);
    },
  );
}
