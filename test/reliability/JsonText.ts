/**
 * JSON composed as text, for what an object literal or JSON.stringify cannot produce:
 * `__proto__` keys (an object literal sets the prototype instead), nesting 10,000 deep
 * (JSON.stringify runs out of stack near 4,000 levels), numbers such as 1e400.
 */
export class JsonText {
    /** An object from [key, value as JSON text] pairs, keys written as given (escaped by JSON.stringify). */
    public static object(entries: ReadonlyArray<readonly [string, string]>): string {
        return '{' + entries.map(([key, value]) => JSON.stringify(key) + ':' + value).join(',') + '}';
    }

    /** As object(), for keys that are already JSON text (such as "\u005f_proto__", escaped). */
    public static objectWithRawKeys(entries: ReadonlyArray<readonly [string, string]>): string {
        return '{' + entries.map(([key, value]) => key + ':' + value).join(',') + '}';
    }

    public static value(value: unknown): string {
        return JSON.stringify(value) ?? 'null';
    }

    /** A value nested `depth` levels deep, in one of three shapes. */
    public static nested(depth: number, shape: 'object' | 'array' | 'mixed'): string {
        switch (shape) {
            case 'object':
                return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
            case 'array':
                return '['.repeat(depth) + ']'.repeat(depth);
            case 'mixed': {
                const pairs = Math.floor(depth / 2);
                const odd = depth % 2 === 1;
                return '[{"a":'.repeat(pairs) + (odd ? '[0]' : '0') + '}]'.repeat(pairs);
            }
        }
    }

    /** A JSON string of `length` characters; its text may be several times longer (escapes, multi-byte characters). */
    public static longString(length: number, unit: string): string {
        const repeated = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        return JSON.stringify(repeated);
    }

    /** Inserts a key into the text of a JSON object (the text must start with '{'). */
    public static withKey(objectText: string, keyText: string, valueText: string): string {
        const rest = objectText.slice(1).trimStart();
        return '{' + keyText + ':' + valueText + (rest.startsWith('}') ? '' : ',') + rest;
    }

    /** Nesting depth of parsed JSON, counted without recursion (so 10,000 levels are fine). */
    public static depthOf(value: unknown): number {
        let deepest = 0;
        const stack: Array<[unknown, number]> = [[value, 0]];
        while (stack.length > 0) {
            const [item, depth] = stack.pop()!;
            if (item == null || typeof item !== 'object') {
                deepest = Math.max(deepest, depth);
                continue;
            }
            deepest = Math.max(deepest, depth + 1);
            for (const child of Object.values(item as Record<string, unknown>)) stack.push([child, depth + 1]);
        }
        return deepest;
    }
}
