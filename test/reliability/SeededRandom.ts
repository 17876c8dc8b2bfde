/** A small deterministic random source (mulberry32), so a run's choices can be repeated from its seed. */
export class SeededRandom {
    private _state: number;

    public constructor(seed: number) {
        this._state = seed >>> 0;
    }

    /** A number in [0, 1). */
    public next(): number {
        this._state = (this._state + 0x6d2b79f5) >>> 0;
        let t = this._state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** An integer in [min, max]. */
    public integer(min: number, max: number): number {
        return min + Math.floor(this.next() * (max - min + 1));
    }

    public pick<T>(items: readonly T[]): T {
        return items[Math.floor(this.next() * items.length)];
    }
}
