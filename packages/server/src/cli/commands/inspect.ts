import { Command } from 'commander';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { UsageError } from '../../errors.js';
import { scopesOf } from '../../tokens/access-token.js';
import { type CommonOptions, print, withCommonOptions, withGridkey } from '../common.js';

interface InspectOptions extends CommonOptions {
  jwks?: string;
}

function decode(token: string) {
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    throw new UsageError('not a JWT (expected three base64url parts)');
  }
}

async function verify(token: string, keys: JWTVerifyGetKey): Promise<string | undefined> {
  try {
    await jwtVerify(token, keys, { clockTolerance: 0 });
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  }
}

export function inspectCommand(): Command {
  return withCommonOptions(new Command('inspect').argument('<token>'))
    .description('decode a token, verify its signature and expiry, show scopes and time left')
    .option('--jwks <url>', 'verify against this JWKS URL instead of the local keys')
    .action(async (token: string, opts: InspectOptions) => {
      const { header, claims } = decode(token.trim());
      let error: string | undefined;
      let revoked: boolean | undefined;
      if (opts.jwks !== undefined) {
        let url: URL;
        try {
          url = new URL(opts.jwks);
        } catch {
          throw new UsageError('--jwks must be a URL');
        }
        error = await verify(token, createRemoteJWKSet(url));
      } else {
        await withGridkey(opts, async (gk) => {
          error = await verify(token, gk.keys.verificationKeys());
          if (typeof claims.jti === 'string')
            revoked = await gk.store.revocations.isRevoked(claims.jti, {
              clientId: typeof claims.client_id === 'string' ? claims.client_id : undefined,
              iat: typeof claims.iat === 'number' ? claims.iat : undefined,
            });
        });
      }
      if (revoked) error ??= 'revoked';
      const now = Math.floor(Date.now() / 1000);
      const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
      const out = {
        valid: error === undefined,
        ...(error === undefined ? {} : { error }),
        ...(revoked === undefined ? {} : { revoked }),
        header,
        claims,
        scopes: scopesOf(claims),
        expires_at: exp === undefined ? null : new Date(exp * 1000).toISOString(),
        seconds_left: exp === undefined ? null : Math.max(0, exp - now),
      };
      print(opts, out, () =>
        [
          `valid:        ${out.valid}${error ? ` (${error})` : ''}`,
          `subject:      ${String(claims.sub)}`,
          `scopes:       ${out.scopes.join(' ') || '(none)'}`,
          `expires:      ${out.expires_at ?? 'never'} (${out.seconds_left ?? '∞'} s left)`,
          `claims:       ${JSON.stringify(claims)}`,
        ].join('\n'),
      );
      if (error !== undefined) throw new UsageError(`token is not valid: ${error}`);
    });
}
