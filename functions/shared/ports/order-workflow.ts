/** Port for starting an order's workflow. Starting twice is harmless. */
export interface OrderWorkflow {
  start(orderId: string): Promise<void>;
}

/** The execution input. Only the id: the order itself (address, token) stays in DynamoDB, out of execution history. */
export interface WorkflowInput {
  orderId: string;
}
