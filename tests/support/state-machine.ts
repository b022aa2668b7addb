import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { DynamoDbOrderRepository } from '#adapters/dynamodb-order-repository';
import { DynamoDbSimulatorLedger } from '#adapters/dynamodb-simulator-ledger';
import { PaymentSimulator } from '#adapters/payment-simulator';
import type { PaymentProvider } from '#ports/payment-provider';
import { ShippingSimulator } from '#adapters/shipping-simulator';
import { describeError } from '#domain/errors';
import { PermanentError } from '#domain/errors';
import type { OrderRecord, StepName } from '#domain/order';
import type { ShippingProvider } from '#ports/shipping-provider';
import { authorizePayment } from '../../functions/authorize-payment/authorize-payment';
import { cancelShipment } from '../../functions/cancel-shipment/cancel-shipment';
import { capturePayment } from '../../functions/capture-payment/capture-payment';
import { createShipment } from '../../functions/create-shipment/create-shipment';
import { generateReceipt } from '../../functions/generate-receipt/generate-receipt';
import { voidPayment } from '../../functions/void-payment/void-payment';
import { LambdaFunctionError } from '../../local/stepfunctions/stepfunctions-service';
import { type LocalDynamo, TABLE_NAMES } from './dynalite';
import { MemoryReceiptStore, RecordingMetrics } from './fakes';
import type { OrderRepository } from '#ports/order-repository';
import { RecordingOrderRepository } from './recording-orders';
import { resolvedDefinition } from './template';

type Execution = ReturnType<StateMachine['run']>;
export type ExecutionEvent = Execution['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type JsonValue = Parameters<StateMachine['run']>[0];

/** A permanent failure after the carrier already booked: the saga must cancel what it cannot see. */
class BookingLost extends PermanentError {
  override name = 'BookingLost';
}

/** Adapts a task use case (or handler) to the `lambda:invoke` integration's {FunctionName, Payload} → {StatusCode, Payload}. */
export function lambdaInvoke(useCase: (payload: unknown) => Promise<unknown>): (input: JsonValue) => Promise<JsonValue> {
  return async (input) => {
    const { Payload } = input as { Payload: unknown };
    try {
      const result = await useCase(Payload);
      return { StatusCode: 200, Payload: JSON.parse(JSON.stringify(result)) as JsonValue };
    } catch (error) {
      const { name, message } = describeError(error);
      throw new LambdaFunctionError(name, JSON.stringify({ errorType: name, errorMessage: message, trace: [] }));
    }
  };
}

export interface ExecutionOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  cause?: string;
  events: ExecutionEvent[];
  /** The order item after the execution, if there is one. */
  order?: OrderRecord;
  /** States entered, in order, retries not repeated (each entry is a billed transition). */
  statesEntered: string[];
  /** Retries per state name. */
  retries: Record<string, number>;
}

/**
 * The real ASL (substitutions applied) run by aws-local-stepfunctions, each Task wired to the
 * real step use case, with DynamoDB on dynalite and the provider simulators' ledger there too.
 */
export class OrderWorkflowHarness {
  readonly orders: DynamoDbOrderRepository;
  readonly ledger: DynamoDbSimulatorLedger;
  readonly receipts = new MemoryReceiptStore();
  readonly metrics = new RecordingMetrics();
  /** When true, Create Shipment books with the carrier and then fails permanently (an ambiguous outcome). */
  failAfterBooking = false;
  /** When set, the payment steps use it instead of the simulator (e.g. the Stripe adapter). */
  payments: PaymentProvider | undefined;
  /** When set, Cancel Shipment throws it (a compensation that fails). */
  cancelFailsWith: Error | undefined;
  /** Every write the steps made, as the orders table's stream would deliver it (tests/support/recording-orders.ts). */
  readonly recording: RecordingOrderRepository;
  private readonly machine = new StateMachine(resolvedDefinition() as unknown as StateMachineDefinition);

  /** What the steps write through: the recording wrapper, or the table itself when its reads must not be counted. */
  private readonly stepOrders: OrderRepository;

  /** `recordChanges: false` leaves out the recording (which reads each order around each write), for counting the steps' own requests. */
  constructor(dynamo: LocalDynamo, options: { recordChanges?: boolean } = {}) {
    this.orders = new DynamoDbOrderRepository(dynamo.documentClient, TABLE_NAMES.OrdersTable ?? 'orders');
    this.recording = new RecordingOrderRepository(this.orders);
    this.stepOrders = options.recordChanges === false ? this.orders : this.recording;
    this.ledger = new DynamoDbSimulatorLedger(dynamo.documentClient, TABLE_NAMES.SimulatorLedgerTable ?? 'simulator-ledger');
  }

  private handlers(): Record<StepName, (input: JsonValue) => Promise<JsonValue>> {
    const base = { orders: this.stepOrders, now: () => new Date() };
    const payments = this.payments ?? new PaymentSimulator(this.ledger);
    const simulator = new ShippingSimulator(this.ledger);
    const shipping: ShippingProvider = {
      createShipment: async (request) => {
        const shipment = await simulator.createShipment(request);
        if (this.failAfterBooking) throw new BookingLost('The carrier booked the shipment but the confirmation was lost');
        return shipment;
      },
      cancelShipment: (request) => (this.cancelFailsWith ? Promise.reject(this.cancelFailsWith) : simulator.cancelShipment(request)),
    };
    return {
      'Authorize Payment': lambdaInvoke((event) => authorizePayment({ ...base, payments, metrics: this.metrics }, event)),
      'Create Shipment': lambdaInvoke((event) => createShipment({ ...base, shipping }, event)),
      'Capture Payment': lambdaInvoke((event) => capturePayment({ ...base, payments }, event)),
      'Generate Receipt': lambdaInvoke((event) => generateReceipt({ ...base, receipts: this.receipts, metrics: this.metrics }, event)),
      'Cancel Shipment': lambdaInvoke((event) => cancelShipment({ ...base, shipping }, event)),
      'Void Payment': lambdaInvoke((event) => voidPayment({ ...base, payments, metrics: this.metrics }, event)),
    };
  }

  /** Stores the order, runs its execution to the end, and returns what happened. */
  async run(order: OrderRecord): Promise<ExecutionOutcome & { order: OrderRecord }> {
    await this.stepOrders.create(order);
    const outcome = await this.execute({ orderId: order.orderId });
    if (!outcome.order) throw new Error('order vanished');
    return { ...outcome, order: outcome.order };
  }

  /**
   * RedriveExecution as AWS (and local/stepfunctions) does it: reruns a failed execution from the
   * last state it entered, with that state's input. Returns the redriven attempt's outcome.
   */
  async redrive(failed: ExecutionOutcome): Promise<ExecutionOutcome> {
    const entered = failed.events.findLast((event) => event.type === 'StateEntered');
    if (!entered || !('state' in entered)) throw new Error('The execution entered no state: nothing to redrive');
    const definition = { ...(resolvedDefinition() as object), StartAt: entered.state.name } as unknown as StateMachineDefinition;
    const { orderId } = entered.state.input as { orderId: string };
    return this.execute({ orderId }, { machine: new StateMachine(definition, { validationOptions: { noValidate: true } }), input: entered.state.input });
  }

  /** Runs an execution with the given input, whether or not such an order exists. */
  async execute(input: { orderId: string }, from?: { machine: StateMachine; input: JsonValue }): Promise<ExecutionOutcome> {
    const handlers = this.handlers();
    const execution = (from?.machine ?? this.machine).run(
      from?.input ?? input,
      {
        overrides: {
          taskResourceLocalHandlers: handlers,
          retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((state) => [state, 0])),
        },
        context: {
          Execution: { Id: `arn:aws:states:us-east-1:123456789012:execution:OrderProcessing:${input.orderId}`, Name: input.orderId },
        },
      },
    );
    const events: ExecutionEvent[] = [];
    for await (const event of execution.eventLogs) events.push(event);
    await execution.result.catch(() => undefined);

    const stored = /^ord_[0-9a-f]{32}$/.test(input.orderId) ? await this.orders.get(input.orderId) : undefined;
    const failed = events.find((event) => event.type === 'ExecutionFailed');
    const retries: Record<string, number> = {};
    for (const event of events) {
      if (event.type === 'StateRetried') retries[event.state.name] = (retries[event.state.name] ?? 0) + 1;
    }
    return {
      status: failed ? 'FAILED' : 'SUCCEEDED',
      ...(failed && 'Error' in failed ? { error: failed.Error, cause: String(failed.Cause) } : {}),
      events,
      order: stored,
      statesEntered: events.flatMap((event) => (event.type === 'StateEntered' ? [event.state.name] : [])),
      retries,
    };
  }
}
