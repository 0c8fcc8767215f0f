import { InvalidFieldError } from '../errors.js';

/** Built-in roles; configuration (`roles`) adds or replaces entries. `*`: every scope and the admin API. */
export const BUILT_IN_ROLES: Readonly<Record<string, readonly string[]>> = {
  admin: ['*'],
  user: ['read', 'write'],
  viewer: ['read'],
};

export function roleScopes(
  roles: Readonly<Record<string, readonly string[]>>,
  role: string,
): readonly string[] {
  const merged: Record<string, readonly string[]> = { ...BUILT_IN_ROLES, ...roles };
  // Own properties only: "constructor" or "toString" are not roles.
  const scopes = Object.hasOwn(merged, role) ? merged[role] : undefined;
  if (scopes === undefined)
    throw new InvalidFieldError(
      'role',
      `names an unknown role ${JSON.stringify(role)} (known: ${Object.keys(merged).join(', ')})`,
      `names an unknown role (known: ${Object.keys(merged).join(', ')})`,
    );
  return scopes;
}

/** `--scope` narrows within the role; without it the PAT carries the role's scopes. */
export function patScopes(
  roleScopeList: readonly string[],
  requested: readonly string[],
): string[] {
  if (requested.length === 0) return [...roleScopeList];
  // Order and repetition say nothing in a scope (RFC 6749 §3.3): the PAT names each once.
  const wanted = [...new Set(requested)];
  if (roleScopeList.includes('*')) return wanted;
  const outside = wanted.filter((s) => !roleScopeList.includes(s));
  if (outside.length > 0)
    throw new InvalidFieldError(
      'scope',
      `names ${outside.join(' ')}, outside the role`,
      'names a scope outside the role',
    );
  return wanted;
}
