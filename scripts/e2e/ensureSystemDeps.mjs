// What the browser and VS Code suites need from the system (Debian packages):
// chromium to drive, ripgrep and kerberos headers to install code-server
// offline. Installs them when running as root with apt-get (CI, fresh
// containers); otherwise names the exact command and fails. Idempotent.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDS = [
  { pkg: 'chromium', present: () => existsSync(process.env.MMGRPO_CHROMIUM ?? '/usr/bin/chromium') },
  { pkg: 'ripgrep', present: () => has('rg') },
  { pkg: 'libkrb5-dev', present: () => existsSync('/usr/include/gssapi/gssapi.h') || existsSync('/usr/include/krb5.h') },
];

function has(cmd) {
  try {
    execSync(`command -v ${cmd}`, { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
}

export function ensureSystemDeps() {
  const missing = NEEDS.filter((n) => !n.present()).map((n) => n.pkg);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !has('apt-get')) {
    throw new Error(`The browser and VS Code tests need Debian packages that are missing: ${missing.join(', ')}. Run as root: ${command}`);
  }
  console.error(`Installing ${missing.join(', ')} (${command})`);
  execSync(command, { stdio: 'inherit', shell: '/bin/sh', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  try {
    ensureSystemDeps();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
