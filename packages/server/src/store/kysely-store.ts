import { type Kysely, Migrator, sql } from 'kysely';
import type { Database, Dialect } from './database.js';
import { migrationProvider } from './migrations/index.js';
import { apiKeyStore } from './tables/api-keys.js';
import { auditStore } from './tables/audit-log.js';
import { clientStore } from './tables/clients.js';
import { loginTokenStore } from './tables/login-tokens.js';
import { metaStore } from './tables/meta.js';
import { patStore } from './tables/pats.js';
import { pruneStore } from './tables/pruning.js';
import { refreshTokenStore } from './tables/refresh-tokens.js';
import { revocationStore } from './tables/revocations.js';
import { signingKeyStore } from './tables/signing-keys.js';
import { storeContext } from './tables/store-context.js';
import { tokenEventStore } from './tables/token-events.js';
import { usageStore } from './tables/usage.js';
import { userStore } from './tables/users.js';
import type {
  ApiKeyStore,
  AuditStore,
  ClientStore,
  LoginTokenStore,
  MetaStore,
  PatStore,
  PruneStore,
  RefreshTokenStore,
  RevocationStore,
  SigningKeyStore,
  Store,
  TokenEventStore,
  UsageStore,
  UserStore,
} from './types.js';

/**
 * The one implementation of {@link Store}, over Kysely: SQLite and PostgreSQL
 * run the same queries and differ only in how the connection is opened and in
 * how writes that must be ordered across nodes are serialised.
 */
export class KyselyStore implements Store {
  readonly clients: ClientStore;
  readonly signingKeys: SigningKeyStore;
  readonly revocations: RevocationStore;
  readonly tokenEvents: TokenEventStore;
  readonly meta: MetaStore;
  readonly loginTokens: LoginTokenStore;
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly apiKeys: ApiKeyStore;
  readonly pats: PatStore;
  readonly audit: AuditStore;
  readonly usage: UsageStore;
  readonly pruning: PruneStore;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {
    const ctx = storeContext(db, dialect);
    this.clients = clientStore(ctx);
    this.signingKeys = signingKeyStore(ctx);
    this.revocations = revocationStore(ctx);
    this.tokenEvents = tokenEventStore(ctx);
    this.meta = metaStore(ctx);
    this.loginTokens = loginTokenStore(ctx);
    this.users = userStore(ctx);
    this.refreshTokens = refreshTokenStore(ctx);
    this.apiKeys = apiKeyStore(ctx);
    this.pats = patStore(ctx);
    this.audit = auditStore(ctx);
    this.usage = usageStore(ctx);
    this.pruning = pruneStore(ctx);
  }

  /** Runs pending migrations; safe when several nodes start at once. */
  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.dialect) });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw error;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
