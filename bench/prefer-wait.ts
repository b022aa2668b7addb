import { parseArgs } from 'node:util';
import { newStateDir, startLocalRuntime } from '../tests/support/local-runtime';
import { orderRequest } from '../tests/support/orders';
import { markdownTable, progress, quantile, writeResults } from '../tests/support/report';
import { apiClient } from '../tests/support/runtime-clients';

/*
 * `npm run bench:prefer-wait`: what POST /orders with `Prefer: wait=10` spends waiting on DynamoDB.
 * CreateOrder polls the order (100 ms doubling to 1 s) until it is terminal; StartSyncExecution
 * (Express only) would answer when the execution ends. The difference it could save is the lag from
 * the execution's end (the runtime's `[local] execution <id> SUCCEEDED` line, read as it is printed)
 * to the API's answer. Orders go one at a time, so the lag is not queueing.
 * Flags: --orders 40  --workflow-type STANDARD|EXPRESS
 */
const { values } = parseArgs({ options: { orders: { type: 'string' }, 'workflow-type': { type: 'string' } } });
const ORDERS = Number(values.orders ?? 40);
const WORKFLOW_TYPE = values['workflow-type'] ?? 'STANDARD';
if (!Number.isInteger(ORDERS) || ORDERS < 1 || !['STANDARD', 'EXPRESS'].includes(WORKFLOW_TYPE)) {
  console.error('--orders takes a positive integer; --workflow-type STANDARD or EXPRESS');
  process.exit(2);
}

async function main(): Promise<void> {
  const ended = new Map<string, number>();
  let partial = '';
  const runtime = await startLocalRuntime(newStateDir(), {
    fresh: true,
    retainOutput: false,
    parameterOverrides: `WorkflowType=${WORKFLOW_TYPE}`,
    onOutput: (chunk) => {
      const now = performance.now();
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^\[local\] execution (\S+) (SUCCEEDED|FAILED)/.exec(line);
        if (match?.[1]) ended.set(match[1], now);
      }
    },
  });
  const api = apiClient(runtime.info.apiUrl, runtime.info.apiKeys[0]?.value ?? '');
  try {
    progress(`${WORKFLOW_TYPE}: warming the environments`);
    for (let index = 0; index < 3; index++) await api.placeOrder(orderRequest({ customerId: 'prefer-wait-warm' }), { waitSeconds: 10 });
    const total: number[] = [];
    const lag: number[] = [];
    const execution: number[] = [];
    progress(`${String(ORDERS)} orders with Prefer: wait=10, one at a time`);
    for (let index = 0; index < ORDERS; index++) {
      const began = performance.now();
      const answer = await api.placeOrder(orderRequest({ customerId: 'prefer-wait' }), { waitSeconds: 10 });
      const answered = performance.now();
      if (answer.outcome !== 'completed' || answer.order.status !== 'COMPLETED') throw new Error(`order ${answer.orderId} was not COMPLETED within the wait (${answer.outcome})`);
      // The line can trail the answer by a few ms (the order is COMPLETED before the execution ends).
      const deadline = Date.now() + 5000;
      while (!ended.has(answer.orderId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      const end = ended.get(answer.orderId);
      if (end === undefined) throw new Error(`no end line for ${answer.orderId}`);
      total.push(answered - began);
      execution.push(end - began);
      lag.push(answered - end);
    }
    const row = (name: string, samples: number[]) => [name, quantile(samples, 0.5).toFixed(0), quantile(samples, 0.95).toFixed(0), Math.max(...samples).toFixed(0)];
    console.log(`\n## Prefer: wait=10 on ${WORKFLOW_TYPE} (${String(ORDERS)} orders, one at a time)\n`);
    console.log(markdownTable(['ms', 'p50', 'p95', 'max'], [row('POST to its answer', total), row('POST to the execution\'s end', execution), row('end to answer (what StartSyncExecution could save)', lag)]));
    const share = quantile(lag, 0.5) / quantile(total, 0.5);
    console.log(`\nThe median answer waits ${quantile(lag, 0.5).toFixed(0)} ms after the execution ends: ${(share * 100).toFixed(0)}% of the median POST.`);
    writeResults(`prefer-wait-${WORKFLOW_TYPE.toLowerCase()}`, { orders: ORDERS, workflowType: WORKFLOW_TYPE, totalMs: total, executionMs: execution, lagMs: lag });
  } finally {
    await runtime.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
