/** A WebSocket connection subscribed to one order's updates (one row of the connections table). */
export interface OrderSubscription {
  connectionId: string;
  orderId: string;
  ownerApiKeyId: string;
}

/** Persistence port for the connections table: connection id → order, with a GSI by order. */
export interface OrderSubscriptions {
  /** Records a connection; it expires by itself (TTL) if $disconnect never comes. */
  subscribe(subscription: OrderSubscription, now: Date): Promise<void>;
  get(connectionId: string): Promise<OrderSubscription | undefined>;
  /** The connections watching an order (eventually consistent: a GSI). */
  forOrder(orderId: string): Promise<string[]>;
  /** Forgets a connection; forgetting one twice is not an error. */
  unsubscribe(connectionId: string): Promise<void>;
  /**
   * Forgets a connection that answered GoneException, unless it connected at or after
   * `connectedBefore`; true when the row was deleted. A connection whose $connect has not returned
   * yet also answers GoneException (API Gateway cannot post to it until then), so a young row
   * belongs to a subscriber still being connected and must survive; $disconnect or the TTL removes
   * it if it really is gone.
   */
  forgetGone(connectionId: string, connectedBefore: Date): Promise<boolean>;
}

/** What happened to a message posted to a connection. */
export type Delivery = 'sent' | 'gone';

/** The API Gateway management API (`@connections`) of the WebSocket stage. */
export interface ConnectionPush {
  /** Posts one message; 'gone' when the connection no longer exists (GoneException). */
  post(connectionId: string, message: string): Promise<Delivery>;
  /** Closes a connection from the server side; an already closed one is not an error. */
  close(connectionId: string): Promise<void>;
}
