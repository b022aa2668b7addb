import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiSettings } from '#api/endpoint';
import { NO_UPDATES_LINKS } from '#api/updates-link';
import { instrumented } from '#platform/tracing';
import type { BusinessMetrics } from '#ports/business-metrics';
import type { OrderRepository } from '#ports/order-repository';
import type { PaymentProvider } from '#ports/payment-provider';
import type { ReceiptStore } from '#ports/receipt-store';
import type { ShippingProvider } from '#ports/shipping-provider';
import { taskCorrelation } from '#tasks/task-input';
import { authorizePayment } from '../../functions/authorize-payment/authorize-payment';
import { cancelShipment } from '../../functions/cancel-shipment/cancel-shipment';
import { capturePayment } from '../../functions/capture-payment/capture-payment';
import { createOrder } from '../../functions/create-order/create-order';
import { createShipment } from '../../functions/create-shipment/create-shipment';
import { generateReceipt } from '../../functions/generate-receipt/generate-receipt';
import { getOrder } from '../../functions/get-order/get-order';
import { voidPayment } from '../../functions/void-payment/void-payment';
import { lambdaContext } from '../../tests/support/lambda-context';
import { lambdaInvoke } from '../../tests/support/state-machine';
import { ROOT } from '../../tests/support/template';
import { Completions } from './completions';

/** The adapters the handlers get: in memory for the engine-only limit, SDK clients for the emulation baseline. */
export interface PipelineAdapters {
  orders: OrderRepository;
  payments: PaymentProvider;
  shipping: ShippingProvider;
  receipts: ReceiptStore;
  metrics: BusinessMetrics;
}

type JsonValue = Parameters<StateMachine['run']>[0];

/** As on AWS: API Gateway identifies the caller (the fixtures carry an apiKeyId), and any origin may read. */
const API: ApiSettings = { allowOrigin: '*', samLocalKeys: undefined };
type Handler<E, R> = (event: E, context: Context) => Promise<R>;

const fixture = (name: string) => JSON.parse(readFileSync(join(ROOT, 'events', `${name}.json`), 'utf8')) as APIGatewayProxyEvent;

/**
 * The order pipeline in one process: the handlers (the same use cases wrapped in the same
 * Powertools `instrumented` wrapper as functions/<name>/index.ts), called directly, and the
 * template's ASL run by aws-local-stepfunctions. No API Gateway, no Lambda isolation and no
 * Step Functions API: what is left is the handlers' own work and the stores'.
 */
export class InProcessPipeline {
  private readonly machine: StateMachine;
  private readonly handlers: Record<string, (input: JsonValue) => Promise<JsonValue>>;
  private readonly post: Handler<APIGatewayProxyEvent, APIGatewayProxyResult>;
  private readonly read: Handler<APIGatewayProxyEvent, APIGatewayProxyResult>;
  private readonly postEvent = fixture('create-order');
  private readonly getEvent = fixture('get-order');
  private readonly completions = new Completions();
  private readonly slots: (() => void)[] = [];
  private running = 0;

  constructor(
    adapters: PipelineAdapters,
    definition: Record<string, unknown>,
    private readonly maxRunning: number,
  ) {
    this.machine = new StateMachine(definition as unknown as StateMachineDefinition);
    const base = { orders: adapters.orders, now: () => new Date() };
    const task = <D>(name: string, useCase: (deps: D, event: unknown) => Promise<unknown>, deps: D) => {
      const handler = instrumented(taskCorrelation, (event: unknown) => useCase(deps, event));
      const context = lambdaContext(name);
      return lambdaInvoke((event) => handler(event, context));
    };
    this.handlers = {
      'Authorize Payment': task('AuthorizePaymentFunction', authorizePayment, { ...base, payments: adapters.payments, metrics: adapters.metrics }),
      'Create Shipment': task('CreateShipmentFunction', createShipment, { ...base, shipping: adapters.shipping }),
      'Capture Payment': task('CapturePaymentFunction', capturePayment, { ...base, payments: adapters.payments }),
      'Generate Receipt': task('GenerateReceiptFunction', generateReceipt, { ...base, receipts: adapters.receipts, metrics: adapters.metrics }),
      'Cancel Shipment': task('CancelShipmentFunction', cancelShipment, { ...base, shipping: adapters.shipping }),
      'Void Payment': task('VoidPaymentFunction', voidPayment, { ...base, payments: adapters.payments, metrics: adapters.metrics }),
    };
    const workflow = { start: (orderId: string) => this.start(orderId) };
    const placeDeps = { api: API, orders: adapters.orders, workflow, metrics: adapters.metrics, now: () => new Date(), updates: NO_UPDATES_LINKS };
    this.post = instrumented(() => ({}), (event: APIGatewayProxyEvent) => createOrder(placeDeps, event));
    this.read = instrumented(
      (event: APIGatewayProxyEvent) => ({ orderId: event.pathParameters?.orderId }),
      (event: APIGatewayProxyEvent) => getOrder({ api: API, orders: adapters.orders, updates: NO_UPDATES_LINKS }, event),
    );
  }

  /** StartExecution's part: queue the execution (bounded like the runtime's) and return at once. */
  private start(orderId: string): Promise<void> {
    void this.acquire().then(async () => {
      try {
        const execution = this.machine.run({ orderId }, {
          overrides: { taskResourceLocalHandlers: this.handlers },
          context: { Execution: { Id: `arn:aws:states:us-east-1:000000000000:execution:OrderProcessing:${orderId}`, Name: orderId } },
        });
        const status = await execution.result.then(
          () => 'SUCCEEDED',
          () => 'FAILED',
        );
        this.completions.settle(orderId, status);
      } finally {
        this.release();
      }
    });
    return Promise.resolve();
  }

  private acquire(): Promise<void> {
    if (this.running < this.maxRunning) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slots.push(resolve));
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.running -= 1;
  }

  /** POST /orders with this body, as the API key's caller; the handler's response. */
  placeOrder(body: string): Promise<APIGatewayProxyResult> {
    const headers = { ...this.postEvent.headers, 'Idempotency-Key': undefined };
    return this.post({ ...this.postEvent, headers, multiValueHeaders: {}, body }, lambdaContext('CreateOrderFunction'));
  }

  /** GET /orders/{orderId}. */
  readOrder(orderId: string): Promise<APIGatewayProxyResult> {
    return this.read({ ...this.getEvent, path: `/orders/${orderId}`, pathParameters: { orderId } }, lambdaContext('GetOrderFunction'));
  }

  /** Resolves with SUCCEEDED or FAILED when the order's execution ends. */
  completion(orderId: string): Promise<string> {
    return this.completions.wait(orderId);
  }
}
