/** A session as a replica test reads it from the store itself, not through the service. */
export interface ReplicaStoredSession {
    id: string;
    user_id: string;
    active: boolean;
    open_time: Date;
    close_time: Date | null;
    user: unknown;
    data: unknown;
}

/**
 * The database under a replica test: what the replicas' `node run` is given to reach it, and
 * the test's own view of what is stored, per namespace (a MongoDB collection, a Redis key
 * prefix), so each part's sessions are its own.
 */
export interface ReplicaStore {
    /** For the titles: "MongoDB", "Redis". */
    readonly name: string;
    /** Whether the store updates each session atomically (a plain FerretDB does not). */
    readonly isolated: boolean;
    /** Finds the server (or marks the suite pending, or fails under *_TESTS_REQUIRED) and empties the test's data. */
    open(context: Mocha.Context): Promise<void>;
    close(): Promise<void>;
    /** The environment of `node run` on this store and namespace. */
    env(namespace: string): Record<string, string>;
    /** The stored sessions of the given ids that exist. */
    find(namespace: string, ids: string[]): Promise<ReplicaStoredSession[]>;
    /** How many sessions the namespace holds. */
    count(namespace: string): Promise<number>;
    /** How many of the given ids, or of the user's sessions, are stored active. */
    countActive(namespace: string, which: { ids: string[] } | { userId: string }): Promise<number>;
}
