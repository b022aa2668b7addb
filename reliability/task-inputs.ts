import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { inPool, until } from '../tests/support/pool-and-poll';
import type { RuntimeClients } from '../tests/support/runtime-clients';
import type { Row } from './summary';

/*
 * Each task function, invoked directly with malformed state input (random JSON, bad or unknown
 * order ids, compensations without their error): it must fail with a named error and write nothing.
 */
const TASKS = [
  'AuthorizePaymentFunction',
  'CreateShipmentFunction',
  'CapturePaymentFunction',
  'GenerateReceiptFunction',
  'CancelShipmentFunction',
  'VoidPaymentFunction',
];
// A compensation raises its permanent failures as CompensationFailed, and Generate Receipt as
// ReceiptGenerationFailed (naming the cause in the message), which the state machine leaves uncaught
// so that an operator's retry reruns the Task.
const NAMED_ERRORS = new Set(['InvalidTaskInput', 'OrderNotFound', 'OrderStateConflict', 'CompensationFailed', 'ReceiptGenerationFailed']);

const malformedInput = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ orderId: fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.constant(null), fc.constantFrom('../x', 'ord_', 'ORD_' + 'A'.repeat(32))) }),
  fc.record({ orderId: fc.stringMatching(/^[0-9a-f]{32}$/).map((hex) => `ord_${hex}`), error: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) }),
  fc.record({ orderId: fc.stringMatching(/^[0-9a-f]{32}$/).map((hex) => `ord_${hex}`), executionId: fc.oneof(fc.integer(), fc.string({ maxLength: 3000 })) }),
);

async function fingerprint(clients: RuntimeClients): Promise<string> {
  const [orders, ledger] = await Promise.all([clients.scan('OrdersTable'), clients.scan('SimulatorLedgerTable')]);
  const canonical = (items: Record<string, unknown>[]) => items.map((item) => JSON.stringify(item)).sort().join('\n');
  return createHash('sha256').update(canonical(orders)).update(canonical(ledger)).digest('hex');
}

export async function taskInputSuite(clients: RuntimeClients, perFunction: number): Promise<Row[]> {
  const lambda = new LambdaClient({ endpoint: clients.info.endpoints.lambda, region: clients.info.region, credentials: clients.info.credentials });
  // Orders accepted earlier must finish first, or their writes would look like ours.
  await until(async () => (await clients.executions('RUNNING')).length === 0, 60_000);
  const before = await fingerprint(clients);
  const inputs = TASKS.flatMap((name) => fc.sample(malformedInput, { numRuns: perFunction, seed: 7 }).map((input) => ({ name, input })));
  const outcomes = await inPool(inputs, 8, async ({ name, input }) => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(input)) }));
    const payload = JSON.parse(Buffer.from(result.Payload ?? new Uint8Array()).toString() || 'null') as { errorType?: string } | null;
    return { name, failed: result.FunctionError !== undefined, errorType: payload?.errorType ?? '(success)' };
  });
  lambda.destroy();
  const after = await fingerprint(clients);
  const unnamed = outcomes.filter((outcome) => !outcome.failed || !NAMED_ERRORS.has(outcome.errorType));
  const types = [...new Set(outcomes.map((outcome) => outcome.errorType))].join(', ');
  return [
    {
      area: 'Hostile input',
      check: 'task handlers: named error for malformed input',
      tried: `${String(inputs.length)} malformed state inputs over ${String(TASKS.length)} task functions`,
      required: 'every one fails with a named error',
      observed: unnamed.length === 0 ? `all failed with ${types}` : `${String(unnamed.length)} did not: ${JSON.stringify(unnamed.slice(0, 3))}`,
      held: unnamed.length === 0,
    },
    {
      area: 'Hostile input',
      check: 'task handlers: no partial write',
      tried: 'orders and ledger tables hashed before and after',
      required: 'unchanged',
      observed: before === after ? 'unchanged' : 'CHANGED',
      held: before === after,
    },
  ];
}
