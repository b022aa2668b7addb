import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { OrderWorkflow, WorkflowInput } from '#ports/order-workflow';

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
