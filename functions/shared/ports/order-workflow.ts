/** Port for starting an order's workflow. Starting twice is harmless. */
export interface OrderWorkflow {
  start(orderId: string): Promise<void>;
}

/** The execution input. Only the id: the order itself (address, token) stays in DynamoDB, out of execution history. */
export interface WorkflowInput {
  orderId: string;
}

/** An order's execution as the operators' routes see it. */
export interface ExecutionState {
  executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  redriveCount: number;
  error?: string;
}

/** Port for operating an order's execution (named after the order). */
export interface OrderExecutions {
  /** The execution's ARN, whether or not it exists. */
  arnOf(orderId: string): string;
  /** Undefined when the order never got an execution. */
  describe(orderId: string): Promise<ExecutionState | undefined>;
  /** RedriveExecution; 'notRedrivable' when Step Functions refuses (running or succeeded meanwhile). */
  redrive(orderId: string): Promise<'redriven' | 'notRedrivable'>;
}
