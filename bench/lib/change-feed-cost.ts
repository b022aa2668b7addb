import type { OrderEvent } from '#domain/order-events';
import type { OrderChange } from '#domain/order-events';
import { orderEvents } from '#domain/order-events';

/*
 * What the change feed adds per order on AWS: the orders stream (free to a Lambda trigger),
 * PublishOrderChanges, PutEvents, the archive, and WebSocket push (messages and connection minutes).
 * Usage comes from the writes each saga path really makes (recorded on the real ASL); the prices
 * and the stated assumptions come from bench/prices.json.
 */

/** One saga path's writes to the orders table (its stream records) and the events they yield. */
export interface PathFeed {
  kind: string;
  share: number;
  streamRecords: number;
  events: OrderEvent[];
}

/** A path's stream records and domain events, from its recorded writes. */
export function pathFeed(kind: string, share: number, changes: readonly OrderChange[]): PathFeed {
  return { kind, share, streamRecords: changes.length, events: changes.flatMap(orderEvents) };
}

export interface FeedLine {
  service: string;
  usage: string;
  usd: number;
}

/** The added cost of one order, by service, for a mix of paths. */
export function changeFeedCost(
  paths: readonly PathFeed[],
  price: (name: string) => number,
  assume: (name: string) => number,
  publisher: { memoryMb: number; arm: boolean },
): { lines: FeedLine[]; streamRecordsPerOrder: number; eventsPerOrder: number; meanEventBytes: number } {
  const totalShare = paths.reduce((sum, path) => sum + path.share, 0);
  const weighted = (value: (path: PathFeed) => number) => paths.reduce((sum, path) => sum + path.share * value(path), 0) / totalShare;
  const records = weighted((path) => path.streamRecords);
  const events = weighted((path) => path.events.length);
  // What EventBridge meters and archives: the entry as published (detail-type, source, detail, time).
  const eventBytes = (event: OrderEvent) => Buffer.byteLength(JSON.stringify({ 'detail-type': event.detailType, source: 'order-processing', time: event.time, detail: event.detail }));
  const bytesPerOrder = weighted((path) => path.events.reduce((sum, event) => sum + eventBytes(event), 0));
  const chunksPerOrder = weighted((path) => path.events.reduce((sum, event) => sum + Math.ceil(eventBytes(event) / (64 * 1024)), 0));
  const invocations = records / assume('streamRecordsPerInvocation');
  const gbSeconds = invocations * (assume('publishOrderChangesBilledMs') / 1000) * (publisher.memoryMb / 1024);
  const subscribers = assume('webSocketSubscribersPerOrder');
  // The view on connect, then one message per change of the order.
  const messages = subscribers * (1 + records);
  const minutes = subscribers * assume('webSocketMinutesPerSubscriber');
  const gb = bytesPerOrder / 2 ** 30;
  const lines: FeedLine[] = [
    { service: 'DynamoDB Streams (read by the Lambda trigger)', usage: `${records.toFixed(2)} stream records`, usd: price('dynamoDbStreamsLambdaReads') },
    { service: 'PublishOrderChanges requests', usage: `${invocations.toFixed(2)} invocations (${String(assume('streamRecordsPerInvocation'))} records each)`, usd: invocations * price('lambdaPerRequest') },
    {
      service: 'PublishOrderChanges duration',
      usage: `${(gbSeconds * 1000).toFixed(1)} GB-ms (${String(assume('publishOrderChangesBilledMs'))} ms at ${String(publisher.memoryMb)} MB, stated)`,
      usd: gbSeconds * (publisher.arm ? price('lambdaArmPerGbSecond') : price('lambdaX86PerGbSecond')),
    },
    { service: 'EventBridge PutEvents', usage: `${events.toFixed(2)} events (${chunksPerOrder.toFixed(2)} 64 KB chunks)`, usd: chunksPerOrder * price('eventBridgePerCustomEvent') },
    {
      service: 'EventBridge archive (ingest + 1 month stored)',
      usage: `${(bytesPerOrder / 1024).toFixed(2)} KB`,
      usd: gb * price('eventBridgeArchivePerGbProcessed') + gb * price('eventBridgeArchivePerGbMonth'),
    },
    { service: 'API Gateway WebSocket messages', usage: `${messages.toFixed(2)} messages (view on connect + one per change)`, usd: messages * price('apiGatewayWebSocketPerMessage') },
    { service: 'API Gateway WebSocket connection minutes', usage: `${String(subscribers)} subscriber × ${String(assume('webSocketMinutesPerSubscriber'))} min`, usd: minutes * price('apiGatewayWebSocketPerConnectionMinute') },
  ];
  return { lines, streamRecordsPerOrder: records, eventsPerOrder: events, meanEventBytes: events > 0 ? bytesPerOrder / events : 0 };
}
