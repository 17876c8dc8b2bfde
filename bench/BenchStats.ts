/** The median and range of a cell's runs: what the bench reports instead of one noisy number. */
export class BenchStats {
    public readonly median: number;
    public readonly min: number;
    public readonly max: number;

    public constructor(values: number[]) {
        const sorted = [...values].sort((a, b) => a - b);
        const middle = Math.floor(sorted.length / 2);
        this.median = sorted.length === 0 ? 0
            : sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        this.min = sorted[0] ?? 0;
        this.max = sorted[sorted.length - 1] ?? 0;
    }

    /** e.g. "18,900 (17,800-19,400)". */
    public format(digits = 0): string {
        const show = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
        return `${show(this.median)} (${show(this.min)}-${show(this.max)})`;
    }
}
