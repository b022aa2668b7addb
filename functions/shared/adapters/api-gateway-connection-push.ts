import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionPush, Delivery } from '#ports/order-subscriptions';

/** `@connections` of one WebSocket stage, through the SDK client built for its endpoint (aws-clients.ts). */
export class ApiGatewayConnectionPush implements ConnectionPush {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, message: string): Promise<Delivery> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(message, 'utf8') }));
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException) return 'gone';
      throw error;
    }
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!(error instanceof GoneException)) throw error;
    }
  }
}
