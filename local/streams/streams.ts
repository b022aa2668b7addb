import { join } from 'node:path';
import type { LambdaInvoker } from '../lambda/lambda-service';
import type { LocalStreamMapping } from '../template/local-template';
import type { StreamLog } from './stream-log';
import { StreamMapping, type StreamMappingOptions } from './stream-mapping';

export interface RunningStreams {
  logs: ReadonlyMap<string, StreamLog>;
  mappings: StreamMapping[];
  /** Mappings whose stream is not a table of this template (they do not run), for the start-up warnings. */
  unconnected: string[];
  /** Starts the event source mappings (once the functions can be invoked). */
  startMappings(): void;
  stop(): Promise<void>;
}

/**
 * The functions' `Type: DynamoDB` event source mappings on the streams of the template's tables
 * (`logs`, by stream ARN: the records the streams front in dynalite's process appends, see
 * local/storage/storage.ts). Checkpoints live under `dataDir`.
 */
export function startStreams(options: {
  logs: ReadonlyMap<string, StreamLog>;
  mappings: LocalStreamMapping[];
  dataDir: string;
  lambda: LambdaInvoker;
  sendToQueue: StreamMappingOptions['sendToQueue'];
  log: (line: string) => void;
  retryDelayMs?: number;
}): RunningStreams {
  const { logs } = options;
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
    logs,
    mappings,
    unconnected,
    startMappings: () => { for (const mapping of mappings) mapping.start(); },
    stop: async () => {
      await Promise.all(mappings.map((mapping) => mapping.stop()));
    },
  };
}
