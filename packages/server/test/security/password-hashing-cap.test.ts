import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  clientCredentials,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

const PASSWORD = 'correct horse battery';
const EMAIL = 'flood@example.com';
// One hash at a time and none waiting: of a burst sent at once, the logins that find the slot
// taken are refused. The burst is the per-address failure budget exactly: every login reserves a
// failure before the check, so a 503 that kept its reservation would show as 429s in the next burst.
const BURST = 12;

describe.each(storeTargets())('the password hashing cap on $kind', (target) => {
  let server: TestServer;
  let app: { id: string; secret: string };
  let cc: { id: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(target, {
      config: {
        // The real cost (about 0.1 s a hash), so the burst arrives while the first hash runs.
        passwordScryptLogN: 15,
        passwordHashConcurrency: 1,
        passwordHashQueueLength: 0,
        passwordHashRetryAfterSeconds: 2,
        passwordFailuresPerAddress: BURST,
        passwordFailuresPerUsername: 1000,
      },
    });
    app = await server.client({ name: 'app', scopes: ['read'], grantTypes: ['password'] });
    cc = await server.client({ name: 'cc', scopes: ['read'] });
    await server.gk.users.create(EMAIL, PASSWORD);
  });
  afterAll(() => server.close());

  const login = (password = PASSWORD) =>
    postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'password', username: EMAIL, password },
      { authorization: basic(app.id, app.secret) },
    );

  const burst = () => Promise.all(Array.from({ length: BURST }, () => login()));

  it('answers a flood of logins with 200 or 503 + Retry-After, never a 500 or a hang', async () => {
    for (const round of [1, 2]) {
      const answers = await burst();
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.every((status) => status === 200 || status === 503),
        `round ${round}`,
      ).toBe(true);
      expect(statuses).toContain(200);
      expect(statuses).toContain(503);
      for (const refused of answers.filter((answer) => answer.status === 503)) {
        expect(refused.headers.get('retry-after')).toBe('2');
        expect(refused.json).toMatchObject({ error: 'temporarily_unavailable' });
      }
    }
  }, 60_000);

  it('keeps the token endpoint and later logins working', async () => {
    const token = await clientCredentials(server, cc);
    expect(token.status).toBe(200);
    expect((await login()).status).toBe(200);
    expect((await login('wrong password')).status).toBe(400);
  }, 30_000);
});
