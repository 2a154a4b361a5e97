// A workflow history as a JSON file, and back. Not the SDK's historyToJSON/historyFromJSON: with
// two copies of protobufjs in node_modules (@temporalio/common's and @temporalio/proto's) their
// protojson refuses the proto package's types ("type must be a Type"). protobufjs's own
// toObject/fromObject round-trip through the same types the client and worker use.
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
// CommonJS: its namespaces are on the default export under Node's ESM
const { History } = proto.temporal.api.history.v1;

/** Longs as decimal strings, bytes (payload data) as base64, enums by name: stable, readable JSON. */
export function historyToFile(history: History): string {
  const object = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  return JSON.stringify(object, null, 2) + '\n';
}

export function historyFromFile(text: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(text) as Record<string, unknown>);
}

/** The workflow type a history ran: its first event starts it. */
export function workflowTypeOf(history: History): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
}

/** The task queue a history ran on (its workflows derive child and pool ids from it). */
export function taskQueueOf(history: History): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.taskQueue?.name ?? undefined;
}
