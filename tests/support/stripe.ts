import { StripePaymentProvider } from '#adapters/stripe-payment-provider';
import Stripe from 'stripe';

/** A real Stripe client whose HTTP calls are answered by `answer`, recorded in `calls`. */
export function stripeAnswering(answer: (path: string, body: URLSearchParams) => { status: number; body: unknown }) {
  const calls: { method: string; path: string; body: URLSearchParams; idempotencyKey: string | null }[] = [];
  const fetchFn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const body = new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
    const headers = new Headers(init?.headers);
    calls.push({ method: init?.method ?? 'GET', path: url.pathname + url.search, body, idempotencyKey: headers.get('idempotency-key') });
    const reply = answer(url.pathname, body);
    return Promise.resolve(new Response(JSON.stringify(reply.body), { status: reply.status, headers: { 'Content-Type': 'application/json', 'Request-Id': 'req_test' } }));
  };
  const stripe = new Stripe('sk_test_unit', { httpClient: Stripe.createFetchHttpClient(fetchFn), maxNetworkRetries: 0 });
  return { provider: new StripePaymentProvider(() => Promise.resolve(stripe)), calls };
}

