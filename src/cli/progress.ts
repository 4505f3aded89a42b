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
          say(`  ${e.split} score ${(e.score * 100).toFixed(1)}% over ${e.count} examples${e.errors ? `, ${e.errors} with errors` : ''}`);
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
