import type { RunEvent } from '../protocol/events';

export interface Printer {
  event(event: RunEvent): void;
  done(): void;
}

/** Machines: every event as one JSON line on stdout. */
export function jsonPrinter(out: NodeJS.WritableStream = process.stdout): Printer {
  return { event: (e) => out.write(JSON.stringify(e) + '\n'), done: () => undefined };
}

/** People: a progress bar with ETA on stderr (redrawn on a TTY, periodic lines otherwise). */
export function humanPrinter(err: NodeJS.WriteStream = process.stderr): Printer {
  const tty = Boolean(err.isTTY);
  let started = 0;
  let lastLine = 0;
  let barShown = false;
  const clear = () => {
    if (tty && barShown) err.write('\r\x1b[2K');
    barShown = false;
  };
  const say = (text: string) => {
    clear();
    err.write(text + '\n');
  };
  return {
    event(e) {
      switch (e.type) {
        case 'stage_started':
          started = Date.now();
          say(`▸ ${e.label}`);
          break;
        case 'progress': {
          const line = progressLine(e.done, e.total, Date.now() - started);
          if (tty) {
            err.write('\r\x1b[2K' + line);
            barShown = true;
          } else if (e.done === e.total || Date.now() - lastLine > 5000) {
            lastLine = Date.now();
            err.write(line + '\n');
          }
          break;
        }
        case 'eval_finished':
          say(`  ${e.step !== undefined ? `step ${e.step} ` : ''}${e.split} score ${(e.score * 100).toFixed(1)}% over ${e.count} examples${e.errors ? `, ${e.errors} with errors` : ''}`);
          break;
        case 'step_started':
          started = Date.now();
          break;
        case 'step_finished':
          say(stepLine(e));
          break;
        case 'checkpoint_saved':
          if (e.best && e.valScore !== undefined) say(`  new best: ${(e.valScore * 100).toFixed(1)}% at step ${e.step}`);
          break;
        case 'log':
          say(`${e.level === 'info' ? '' : e.level.toUpperCase() + ': '}${e.message}`);
          break;
        case 'run_finished':
          say(`Run ${e.status}${e.error ? `: ${e.error}` : ''}`);
          break;
        default:
          break;
      }
    },
    done: clear,
  };
}

function stepLine(e: Extract<RunEvent, { type: 'step_finished' }>): string {
  const groups = e.modules.reduce((n, m) => n + m.groups, 0);
  const trained = e.modules.reduce((n, m) => n + m.trainedGroups, 0);
  const loss = e.trainer['trainer/loss'];
  const fails = e.rollouts.formatFailures + e.rollouts.failures;
  return `  step ${e.step}: reward ${e.rewardMean.toFixed(3)} ± ${e.rewardStd.toFixed(3)}, groups ${trained}/${groups} trained${loss !== undefined ? `, loss ${loss.toFixed(4)}` : ''}${fails ? `, ${fails} failed rollouts` : ''}`;
}

export function progressLine(done: number, total: number, elapsedMs: number): string {
  const width = 28;
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(frac * width);
  const eta = done > 0 && done < total ? ` ETA ${formatDuration(((total - done) * elapsedMs) / done)}` : '';
  return `  [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} ${formatDuration(elapsedMs)}${eta}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
