import { PendingWrite, UndoStep } from './PendingWrite';
import { SessionsMemoryIndex } from './SessionsMemoryIndex';
import { StoredSession, StoredSessions } from './StoredSession';

/**
 * The memory store's undo log: each write is applied in memory before it is made
 * durable, and one that fails to persist is taken back out, so that a write that is not
 * acknowledged is not left visible either.
 */
export class SessionsWriteUndo {
    private _seq = 0;

    public constructor(private readonly _index: SessionsMemoryIndex) {}

    /** A write just applied in memory, with the steps that take it back. */
    public begin(undo: UndoStep[]): PendingWrite {
        return { seq: ++this._seq, undo, undone: false };
    }

    /**
     * Takes failed writes back out, newest first, so each step finds in place exactly what
     * its write put there and restores what was there before.
     */
    public rollBack(writes: PendingWrite[]): void {
        const order = writes.filter(write => write != null && !write.undone).sort((a, b) => b.seq - a.seq);
        // What a newer write's undo put back in place of an older write's result.
        const restored = new Map<StoredSession, StoredSession>();
        for (const write of order) {
            write.undone = true;
            this._index.atomically(() => this.undo(write, restored));
        }
    }

    /** One failed write, its steps newest first. */
    private undo(write: PendingWrite, restored: Map<StoredSession, StoredSession>): void {
        for (let index = write.undo.length - 1; index >= 0; index--) {
            const [written, previous] = write.undo[index];
            const id = written?.id ?? StoredSessions.idOf(previous!);
            const current = this._index.get(id) ?? null;
            // Only a write that failed alone can find a later (successful) one in place.
            if (current !== (written != null ? restored.get(written) ?? written : null)) continue;
            if (current != null) this._index.remove(current);
            if (previous == null) continue;
            // A new object: the activity queue may still hold the one it replaced.
            const copy = StoredSessions.copy(previous);
            this._index.upsert(copy);
            restored.set(previous, copy);
        }
    }
}
