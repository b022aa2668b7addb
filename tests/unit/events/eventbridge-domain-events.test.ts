import type { PutEventsCommand, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { EventBridgeDomainEvents, MAX_REQUEST_BYTES, chunkEntries, entrySize } from '#adapters/eventbridge-domain-events';
import type { OrderEvent } from '#domain/order-events';
import { awsServiceError } from '../../support/fakes';

function event(orderId: string, detailType: OrderEvent['detailType'] = 'OrderPlaced', padding = ''): OrderEvent {
  return { detailType, time: '2026-11-25T10:00:00.000Z', detail: { orderId, padding } as unknown as OrderEvent['detail'] };
}

/** A fake PutEvents client: answers each call with the next reply, and keeps the requests. */
function fakeClient(...replies: ((command: PutEventsCommand) => Promise<PutEventsCommandOutput>)[]) {
  const requests: PutEventsCommand['input'][] = [];
  return {
    requests,
    send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
      requests.push(command.input);
      const reply = replies.shift() ?? ((c: PutEventsCommand) => Promise.resolve({ $metadata: {}, FailedEntryCount: 0, Entries: (c.input.Entries ?? []).map(() => ({ EventId: 'x' })) }));
      return reply(command);
    },
  };
}

describe('EventBridgeDomainEvents', () => {
  it('sends Source, DetailType, Detail, EventBusName and Time for each event', async () => {
    const client = fakeClient();
    const outcome = await new EventBridgeDomainEvents(client, 'bus-1', 'order-processing').publish([event('ord_a')]);
    expect(outcome).toEqual({ published: 1 });
    expect(client.requests[0]?.Entries).toEqual([
      { EventBusName: 'bus-1', Source: 'order-processing', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'ord_a', padding: '' }), Time: new Date('2026-11-25T10:00:00.000Z') },
    ]);
  });

  it('sends at most 10 entries per request, in order', async () => {
    const client = fakeClient();
    const events = Array.from({ length: 23 }, (_, index) => event(`ord_${String(index)}`));
    expect(await new EventBridgeDomainEvents(client, 'bus', 'src').publish(events)).toEqual({ published: 23 });
    expect(client.requests.map((request) => request.Entries?.length)).toEqual([10, 10, 3]);
    expect(client.requests.flatMap((request) => request.Entries ?? []).map((entry) => (JSON.parse(entry.Detail ?? '') as { orderId: string }).orderId)).toEqual(events.map((e) => e.detail.orderId));
  });

  it('keeps each request within 256 KB', async () => {
    const client = fakeClient();
    const big = 'x'.repeat(100 * 1024);
    await new EventBridgeDomainEvents(client, 'bus', 'src').publish([event('ord_1', 'OrderPlaced', big), event('ord_2', 'OrderPlaced', big), event('ord_3', 'OrderPlaced', big)]);
    expect(client.requests.map((request) => request.Entries?.length)).toEqual([2, 1]);
    for (const request of client.requests) expect((request.Entries ?? []).reduce((sum, entry) => sum + entrySize(entry), 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });

  it('puts two events of one order in different requests, so a failed entry cannot let the later one through first', () => {
    const chunks = chunkEntries(['a1', 'b1', 'a2', 'c1'], (id) => ({ entry: { Detail: id }, orderId: id.slice(0, 1) }));
    expect(chunks).toEqual([['a1', 'b1'], ['a2', 'c1']]);
  });

  it('counts entry size as EventBridge does: 14 bytes of Time plus the UTF-8 bytes of the strings', () => {
    expect(entrySize({ Time: new Date(), Source: 'src', DetailType: 'OrderPlaced', Detail: '{"a":"é"}', Resources: ['r1'] })).toBe(14 + 3 + 11 + 10 + 2);
  });

  it('stops at the first failed entry, reports the leading published events, and sends nothing after', async () => {
    const client = fakeClient((command) =>
      Promise.resolve({
        $metadata: {},
        FailedEntryCount: 1,
        Entries: (command.input.Entries ?? []).map((_, index) => (index === 3 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: 'ok' })),
      }),
    );
    const events = Array.from({ length: 15 }, (_, index) => event(`ord_${String(index)}`));
    const outcome = await new EventBridgeDomainEvents(client, 'bus', 'src').publish(events);
    expect(outcome).toEqual({ published: 3, failure: { code: 'ThrottlingException', message: 'Rate exceeded', retryable: true } });
    expect(client.requests).toHaveLength(1);
  });

  it('classifies a throttled PutEvents call as a retryable dependency error, after the requests that succeeded', async () => {
    const client = fakeClient(
      (command) => Promise.resolve({ $metadata: {}, FailedEntryCount: 0, Entries: (command.input.Entries ?? []).map(() => ({ EventId: 'ok' })) }),
      () => Promise.reject(awsServiceError('ThrottlingException', 400, 'Rate exceeded')),
    );
    const events = Array.from({ length: 12 }, (_, index) => event(`ord_${String(index)}`));
    const outcome = await new EventBridgeDomainEvents(client, 'bus', 'src').publish(events);
    expect(outcome).toMatchObject({ published: 10, failure: { code: 'DependencyUnavailable', retryable: true } });
  });

  it('reports an access error as not retryable (it still goes back to the stream, then to the DLQ)', async () => {
    const client = fakeClient(() => Promise.reject(awsServiceError('AccessDeniedException', 400, 'not authorized')));
    expect(await new EventBridgeDomainEvents(client, 'bus', 'src').publish([event('ord_1')])).toMatchObject({ published: 0, failure: { code: 'AccessDeniedException', retryable: false } });
  });

  it('refuses an event over 256 KB without calling EventBridge', async () => {
    const client = fakeClient();
    const outcome = await new EventBridgeDomainEvents(client, 'bus', 'src').publish([event('ord_1'), event('ord_2', 'OrderPlaced', 'x'.repeat(MAX_REQUEST_BYTES))]);
    expect(outcome).toMatchObject({ published: 1, failure: { code: 'EntryTooLarge', retryable: false } });
    expect(client.requests).toHaveLength(1);
  });

  it('makes no call for no events', async () => {
    const client = fakeClient();
    expect(await new EventBridgeDomainEvents(client, 'bus', 'src').publish([])).toEqual({ published: 0 });
    expect(client.requests).toHaveLength(0);
  });
});
