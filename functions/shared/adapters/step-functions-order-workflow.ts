import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionState, OrderExecutions, OrderWorkflow, WorkflowInput } from '#ports/order-workflow';

/**
 * Starts a Standard execution named after the order. Step Functions treats a repeated name with
 * the same input as the same execution, and a closed one as ExecutionAlreadyExists: both mean
 * "already started".
 */
export class StepFunctionsOrderWorkflow implements OrderWorkflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(orderId: string): Promise<void> {
    const input: WorkflowInput = { orderId };
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: orderId, input: JSON.stringify(input) }));
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }
}

/**
 * The order executions of a state machine, given by its ARN with or without an alias or version
 * qualifier: an execution started on an alias or version is still `execution:<machine name>:<orderId>`.
 */
export class StepFunctionsOrderExecutions implements OrderExecutions {
  private readonly executionPrefix: string;

  constructor(
    private readonly client: SFNClient,
    stateMachineArn: string,
  ) {
    // arn:aws:states:<region>:<account>:stateMachine:<name>[:<qualifier>]
    const unqualified = stateMachineArn.split(':').slice(0, 7).join(':');
    this.executionPrefix = `${unqualified.replace(':stateMachine:', ':execution:')}:`;
  }

  arnOf(orderId: string): string {
    return `${this.executionPrefix}${orderId}`;
  }

  async describe(orderId: string): Promise<ExecutionState | undefined> {
    try {
      const result = await this.client.send(new DescribeExecutionCommand({ executionArn: this.arnOf(orderId) }));
      return {
        executionArn: this.arnOf(orderId),
        status: result.status ?? 'RUNNING',
        redriveCount: result.redriveCount ?? 0,
        ...(result.error ? { error: result.error } : {}),
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  async redrive(orderId: string): Promise<'redriven' | 'notRedrivable'> {
    try {
      await this.client.send(new RedriveExecutionCommand({ executionArn: this.arnOf(orderId) }));
      return 'redriven';
    } catch (error) {
      if (error instanceof ExecutionNotRedrivable) return 'notRedrivable';
      throw error;
    }
  }
}
