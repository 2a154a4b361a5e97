// A shard's metrics history, kept in the job's folder so the page can chart throughput and
// watermark lag whatever restarted in between (the web server, the worker, the job). Writing it
// must never hold up or stop the job: writes go one at a time in the background, a newer sample
// replaces one still waiting, and a failed write is logged and retried with the next checkpoint.
import { streamHistoryPath } from '../contract/layout.ts';
import {
  appendSample,
  parseStreamHistory,
  type JobMetrics,
  type StreamMetricsHistory,
  type StreamMetricsSample,
} from '../contract/streaming.ts';
import type { ObjectStore } from '../storage/index.ts';

export interface HistoryWriter {
  record(checkpointId: number, m: Omit<JobMetrics, 'calibration'>): void;
  /** waits for the write in flight, if any */
  flush(): Promise<void>;
}

/** Reads a shard's history; a missing or unreadable file is an empty history (it is only a chart). */
export async function readHistory(store: ObjectStore, shard: number): Promise<StreamMetricsSample[]> {
  const bytes = await store.get(streamHistoryPath(shard)).catch(() => undefined);
  return bytes ? parseStreamHistory(new TextDecoder().decode(bytes)) : [];
}

export function historyWriter(store: ObjectStore, shard: number, warn: (message: string) => void): HistoryWriter {
  let samples: Promise<StreamMetricsSample[]> = readHistory(store, shard);
  let writing: Promise<void> = Promise.resolve();
  let waiting = false;
  return {
    record(checkpointId, m) {
      const sample: StreamMetricsSample = {
        at: m.lastCheckpointAt,
        checkpointId,
        eventsPerSecond: m.eventsPerSecond,
        watermarkLagMs: m.watermarkLagMs,
        stateKeys: m.stateKeys,
      };
      samples = samples.then((s) => appendSample(s, sample));
      if (waiting) return; // the queued write will take this sample too
      waiting = true;
      writing = writing.then(async () => {
        waiting = false;
        const body: StreamMetricsHistory = { shard, samples: await samples };
        await store.put(streamHistoryPath(shard), JSON.stringify(body)).catch((err: unknown) => {
          warn(`the metrics history of shard ${shard} was not written (the page's charts miss this point): ${(err as Error).message}`);
        });
      });
    },
    flush: () => writing,
  };
}
