import { expect } from 'chai';

import { ByteSize } from '../../src/logic/ByteSize';

describe('ByteSize', () => {
    it('states a limit in bytes with a readable size and its setting', () => {
        expect(ByteSize.describe(1048576, 'HTTP_REQUEST_MAX_SIZE')).to.equal('1048576 bytes (1 MiB, HTTP_REQUEST_MAX_SIZE)');
        expect(ByteSize.readable(100)).to.equal('100 B');
        expect(ByteSize.readable(1536)).to.equal('1.5 KiB');
        expect(ByteSize.readable(1000)).to.equal('1000 B');
        expect(ByteSize.readable(5 * 1024 * 1024 * 1024)).to.equal('5 GiB');
        expect(ByteSize.readable(1048577)).to.equal('1 MiB');
    });
});
