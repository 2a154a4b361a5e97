// Long activities heartbeat on a timer as well as at milestones: the heartbeat timeout is how
// fast Temporal notices a dead worker, and a cancel reaches an activity only in a heartbeat's reply.

/** Calls `beat` now and every `everyMs` until the returned function is called. */
export function heartbeatEvery(everyMs: number, beat: () => void): () => void {
  beat();
  const timer = setInterval(beat, everyMs);
  return () => clearInterval(timer);
}
