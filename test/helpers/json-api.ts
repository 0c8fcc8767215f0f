/** Requests to the JSON:API login-token exchange, as the enectiva seed shows them. */
export const JSON_API = 'application/vnd.api+json';
/** The customer of the seed's example request. */
export const CUSTOMER = '9796513c-e811-4b75-b2eb-b36b9f1a1b8c';

export function exchangeBody(customer: string, loginToken: string) {
  return JSON.stringify({
    data: {
      attributes: { customer_uuid: customer, login_token: loginToken },
      type: 'login_tokens',
    },
  });
}

export async function exchange(
  url: string,
  body: string,
  headers: Record<string, string> = { accept: JSON_API, 'content-type': JSON_API },
) {
  const res = await fetch(`${url}/access_tokens`, { method: 'POST', headers, body });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: text ? (JSON.parse(text) as ExchangeDocument) : undefined,
  };
}

export interface ExchangeDocument {
  data: { type: string; id: string; attributes: { encoded: string } };
  errors: { status: string; code: string; title: string; detail: string }[];
}
