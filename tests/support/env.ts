/*
 * The variables template.yaml gives the functions, so handler modules can be imported in tests.
 * Output that would be noise in a test run (logs, EMF, X-Ray) is switched off here only.
 */
Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  POWERTOOLS_SERVICE_NAME: 'order-processing',
  POWERTOOLS_METRICS_NAMESPACE: 'OrderProcessing',
  POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  ORDERS_TABLE_NAME: 'orders',
  SIMULATOR_LEDGER_TABLE_NAME: 'simulator-ledger',
  RECEIPTS_BUCKET_NAME: 'receipts',
  RECEIPT_LINK_TTL_SECONDS: '300',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderProcessing',
  PAYMENT_PROVIDER: 'simulator',
  SHIPPING_PROVIDER: 'simulator',
  CORS_ALLOW_ORIGIN: '*',
});
// Real-time updates (template.yaml): the handler tests mock SecretsManagerClient for the ticket key.
Object.assign(process.env, {
  CONNECTIONS_TABLE_NAME: 'connections',
  UPDATES_WEBSOCKET_URL: 'wss://abc123.execute-api.us-east-1.amazonaws.com/dev',
  WEBSOCKET_MANAGEMENT_ENDPOINT: 'https://abc123.execute-api.us-east-1.amazonaws.com/dev',
  UPDATES_TICKET_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:UpdatesTicketKey-AbCdEf',
  UPDATES_TICKET_TTL_SECONDS: '300',
  ORDERS_BASE_PATH: '/dev/orders',
});
