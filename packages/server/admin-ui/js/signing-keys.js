// @ts-check
import { api } from './api.js';
import { confirmAction } from './dialogs.js';
import { $ } from './dom.js';
import { load } from './list.js';
import { showNotice } from './messages.js';
import { badgeColumn, byNewest, textColumn, timeColumn } from './table.js';

/**
 * The signing keys (public information only) and a rotation.
 *
 * @typedef {{ kid: string, alg: string, number: number | null, status: string, created_at: string | null, active_from: string | null, retired_at: string | null, published_until: string | null }} SigningKey
 */

/** @type {import('./list.js').Section<SigningKey>} */
export const signingKeys = {
  name: 'signing-keys',
  path: () => 'keys',
  noun: ['signing key', 'signing keys'],
  sort: (a, b) => (b.number ?? 0) - (a.number ?? 0) || byNewest((k) => k.created_at)(a, b),
  key: (k) => k.kid,
  columns: [
    textColumn('No.', (k) => k.number),
    textColumn('Key ID (kid)', (k) => k.kid, 'mono wrap-anywhere'),
    textColumn('Algorithm', (k) => k.alg, 'mono'),
    badgeColumn('Status', (k) => k.status),
    timeColumn('Created', (k) => k.created_at),
    timeColumn('Signs from', (k) => k.active_from),
    timeColumn('Retired', (k) => k.retired_at, { none: 'current' }),
    timeColumn('Published until', (k) => k.published_until, { none: 'current' }),
  ],
  wire() {
    $('#keys-rotate').addEventListener('click', rotate);
  },
};

async function rotate() {
  /** @type {{ created: SigningKey[], retired: string[], deleted: number } | undefined} */
  const result = await confirmAction({
    title: 'Rotate signing keys',
    message:
      'Create new signing keys? They are published in the JWKS at once and start signing after the activation delay; the keys signing now are then retired, and stay published until their tokens have expired.',
    confirmLabel: 'Rotate keys',
    action: () => api('POST', 'keys/rotate'),
  });
  if (result === undefined) return;
  const created = result.created.map((k) => `${k.alg} ${k.kid}`).join(', ');
  showNotice(
    `New signing keys: ${created || 'none'}. ${result.retired.length} retired, ${result.deleted} deleted.`,
  );
  await load(signingKeys);
}
