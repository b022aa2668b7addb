import { join } from 'node:path';
import type { LambdaInvoker } from '../lambda/lambda-service';
import type { LocalStreamMapping, LocalTable } from '../template/local-template';
import { StreamCaptureProxy } from './capture-proxy';
import { StreamLog } from './stream-log';
import { StreamMapping, type StreamMappingOptions } from './stream-mapping';

export interface RunningStreams {
  /** The port the capture proxy (the DynamoDB endpoint every client uses) listens on. */
  port: number;
  logs: Map<string, StreamLog>;
  mappings: StreamMapping[];
  /** Mappings whose stream is not a table of this template (they do not run), for the start-up warnings. */
  unconnected: string[];
  /** Starts the event source mappings (once the functions can be invoked). */
  startMappings(): void;
  stop(): Promise<void>;
}

/**
 * DynamoDB Streams for the template's tables with a StreamSpecification, and the functions'
 * `Type: DynamoDB` event source mappings on them. Streams and checkpoints live under `dataDir`.
 */
export async function startStreams(options: {
  tables: LocalTable[];
  mappings: LocalStreamMapping[];
  dataDir: string;
  region: string;
  dynamodbPort: number;
  dynamodbHost: string;
  listen: { port: number; host: string };
  lambda: LambdaInvoker;
  sendToQueue: StreamMappingOptions['sendToQueue'];
  log: (line: string) => void;
  retryDelayMs?: number;
}): Promise<RunningStreams> {
  const logs = new Map<string, StreamLog>();
  const entries = options.tables.map((table) => {
    const log = table.stream ? new StreamLog({ tableName: table.name, streamArn: table.stream.arn, viewType: table.stream.viewType }, join(options.dataDir, 'streams'), options.region) : undefined;
    if (log && table.stream) logs.set(table.stream.arn, log);
    return { tableName: table.name, keyNames: table.keySchema.map((key) => key.AttributeName), log };
  });
  const proxy = new StreamCaptureProxy(entries, options.dynamodbPort, options.dynamodbHost);
  const repaired = await proxy.recover();
  if (repaired > 0) options.log(`DynamoDB Streams: ${String(repaired)} record(s) of writes interrupted by the last stop appended`);
  const port = await proxy.start(options.listen.port, options.listen.host);
  const unconnected: string[] = [];
  const mappings = options.mappings.flatMap((mapping) => {
    const log = logs.get(mapping.streamArn);
    if (!log) {
      unconnected.push(`${mapping.id}: stream ${mapping.streamArn} is not a stream of a table in this template; the mapping does not run`);
      return [];
    }
    return [new StreamMapping(mapping, log, options.lambda, {
      checkpointDir: join(options.dataDir, 'streams', 'checkpoints'),
      sendToQueue: options.sendToQueue,
      log: options.log,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    })];
  });
  return {
    port,
    logs,
    mappings,
    unconnected,
    startMappings: () => { for (const mapping of mappings) mapping.start(); },
    stop: async () => {
      await Promise.all(mappings.map((mapping) => mapping.stop()));
      await proxy.close();
    },
  };
}
