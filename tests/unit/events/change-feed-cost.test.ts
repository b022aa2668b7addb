import type { OrderEvent } from '#domain/order-events';
import { changeFeedCost } from '../../../bench/lib/change-feed-cost';

const PRICES: Record<string, number> = {
  dynamoDbStreamsLambdaReads: 0,
  lambdaPerRequest: 0.0000002,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaX86PerGbSecond: 0.0000166667,
  eventBridgePerCustomEvent: 0.000001,
  eventBridgeArchivePerGbProcessed: 0.1,
  eventBridgeArchivePerGbMonth: 0.023,
  apiGatewayWebSocketPerMessage: 0.000001,
  apiGatewayWebSocketPerConnectionMinute: 0.00000025,
};
const ASSUMPTIONS: Record<string, number> = { streamRecordsPerInvocation: 2, publishOrderChangesBilledMs: 50, webSocketSubscribersPerOrder: 1, webSocketMinutesPerSubscriber: 2 };
const price = (name: string) => PRICES[name] ?? Number.NaN;
const assume = (name: string) => ASSUMPTIONS[name] ?? Number.NaN;
const event = (padding: number): OrderEvent => ({ detailType: 'OrderPlaced', time: 't', detail: { pad: 'x'.repeat(padding) } as unknown as OrderEvent['detail'] });

describe('changeFeedCost', () => {
  const paths = [
    { kind: 'a', share: 0.75, streamRecords: 4, events: [event(10), event(10)] },
    { kind: 'b', share: 0.25, streamRecords: 8, events: [event(70 * 1024)] },
  ];
  const { lines, streamRecordsPerOrder, eventsPerOrder } = changeFeedCost(paths, price, assume, { memoryMb: 512, arm: true });
  const usd = (service: string) => lines.find((line) => line.service.startsWith(service))?.usd ?? Number.NaN;

  it('weights records and events by path share', () => {
    expect(streamRecordsPerOrder).toBeCloseTo(5);
    expect(eventsPerOrder).toBeCloseTo(1.75);
  });

  it('prices stream reads by the Lambda trigger at zero, and invocations from records per batch', () => {
    expect(usd('DynamoDB Streams')).toBe(0);
    expect(usd('PublishOrderChanges requests')).toBeCloseTo(2.5 * 0.0000002, 12);
    expect(usd('PublishOrderChanges duration')).toBeCloseTo(2.5 * 0.05 * 0.5 * 0.0000133334, 12);
  });

  it('bills PutEvents per 64 KB chunk, so a 70 KB event counts twice', () => {
    expect(usd('EventBridge PutEvents')).toBeCloseTo((0.75 * 2 + 0.25 * 2) * 0.000001, 12);
  });

  it('bills one WebSocket message on connect plus one per change, and the connection minutes', () => {
    expect(usd('API Gateway WebSocket messages')).toBeCloseTo(6 * 0.000001, 12);
    expect(usd('API Gateway WebSocket connection minutes')).toBeCloseTo(2 * 0.00000025, 12);
  });
});
