/**
 * A caching API-key verifier for HTTP services. Verifying every request over gRPC would put
 * key-service (and its database) on every upload's path, so positive answers are cached briefly.
 * Revocation must still take effect at once: a revocation source (e.g. `natsRevocations`, fed by
 * `sync.key.revoked`) drops a key's entries the moment it is revoked.
 *
 * - Cache keys are SHA-256 hashes of secrets, never the secrets themselves.
 * - Only valid answers are cached; refusals always go back to the verify function, so a key that
 *   becomes valid (clock, fixed scope) is not refused from a stale entry.
 * - An entry lives `cacheTtlMs`, and never past the key's own expiry (`expiresAt` of the answer).
 * - Concurrent checks of one secret share one verify call.
 */
import { createHash } from 'node:crypto';

/** The part of a verification answer the cache reads (keysV1.VerifyKeyResponse fits as is). */
export interface KeyVerificationResult {
  valid: boolean;
  /** The key's id; what a revocation names. */
  keyId: string;
  /** Granted scopes: a cached valid key answers for any scope it holds. */
  scopes: readonly string[];
  /** When the key expires, if it does: the cache entry ends then at the latest. */
  expiresAt?: Date | undefined;
}

/** What a revocation source calls. */
export interface RevocationListener {
  /** Key `keyId` was revoked: drop it now. */
  revoked(keyId: string): void;
  /** Revocations may have been missed (e.g. the connection dropped): drop everything. */
  reset(): void;
}

/** Subscribes a listener to revocations; returns how to unsubscribe. */
export type RevocationSource = (listener: RevocationListener) => { stop(): void };

/** Options for {@link createKeyVerifier}. */
export interface KeyVerifierOptions<R extends KeyVerificationResult> {
  /** The authoritative check, e.g. KeyService.VerifyKey; `scope` '' means validity only. */
  verify: (secret: string, scope: string) => Promise<R>;
  /** Where revocations come from (see `natsRevocations`). Without one, only the TTL bounds staleness. */
  revocations?: RevocationSource;
  /** How long a valid answer is reused (default 30 s). */
  cacheTtlMs?: number;
  /** Most secrets cached at once; the least recently used goes first (default 10,000). */
  maxEntries?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

/** Counters for tests, benchmarks and debugging. */
export interface KeyVerifierStats {
  hits: number;
  misses: number;
  entries: number;
  revocations: number;
}

/** A verifier with a cache. */
export interface KeyVerifier<R extends KeyVerificationResult> {
  /** The answer for `secret` and `scope`, from the cache when a valid one is fresh. */
  verify(secret: string, scope: string): Promise<R>;
  /** Drops every entry of `keyId` (what a revocation event does). */
  revoke(keyId: string): void;
  /** Drops every entry. */
  clear(): void;
  stats(): KeyVerifierStats;
  /** Stops listening for revocations and empties the cache. */
  close(): void;
}

interface Entry<R> {
  result: R;
  expiresAt: number;
}

const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('base64');

/** Creates a verifier around `opts.verify`; see the module comment for the caching rules. */
export function createKeyVerifier<R extends KeyVerificationResult>(opts: KeyVerifierOptions<R>): KeyVerifier<R> {
  const ttl = opts.cacheTtlMs ?? 30_000;
  const maxEntries = Math.max(1, opts.maxEntries ?? 10_000);
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry<R>>(); // by secret hash; Map order = least recently used first
  const byKey = new Map<string, Set<string>>(); // keyId → secret hashes, for revocations
  const inflight = new Map<string, Promise<R>>();
  // Bumped by every revocation and reset: an answer that was in flight meanwhile is not cached,
  // because it may predate the revocation.
  let epoch = 0;
  const counts = { hits: 0, misses: 0, revocations: 0 };

  const remove = (hash: string) => {
    const entry = cache.get(hash);
    if (!entry) return;
    cache.delete(hash);
    const hashes = byKey.get(entry.result.keyId);
    hashes?.delete(hash);
    if (hashes?.size === 0) byKey.delete(entry.result.keyId);
  };

  const store = (hash: string, result: R) => {
    remove(hash);
    cache.set(hash, { result, expiresAt: Math.min(now() + ttl, result.expiresAt?.getTime() ?? Infinity) });
    let hashes = byKey.get(result.keyId);
    if (!hashes) byKey.set(result.keyId, (hashes = new Set()));
    hashes.add(hash);
    while (cache.size > maxEntries) remove(cache.keys().next().value as string);
  };

  const revoke = (keyId: string) => {
    epoch++;
    counts.revocations++;
    for (const hash of byKey.get(keyId) ?? []) remove(hash);
  };
  const clear = () => {
    epoch++;
    cache.clear();
    byKey.clear();
  };

  const subscription = opts.revocations?.({ revoked: revoke, reset: clear });

  return {
    async verify(secret, scope) {
      const hash = sha256(secret);
      const entry = cache.get(hash);
      if (entry && entry.expiresAt > now() && (scope === '' || entry.result.scopes.includes(scope))) {
        counts.hits++;
        // Re-insert to mark it most recently used.
        cache.delete(hash);
        cache.set(hash, entry);
        return entry.result;
      }
      if (entry && entry.expiresAt <= now()) remove(hash);
      counts.misses++;
      const flightKey = `${hash}\n${scope}`;
      const pending = inflight.get(flightKey);
      if (pending) return pending;
      const started = epoch;
      const call = opts
        .verify(secret, scope)
        .then((result) => {
          if (result.valid && epoch === started) store(hash, result);
          return result;
        })
        .finally(() => inflight.delete(flightKey));
      inflight.set(flightKey, call);
      return call;
    },
    revoke,
    clear,
    stats: () => ({ ...counts, entries: cache.size }),
    close() {
      subscription?.stop();
      clear();
    },
  };
}
