import { SessionV1 } from '../../data/version1/SessionV1';
import { StoredSession } from './StoredSession';

/** One step of taking a write back: [what the write put in, what it replaced] (null: nothing). */
export type UndoStep = [SessionV1 | null, StoredSession | null];

/** A write applied in memory whose durability layer has not answered yet. */
export interface PendingWrite {
    /** Its place in the order writes were applied. */
    readonly seq: number;
    readonly undo: UndoStep[];
    undone: boolean;
}
