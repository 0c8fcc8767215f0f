import { hostname, userInfo } from 'node:os';
import type { Gridkey } from '../gridkey.js';
import { nowSeconds } from '../lib/clock.js';

/**
 * Who acts, for the audit log: an admin token (`pat:<id> (<name>)`, from
 * the request's address) or the CLI (`cli:<user>@<host>`).
 */
export interface Actor {
  readonly name: string;
  readonly address: string;
}

/** The CLI's actor: the operating-system user and host that ran the command. */
export function cliActor(): Actor {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for the uid (a container): the uid says who it was.
    user = String(process.getuid?.() ?? 'unknown');
  }
  return { name: `cli:${user}@${hostname()}`, address: 'cli' };
}

/** What every operation runs with: the server's parts, who acts, and when. */
export interface OperationContext {
  readonly gk: Gridkey;
  readonly actor: Actor;
  /** Unix seconds, read once: one operation sees one time. */
  readonly now: number;
}

export function operationContext(gk: Gridkey, actor: Actor): OperationContext {
  return { gk, actor, now: nowSeconds(gk.clock) };
}

/**
 * Records one action in the audit log (never a secret in `detail`: names,
 * roles, scopes, ids).
 */
export function audit(
  ctx: OperationContext,
  action: string,
  target: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  return ctx.gk.audit.record({
    actor: ctx.actor.name,
    action,
    target,
    address: ctx.actor.address,
    detail,
  });
}
