/** A byte limit as error messages state it: exact bytes, a readable size and the setting that sets it. */
export class ByteSize {
    private static readonly Units = ['KiB', 'MiB', 'GiB', 'TiB'];

    /** "1048576 bytes (1 MiB, HTTP_REQUEST_MAX_SIZE)". */
    public static describe(bytes: number, setting: string): string {
        return bytes + ' bytes (' + ByteSize.readable(bytes) + ', ' + setting + ')';
    }

    /** 1048576 -> "1 MiB", 1536 -> "1.5 KiB", 100 -> "100 B". */
    public static readable(bytes: number): string {
        let value = bytes;
        let unit = 'B';
        for (const next of ByteSize.Units) {
            if (value < 1024) break;
            value /= 1024;
            unit = next;
        }
        return (Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '')) + ' ' + unit;
    }
}
