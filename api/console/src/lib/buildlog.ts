import type { BuildStatusEvent, BuildStep, StepLogEvent, StepProgressEvent } from './types';
import { newText } from './tail';

export interface StepView extends BuildStep {
  running: boolean;
  output_bytes?: number;
}

export interface StreamEvent {
  name: string;
  data: string;
}

/**
 * A build's steps as its event stream draws them. The stream replays the history to every new connection (status,
 * then each step's start and end), then tails the running step's output as `log` events of new text only. After a
 * reconnect, the first `log` of each stream of the running step carries its whole tail again, so that one is
 * trimmed by overlap with what is shown; later ones are appended as they come. A replayed `step-end` is merged the
 * same way, so no line is shown twice.
 */
export class BuildLog {
  status: BuildStatusEvent | undefined;
  private readonly byNumber = new Map<number, StepView>();
  /** step/stream pairs whose next log may repeat what is shown: every pair, right after a (re)connection. */
  private resyncing = true;
  private readonly resynced = new Set<string>();

  steps(): StepView[] {
    return [...this.byNumber.values()].sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
  }

  /** A new connection is about to replay the history. */
  reconnected(): void {
    this.resyncing = true;
    this.resynced.clear();
  }

  /** True when the event was the build's terminal status: the stream ends after it. */
  apply(event: StreamEvent): boolean {
    switch (event.name) {
      case 'status': {
        this.status = JSON.parse(event.data) as BuildStatusEvent;
        const status = this.status.status;
        return status === 'success' || status === 'failed' || status === 'cancelled';
      }
      case 'step-start':
        this.started(JSON.parse(event.data) as BuildStep);
        return false;
      case 'step-end':
        this.ended(JSON.parse(event.data) as BuildStep);
        return false;
      case 'progress': {
        const progress = JSON.parse(event.data) as StepProgressEvent;
        const step = this.byNumber.get(progress.step ?? -1);
        if (step) {
          step.elapsed_ms = progress.elapsed_ms;
          step.output_bytes = progress.output_bytes;
        }
        return false;
      }
      case 'log':
        this.logged(JSON.parse(event.data) as StepLogEvent);
        return false;
      default:
        return false;
    }
  }

  private started(data: BuildStep): void {
    const number = data.step ?? 0;
    const existing = this.byNumber.get(number);
    if (existing?.running) {
      // The replay of a start already shown: the output tailed so far stays.
      existing.phase = data.phase;
      existing.command = data.command;
      return;
    }
    // A new step, or an ended one starting again (retried on another host): it begins with no output. A replayed
    // step-end follows at once for a step that had ended, and brings its output back.
    this.byNumber.set(number, { step: number, phase: data.phase, command: data.command, stdout: '', stderr: '', running: true });
  }

  private ended(data: BuildStep): void {
    const number = data.step ?? 0;
    const shown = this.byNumber.get(number) ?? { step: number, stdout: '', stderr: '', running: true };
    this.byNumber.set(number, {
      ...shown,
      phase: data.phase,
      command: data.command,
      stdout: (shown.stdout ?? '') + newText(shown.stdout ?? '', data.stdout ?? ''),
      stderr: (shown.stderr ?? '') + newText(shown.stderr ?? '', data.stderr ?? ''),
      exit_code: data.exit_code,
      ok: data.ok,
      elapsed_ms: data.elapsed_ms,
      running: false,
    });
  }

  private logged(data: StepLogEvent): void {
    const step = this.byNumber.get(data.step ?? -1);
    if (!step || !data.text) {
      return;
    }
    const stream = data.stream === 'stderr' ? 'stderr' : 'stdout';
    const key = `${data.step}/${stream}`;
    const shown = step[stream] ?? '';
    const overlapping = this.resyncing && !this.resynced.has(key);
    this.resynced.add(key);
    step[stream] = shown + (overlapping ? newText(shown, data.text) : data.text);
  }
}

/**
 * Splits server-sent events out of text chunks as they arrive; comments (the keep-alives) are dropped. Keeps a
 * partial event across chunks.
 */
export class SseParser {
  private buffer = '';

  push(chunk: string): StreamEvent[] {
    this.buffer += chunk.replace(/\r\n/g, '\n');
    const events: StreamEvent[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let name = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') {
          name = value;
        } else if (field === 'data') {
          data.push(value);
        }
      }
      if (data.length > 0) {
        events.push({ name, data: data.join('\n') });
      }
    }
    return events;
  }
}
