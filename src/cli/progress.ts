import type { RunEvent } from '../protocol/events';
import { eventNarrator } from '../engine/runs/eventText';

interface Printer {
  event(event: RunEvent): void;
  done(): void;
}

/** Machines: every event as one JSON line on stdout. */
export function jsonPrinter(out: NodeJS.WritableStream = process.stdout): Printer {
  return { event: (e) => out.write(JSON.stringify(e) + '\n'), done: () => undefined };
}

/** People: the shared event lines (engine/runs/eventText) and a progress bar with ETA on stderr (redrawn on a TTY, periodic lines otherwise). */
export function humanPrinter(err: NodeJS.WriteStream = process.stderr): Printer {
  const tty = Boolean(err.isTTY);
  const clock = new EtaClock();
  const narrate = eventNarrator();
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
      if (e.type === 'stage_started' || e.type === 'step_started') clock.restart();
      if (e.type !== 'progress') {
        for (const line of narrate(e)) say(line);
        return;
      }
      const { elapsedMs, etaMs } = clock.update(e.stage, e.done, e.total, Date.now());
      const line = progressLine(e.done, e.total, elapsedMs, etaMs);
      if (tty) {
        err.write('\r\x1b[2K' + line);
        barShown = true;
      } else if (e.done === e.total || Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        err.write(line + '\n');
      }
    },
    done: clear,
  };
}

export function progressLine(done: number, total: number, elapsedMs: number, etaMs?: number): string {
  const width = 28;
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(frac * width);
  const eta = etaMs !== undefined && done < total ? ` ETA ${formatDuration(etaMs)}` : '';
  return `  [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} ${formatDuration(elapsedMs)}${eta}`;
}

/** Items a stage must finish before its ETA shows: one slow first item (a cold cache, a model load) says little. */
export const ETA_MIN_ITEMS = 3;
/** Items in the moving window the rate is measured over, so the ETA follows a rate that changes. */
const ETA_WINDOW = 20;

/**
 * Elapsed time and ETA of the current progress stage. The clock restarts
 * whenever the progress stage changes or its count starts over (a training
 * step's rollouts, then its validation), so one stage's time never leaks into
 * another's estimate.
 */
export class EtaClock {
  /** Stage and total of the progress being timed; undefined right after a restart. */
  private key: string | undefined;
  private lastDone = 0;
  private lastAt = Date.now();
  private startedAt = this.lastAt;
  private samples: { t: number; done: number }[] = [{ t: this.lastAt, done: 0 }];

  /** Records `done` of `total` for `stage` at time `now`; returns the elapsed time and, once known, the ETA. */
  update(stage: string, done: number, total: number, now: number): { elapsedMs: number; etaMs?: number } {
    const key = `${stage}\u0000${total}`;
    // A stage that changes without a stage_started began when the previous one's last item ended.
    if (this.key !== undefined && (key !== this.key || done < this.lastDone)) this.restart(this.lastAt);
    this.key = key;
    this.lastDone = done;
    this.lastAt = now;
    this.samples.push({ t: now, done });
    if (this.samples.length > ETA_WINDOW + 1) this.samples.shift();
    const elapsedMs = now - this.startedAt;
    if (done < ETA_MIN_ITEMS || done >= total) return { elapsedMs };
    const first = this.samples[0];
    const items = done - first.done;
    const span = now - first.t;
    if (items <= 0 || span <= 0) return { elapsedMs };
    return { elapsedMs, etaMs: ((total - done) * span) / items };
  }

  /** A new stage or training step starts at `now` (its first progress event may come much later). */
  restart(now = Date.now()): void {
    this.key = undefined;
    this.lastDone = 0;
    this.lastAt = now;
    this.startedAt = now;
    this.samples = [{ t: now, done: 0 }];
  }
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
