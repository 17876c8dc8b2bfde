import { promises as fs } from 'fs';

import { ISessionsFileHandle } from '../../../src/persistence/file/ISessionsFileHandle';
import { PowerCutInode } from './PowerCutInode';

/**
 * An open file of PowerCutFileLayer: each call goes to the real file (so reads see it) and is
 * mirrored in the inode; a sync makes what was written before it durable once it returns.
 */
export class PowerCutFileHandle implements ISessionsFileHandle {
    // Where a 'w' file's next write lands (the store writes those sequentially); 'a+' writes append.
    private _position = 0;

    public constructor(private readonly _real: fs.FileHandle, private readonly _inode: PowerCutInode,
        private readonly _append: boolean, private readonly _synced: (inode: PowerCutInode, content: Buffer, what: string) => void,
        private readonly _name: string) {
    }

    public async write(data: Buffer | string, offset?: number, length?: number): Promise<{ bytesWritten: number }> {
        const whole = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        const start = offset ?? 0;
        const bytes = whole.subarray(start, start + (length ?? whole.length - start));
        const { bytesWritten } = await this._real.write(bytes, 0, bytes.length);
        const written = bytes.subarray(0, bytesWritten);
        const live = this._inode.live;
        const at = this._append ? live.length : this._position;
        // A new buffer each time: a sync keeps a reference to the content it covers.
        this._inode.live = Buffer.concat([live.subarray(0, at), written, live.subarray(Math.min(live.length, at + written.length))]);
        this._position = at + written.length;
        return { bytesWritten };
    }

    public async datasync(): Promise<void> {
        const content = this._inode.live;
        // The real disk need not sync: the inode keeps what a sync would make durable.
        await new Promise(resolve => setImmediate(resolve));
        this._synced(this._inode, content, 'datasync ' + this._name);
    }

    public async sync(): Promise<void> {
        const content = this._inode.live;
        await new Promise(resolve => setImmediate(resolve));
        this._synced(this._inode, content, 'sync ' + this._name);
    }

    public async truncate(length = 0): Promise<void> {
        await this._real.truncate(length);
        this._inode.live = Buffer.from(this._inode.live.subarray(0, length));
    }

    public async stat(): Promise<{ size: number }> {
        return await this._real.stat();
    }

    public async close(): Promise<void> {
        await this._real.close();
    }
}
