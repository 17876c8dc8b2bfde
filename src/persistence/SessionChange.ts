import { SessionV1 } from '../data/version1/SessionV1';

/**
 * One change a store made, handed to its durability layer: enough for a snapshot
 * writer (which ignores it) and for an append-only journal (which records it).
 */
export type SessionChange =
    | { readonly kind: 'upsert'; readonly session: SessionV1 }
    | { readonly kind: 'delete'; readonly id: string };
