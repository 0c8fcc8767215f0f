// The one request every target is measured with: client_credentials, client_secret_basic.
const formEncode = (value) => encodeURIComponent(value).replaceAll('%20', '+');

export function buildTokenRequest({ url, clientId, clientSecret }) {
  const credentials = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`);
  return {
    url,
    method: 'POST',
    headers: {
      authorization: `Basic ${credentials.toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  };
}
